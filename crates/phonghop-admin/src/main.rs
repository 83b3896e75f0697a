//! `phonghop-admin`: the secretariat's command line. Each command is sent to a running server
//! through `phonghop_client::Session` (its HTTP API), so every connected app sees the change live.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use phonghop_client::tls::Fingerprint;
use phonghop_client::{ClientError, Session};
use phonghop_protocol::http::{AddMemberRequest, CreateMeetingRequest};
use phonghop_protocol::{
    BallotForm, Command, DocumentId, Fraction, ItemId, MeetingId, MeetingKind, PollId, Role, Secrecy, UserId,
};
use serde::Serialize;

/// The kinds of ballot `open-poll --form` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormArg {
    Motion,
    Options,
    Election,
    YesNoEach,
    Confidence,
}

/// The ballot `open-poll` asks for; `None` for a motion (the server's default).
fn ballot_form(form: FormArg, lines: Vec<String>, seats: Option<u32>) -> Result<Option<BallotForm>> {
    if form == FormArg::Motion && (!lines.is_empty() || seats.is_some()) {
        bail!("--line and --seats need --form options, election, yes-no-each or confidence");
    }
    let seats_needed = || seats.context("--seats is needed: how many of the candidates to elect");
    Ok(match form {
        FormArg::Motion => None,
        FormArg::Options => Some(BallotForm::Options {
            options: lines,
            max_picks: seats.unwrap_or(1),
        }),
        FormArg::Election => Some(BallotForm::Election {
            candidates: lines,
            seats: seats_needed()?,
        }),
        FormArg::YesNoEach => Some(BallotForm::YesNoEach {
            candidates: lines,
            seats: seats_needed()?,
        }),
        FormArg::Confidence => Some(BallotForm::Confidence { persons: lines }),
    })
}

