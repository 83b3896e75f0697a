//! The signed result record of a closed poll, end to end against the real server: refused while
//! the poll is open, made when it closes, the same bytes every time and after a restart, readable
//! by `pdftotext` in Vietnamese with the right numbers, verified with the key the server shows —
//! by the library and by `phonghop-admin verify` — and failing once a byte changes.

use std::process::Command as Process;

use anyhow::{bail, ensure, Context, Result};
use phonghop_client::{ClientError, Session};
use phonghop_journeys::{admin_binary, TestServer};
use phonghop_protocol::{Choice, Command, ErrorCode, ItemId, MeetingId, PollId};

async fn open_poll(chair: &Session, meeting: MeetingId, item_id: ItemId) -> Result<PollId> {
    chair
        .command(
            meeting,
            &Command::OpenPoll {
                ballot: None,
                item_id,
                title: "Biểu quyết thông qua Nghị quyết về phòng họp không giấy".into(),
                rule: None,
                preset: Some("resolution".into()),
                secrecy: None,
                changeable: None,
                quorum_override: None,
                duration_seconds: None,
            },
        )
        .await?;
    let snapshot = chair.snapshot(meeting).await?;
    match snapshot.state.polls.last() {
        Some(poll) => Ok(poll.id),
        None => bail!("no poll opened"),
    }
}

fn refused<T: std::fmt::Debug>(result: Result<T, ClientError>) -> Result<ErrorCode> {
    match result {
        Err(ClientError::Server(frame)) => Ok(frame.code),
        other => bail!("expected a refusal, got {other:?}"),
    }
}

fn pdftotext(pdf: &[u8]) -> Result<String> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bien-ban.pdf");
    std::fs::write(&path, pdf)?;
    let output = Process::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .context("pdftotext (install poppler-utils: cargo xtask setup)")?;
    ensure!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    Ok(String::from_utf8(output.stdout)?)
}

/// `phonghop-admin verify` on `bytes` written to a file: whether it said the record verifies.
fn admin_verifies(bytes: &[u8], name: &str, server: &str) -> Result<(bool, String)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(name);
    std::fs::write(&path, bytes)?;
    phonghop_journeys::program_output(
        Process::new(admin_binary()?)
            .args(["--server", server, "verify", "--fetch-key", "--file"])
            .arg(&path),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_polls_record_is_signed_readable_and_fails_when_changed() -> Result<()> {
    let mut server = TestServer::start(4).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let chair = server.login_chair().await?;
    secretariat
        .command(
            meeting,
            &Command::AddAgendaItem {
                parent: None,
                title: "Dự thảo Nghị quyết về phòng họp không giấy".into(),
                description: String::new(),
            },
        )
        .await?;
    let item = secretariat
        .snapshot(meeting)
        .await?
        .state
        .items
        .last()
        .map(|item| item.id)
        .context("no item")?;
    let poll = open_poll(&chair, meeting, item).await?;
    assert_eq!(
        refused(chair.poll_record(meeting, poll, "pdf").await)?,
        ErrorCode::PollOpen
    );

    // The chair and three delegates vote yes, yes, no, abstain; the fourth delegate does not.
    let voters = server.roster().voters();
    let choices = [Choice::Yes, Choice::Yes, Choice::No, Choice::Abstain];
    for (username, choice) in voters.iter().zip(choices) {
        let session = server.login(username).await?;
        session
            .command(meeting, &Command::CastBallot { poll_id: poll, choice })
            .await?;
    }
    chair.command(meeting, &Command::ClosePoll { poll_id: poll }).await?;

    let pdf = chair.poll_record(meeting, poll, "pdf").await?;
    let csv = secretariat.poll_record(meeting, poll, "csv").await?;
    let key = Session::record_key(server.url()).await?;
    for (bytes, what) in [(&pdf, "PDF"), (&csv, "CSV")] {
        let verified = phonghop_record::verify(bytes, Some(&key.public_key))
            .map_err(|error| anyhow::anyhow!("the {what} does not verify: {error}"))?;
        ensure!(verified.fingerprint == key.fingerprint, "{what}: {verified:?}");
    }

    let text = pdftotext(&pdf)?;
    let snapshot = chair.snapshot(meeting).await?;
    let closed = snapshot
        .state
        .polls
        .iter()
        .find(|known| known.id == poll)
        .context("the poll")?;
    let tally = closed.tally.clone();
    ensure!(
        (tally.members, tally.yes, tally.no, tally.abstain) == (5, 2, 1, 1),
        "{tally:?}"
    );
    for expected in [
        "BIÊN BẢN KẾT QUẢ BIỂU QUYẾT",
        "Dự thảo Nghị quyết về phòng họp không giấy",
        "Biểu quyết thông qua Nghị quyết về phòng họp không giấy",
        "Thông qua nghị quyết: Quá nửa tổng số đại biểu",
        "Luật Tổ chức chính quyền địa phương 2025",
        "KẾT QUẢ: KHÔNG THÔNG QUA",
        "Tán thành (2):",
        "Chưa biểu quyết (1):",
        "40,00%",
        key.fingerprint.as_str(),
    ] {
        ensure!(text.contains(expected), "{expected:?} is not in the record:\n{text}");
    }
    let counts = text
        .lines()
        .filter(|line| line.trim_start().starts_with("Tổng số đại biểu"))
        .collect::<Vec<_>>();
    ensure!(
        counts
            .iter()
            .any(|line| line.split_whitespace().any(|word| word == "5")),
        "{counts:?}"
    );

    // The admin's command line agrees, and a changed byte fails, with a reason in both languages.
    let (ok, said) = admin_verifies(&pdf, "bien-ban.pdf", server.url())?;
    ensure!(ok && said.contains("Biên bản hợp lệ"), "{said}");
    let mut changed = csv.clone();
    let at = changed
        .windows(b"tan_thanh,2,".len())
        .position(|window| window == b"tan_thanh,2,")
        .context("the yes count in the CSV")?
        + "tan_thanh,".len();
    changed[at] = b'3';
    let (ok, said) = admin_verifies(&changed, "bien-ban.csv", server.url())?;
    ensure!(
        !ok && said.contains("KHÔNG hợp lệ") && said.contains("does NOT verify"),
        "{said}"
    );
    ensure!(phonghop_record::verify(&changed, Some(&key.public_key)).is_err());

    // Kept as first made: the same bytes again, after a kill -9 and restart too; the key stays.
    ensure!(chair.poll_record(meeting, poll, "pdf").await? == pdf, "the PDF changed");
    server.restart().await?;
    let again = server.login(&voters[1]).await?;
    ensure!(
        again.poll_record(meeting, poll, "csv").await? == csv,
        "the CSV changed after a restart"
    );
    ensure!(
        Session::record_key(server.url()).await? == key,
        "the key changed after a restart"
    );

    // A poll the meeting lacks, or a meeting the member is not in, is not found.
    assert_eq!(
        refused(again.poll_record(MeetingId(meeting.0 + 1), poll, "pdf").await)?,
        ErrorCode::NotFound
    );
    assert_eq!(
        refused(again.poll_record(meeting, PollId(99), "pdf").await)?,
        ErrorCode::NotFound
    );
    Ok(())
}