#[derive(Parser)]
#[command(
    name = "phonghop-admin",
    about = "Dòng lệnh của thư ký phòng họp không giấy / the secretariat's command line of the paperless meeting room"
)]
struct AdminArgs {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    server: String,
    /// For an https:// server: the SHA-256 fingerprint of its certificate, as the server printed
    /// it (only that certificate is trusted).
    #[arg(long, env = "PHONGHOP_FINGERPRINT", value_parser = parse_fingerprint)]
    fingerprint: Option<Fingerprint>,
    /// Needed by every action but `verify` and `record-key`.
    #[arg(long)]
    username: Option<String>,
    #[arg(long, env = "PHONGHOP_PASSWORD")]
    password: Option<String>,
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// List the meetings of this account.
    Meetings,
    /// Print a meeting's agenda, documents and polls as JSON.
    Show {
        #[arg(long)]
        meeting: MeetingId,
    },
    CreateMeeting {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        location: String,
        #[arg(long, default_value = "")]
        starts_at: String,
        /// council_sitting (a People's Council sitting, the default), committee_meeting or
        /// conference: sets the voting rule presets the meeting starts with.
        #[arg(long, default_value = "council_sitting")]
        kind: String,
    },
    /// Add an account to a meeting as chair, secretariat or delegate.
    AddMember {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        user: String,
        #[arg(long)]
        role: String,
    },
    AddItem {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Adds the item as the last sub-item of this top-level item (1 → 1.1).
        #[arg(long)]
        parent: Option<ItemId>,
    },
    EditItem {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        item: ItemId,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// New agenda order as comma-separated item ids, e.g. 3,1,2.
    Reorder {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long, value_delimiter = ',')]
        items: Vec<u32>,
    },
    /// Moves an item (with its sub-items) to place INDEX (0-based) under PARENT, or among the
    /// top-level items without --parent.
    MoveItem {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        item: ItemId,
        #[arg(long)]
        parent: Option<ItemId>,
        #[arg(long)]
        index: u32,
    },
    /// Removes an item added by mistake (no sub-items, documents or polls).
    RemoveItem {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        item: ItemId,
    },
    /// Publishes the agenda to the members (until then the app shows it as a draft).
    PublishAgenda {
        #[arg(long)]
        meeting: MeetingId,
    },
    /// A PDF or Office file (Word, Excel, PowerPoint, OpenDocument) as a new document of an item.
    Upload {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        item: ItemId,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        title: Option<String>,
    },
    /// Who has each document of a meeting on their laptop and who opened it (JSON: per document,
    /// every member with `downloaded_at` / `opened_at` in unix seconds, or null).
    Receipts {
        #[arg(long)]
        meeting: MeetingId,
    },
    /// Every member with their attendance, and whether the meeting's quorum is present (JSON).
    Attendance {
        #[arg(long)]
        meeting: MeetingId,
    },
    /// Marks a member present, excused (vắng có phép) or absent (vắng), with a reason.
    Mark {
        #[arg(long)]
        meeting: MeetingId,
        /// The member's user id (`attendance` lists them).
        #[arg(long)]
        user_id: UserId,
        #[arg(long, value_parser = ["present", "excused", "absent"])]
        status: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The share of the voting members who must be present to open a poll: `2/3`, `1/2`, or
    /// `none`.
    SetQuorum {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        quorum: String,
    },
    /// A file as the next revision of a document; prints what changed.
    UploadRevision {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        document: DocumentId,
        #[arg(long)]
        file: PathBuf,
    },
    OpenPoll {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        item: ItemId,
        #[arg(long)]
        title: String,
        /// What the ballot asks: a yes/no/abstain motion, options, an election (choose up to
        /// --seats of the candidates, or yes/no per candidate) or a confidence vote.
        #[arg(long, value_enum, default_value_t = FormArg::Motion)]
        form: FormArg,
        /// A line of the ballot (an option, a candidate, a person), in order; repeat it.
        #[arg(long = "line")]
        lines: Vec<String>,
        /// Options: how many may be chosen (1 when left out); elections: the seats to fill.
        #[arg(long)]
        seats: Option<u32>,
        /// The id of one of the meeting's rule presets; the meeting's first when left out.
        #[arg(long)]
        preset: Option<String>,
        /// A secret ballot (bỏ phiếu kín): nobody can link a choice to a member.
        #[arg(long)]
        secret: bool,
        /// Voters may change their ballot until the poll closes (named polls only).
        #[arg(long)]
        changeable: bool,
        /// Seconds after which the server closes the poll by itself (10 to 86 400).
        #[arg(long)]
        duration_seconds: Option<u32>,
        /// The chair only, when the meeting's quorum is not present: why the poll opens anyway.
        #[arg(long)]
        quorum_override: Option<String>,
    },
    /// A read-only code for the meeting's hall screen, and the page to open on the hall's TV.
    HallLink {
        #[arg(long)]
        meeting: MeetingId,
    },
    /// Revokes every code of the meeting's hall screen; the screens open with one close.
    RevokeHallLinks {
        #[arg(long)]
        meeting: MeetingId,
    },
    /// Cancels an open poll: no outcome, no record; the reason is kept in the log.
    CancelPoll {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        poll: PollId,
        #[arg(long, default_value = "")]
        reason: String,
    },
    ClosePoll {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        poll: PollId,
    },
    /// Save the signed result record of a closed poll (biên bản kết quả biểu quyết).
    Record {
        #[arg(long)]
        meeting: MeetingId,
        #[arg(long)]
        poll: PollId,
        /// pdf or csv.
        #[arg(long, default_value = "pdf")]
        format: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the key the server signs records with (no login needed).
    RecordKey,
    /// Check a record file offline: its content unchanged and signed. Give the server's key with
    /// --key (from `record-key` or the app), or --fetch-key to ask --server for it.
    Verify {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        fetch_key: bool,
    },
}

fn parse_role(text: &str) -> Result<Role> {
    match text {
        "chair" | "chu_toa" => Ok(Role::Chair),
        "secretariat" | "thu_ky" => Ok(Role::Secretariat),
        "delegate" | "dai_bieu" => Ok(Role::Delegate),
        other => bail!("unknown role {other:?}: use chair, secretariat or delegate"),
    }
}

fn parse_kind(text: &str) -> Result<MeetingKind> {
    match text {
        "council_sitting" | "ky_hop" => Ok(MeetingKind::CouncilSitting),
        "committee_meeting" | "phien_hop" => Ok(MeetingKind::CommitteeMeeting),
        "conference" | "hoi_nghi" => Ok(MeetingKind::Conference),
        other => bail!("unknown meeting kind {other:?}: use council_sitting, committee_meeting or conference"),
    }
}

fn parse_fingerprint(text: &str) -> Result<Fingerprint, String> {
    Fingerprint::parse(text).map_err(|error| error.to_string())
}

/// A server's refusal in both languages with its code, for the person at the terminal.
fn explained(error: ClientError) -> anyhow::Error {
    match error {
        ClientError::NotPinned | ClientError::CertificateChanged(_) => {
            let shown = phonghop_client::UserFacingError::from(&error);
            anyhow!("{} / {} ({error})", shown.message_vi, shown.message_en)
        }
        ClientError::Server(frame) => {
            let detail = if frame.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", frame.detail)
            };
            anyhow!("{} / {} ({:?}{detail})", frame.message_vi, frame.message_en, frame.code)
        }
        other => anyhow!(other),
    }
}

fn printable(value: impl Serialize) -> Result<String> {
    Ok(serde_json::to_string_pretty(&value)?)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // A person reads these errors: the message chain, without a backtrace.
    match run(AdminArgs::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Lỗi / Error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: AdminArgs) -> Result<()> {
    match args.action {
        Action::Verify { file, key, fetch_key } => {
            let key = match (key, fetch_key) {
                (Some(key), _) => Some(key),
                (None, true) => Some(
                    Session::record_key_pinned(&args.server, args.fingerprint)
                        .await
                        .map_err(explained)?
                        .public_key,
                ),
                (None, false) => None,
            };
            println!("{}", verify_file(&file, key.as_deref())?);
            return Ok(());
        }
        Action::RecordKey => {
            println!(
                "{}",
                printable(
                    Session::record_key_pinned(&args.server, args.fingerprint)
                        .await
                        .map_err(explained)?
                )?
            );
            return Ok(());
        }
        _ => {}
    }
    let (Some(username), Some(password)) = (&args.username, &args.password) else {
        bail!("--username and --password (or PHONGHOP_PASSWORD) are needed for this action");
    };
    let session = Session::login_pinned(&args.server, args.fingerprint, username, password)
        .await
        .map_err(explained)?;
    let answer = act(&session, args.action)
        .await
        .map_err(|error| match error.downcast::<ClientError>() {
            Ok(client) => explained(client),
            Err(other) => other,
        })?;
    println!("{answer}");
    Ok(())
}

/// Carries out one action and returns its answer as pretty JSON.
async fn act(session: &Session, action: Action) -> Result<String> {
    match action {
        Action::Meetings => printable(session.meetings().await?),
        Action::Show { meeting } => printable(session.snapshot(meeting).await?),
        Action::Receipts { meeting } => printable(session.read_receipts(meeting).await?),
        Action::Attendance { meeting } => printable(session.attendance(meeting).await?),
        Action::Mark {
            meeting,
            user_id,
            status,
            reason,
        } => {
            let status = serde_json::from_value(serde_json::Value::String(status))?;
            let mark = Command::SetAttendance {
                user_id,
                status,
                reason,
            };
            printable(session.command(meeting, &mark).await?)
        }
        Action::SetQuorum { meeting, quorum } => {
            let quorum = match quorum.split_once('/') {
                _ if quorum == "none" => None,
                Some((numerator, denominator)) => {
                    Some(Fraction::new(numerator.trim().parse()?, denominator.trim().parse()?))
                }
                None => anyhow::bail!("--quorum is a fraction such as 2/3, or none"),
            };
            printable(session.command(meeting, &Command::SetMeetingQuorum { quorum }).await?)
        }
        Action::CreateMeeting {
            title,
            location,
            starts_at,
            kind,
        } => printable(
            session
                .create_meeting(&CreateMeetingRequest {
                    title,
                    location,
                    starts_at,
                    kind: Some(parse_kind(&kind)?),
                })
                .await?,
        ),
        Action::AddMember { meeting, user, role } => {
            let request = AddMemberRequest {
                username: user,
                role: parse_role(&role)?,
            };
            printable(session.add_member(meeting, &request).await?)
        }
        Action::AddItem {
            meeting,
            title,
            description,
            parent,
        } => printable(
            session
                .command(
                    meeting,
                    &Command::AddAgendaItem {
                        title,
                        description,
                        parent,
                    },
                )
                .await?,
        ),
        Action::EditItem {
            meeting,
            item,
            title,
            description,
        } => {
            let command = Command::EditAgendaItem {
                item_id: item,
                title,
                description,
            };
            printable(session.command(meeting, &command).await?)
        }
        Action::MoveItem {
            meeting,
            item,
            parent,
            index,
        } => printable(
            session
                .command(
                    meeting,
                    &Command::MoveAgendaItem {
                        item_id: item,
                        parent,
                        index,
                    },
                )
                .await?,
        ),
        Action::RemoveItem { meeting, item } => printable(
            session
                .command(meeting, &Command::RemoveAgendaItem { item_id: item })
                .await?,
        ),
        Action::PublishAgenda { meeting } => printable(session.command(meeting, &Command::PublishAgenda).await?),
        Action::Reorder { meeting, items } => printable(
            session
                .command(
                    meeting,
                    &Command::ReorderAgenda {
                        item_ids: items.into_iter().map(ItemId).collect(),
                    },
                )
                .await?,
        ),
        Action::Upload {
            meeting,
            item,
            file,
            title,
        } => {
            let (file_name, bytes) = read_upload(&file)?;
            // An empty title makes the server take the file name.
            let title = title.unwrap_or_default();
            printable(session.upload(meeting, item, &file_name, &title, bytes).await?)
        }
        Action::UploadRevision {
            meeting,
            document,
            file,
        } => {
            let (file_name, bytes) = read_upload(&file)?;
            printable(session.upload_revision(meeting, document, &file_name, bytes).await?)
        }
        Action::OpenPoll {
            meeting,
            item,
            title,
            form,
            lines,
            seats,
            preset,
            secret,
            changeable,
            duration_seconds,
            quorum_override,
        } => printable(
            session
                .command(
                    meeting,
                    &Command::OpenPoll {
                        ballot: ballot_form(form, lines, seats)?,
                        item_id: item,
                        title,
                        rule: None,
                        preset,
                        secrecy: secret.then_some(Secrecy::Secret),
                        changeable: changeable.then_some(true),
                        quorum_override,
                        duration_seconds,
                    },
                )
                .await?,
        ),
        Action::HallLink { meeting } => printable(session.hall_link(meeting).await?),
        Action::RevokeHallLinks { meeting } => printable(session.revoke_hall_links(meeting).await?),
        Action::CancelPoll { meeting, poll, reason } => {
            let cancel = Command::CancelPoll { poll_id: poll, reason };
            printable(session.command(meeting, &cancel).await?)
        }
        Action::ClosePoll { meeting, poll } => {
            printable(session.command(meeting, &Command::ClosePoll { poll_id: poll }).await?)
        }
        Action::Record {
            meeting,
            poll,
            format,
            out,
        } => {
            if format != "pdf" && format != "csv" {
                bail!("--format is pdf or csv, not {format:?}");
            }
            let bytes = session.poll_record(meeting, poll, &format).await?;
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            Ok(format!("{} ({} bytes)", out.display(), bytes.len()))
        }
        Action::RecordKey | Action::Verify { .. } => unreachable!("answered without logging in"),
    }
}

/// Checks a record file; the answer says what was checked, in both languages.
fn verify_file(file: &std::path::Path, key: Option<&str>) -> Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let verified = phonghop_record::verify(&bytes, key)
        .map_err(|error| anyhow!("biên bản KHÔNG hợp lệ / the record does NOT verify: {error}"))?;
    let whose = if key.is_some() {
        "ký bởi đúng khoá của máy chủ / signed by the server's key"
    } else {
        "chưa so với khoá của máy chủ: hãy đối chiếu mã khoá / not compared with the server's key: compare the fingerprint"
    };
    Ok(format!(
        "Biên bản hợp lệ, nội dung nguyên vẹn / The record verifies, its content unchanged\nSHA-256: {}\nKhoá / key: {} ({whose})",
        verified.sha256, verified.fingerprint
    ))
}

/// A file's name and bytes, for an upload.
fn read_upload(file: &std::path::Path) -> Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let file_name = file
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((file_name, bytes))
}
