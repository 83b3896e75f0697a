//! [`decide()`]: the one home of a meeting's rules. Given the model, who asks and what, it answers
//! with the facts to record or a [`Refusal`]. No I/O: the server loads the model, decides,
//! appends the facts, broadcasts; the store only records them.

use phonghop_protocol::{
    AgendaItem, Attendance, AttendanceStatus, BallotForm, Command, CommandResult, Document, DocumentId, ErrorCode,
    ErrorFrame, ItemId, MajorityRule, MeetingEvent, OriginalFile, Poll, PollId, PollState, Presentation, Revision,
    RevisionChanges, Role, Secrecy, Sha256, SpeechRequest, Tally, UserId, Vote,
};

use crate::model::{Fact, IndexedPage, MeetingModel};
use crate::roles::{self, Capabilities};
use crate::{agenda, ballots, floor, presets, rules, text};

/// Who asks: an account, its full name as the server keeps it (a request to speak shows it on
/// every screen), and whether it belongs to the council office. Their role in the meeting comes
/// from the model, never from the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub name: String,
    pub is_admin: bool,
}

/// An upload, validated and indexed, whose blob is already stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDocument {
    pub item_id: ItemId,
    /// As the uploader gave it; checked like any title.
    pub title: String,
    pub file: NewFile,
}

/// A file taken in as the next revision of an existing document.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRevision {
    pub document_id: DocumentId,
    /// The revision `file.changes` was computed against; the request is refused if another
    /// revision arrived meanwhile, so a change summary never describes the wrong step.
    pub based_on: u32,
    pub file: NewFile,
}

/// A file taken in: its PDF (converted when the upload was an Office file), what the indexer
/// read of it, and what changed since the revision before.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    /// As the uploader gave it; cleaned by [`text::file_name`].
    pub file_name: String,
    pub sha256: Sha256,
    pub size: u64,
    pub pages: Vec<IndexedPage>,
    pub original: Option<OriginalFile>,
    pub unrenderable_pages: Vec<u32>,
    /// `None` for a first revision.
    pub changes: Option<RevisionChanges>,
}

/// What an actor asks of a meeting.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// A command from the wire (WebSocket or HTTP).
    Command(Command),
    /// The actor starts following the meeting (subscribes): refused unless they are a member;
    /// records nothing. Following is not presence: a member checks in with `check_in`.
    Follow,
    /// A hall screen the server let in with a hall link of this meeting watches it: no member
    /// is asked for, and nothing is recorded.
    Watch,
    /// A document uploaded to an agenda item.
    AddDocument(NewDocument),
    /// Take a file in as the next revision of a document. The same file as the current revision
    /// (same SHA-256) records nothing.
    AddRevision(NewRevision),
    /// Add `user` to the meeting with `role`, or change their role.
    SetMember { user: UserId, role: Role },
    /// The server's clock says a timed poll's time is up: it closes as the chair would close it.
    /// Not from any person; nothing happens if it is closed already or not yet due.
    CloseOnTime { poll_id: PollId },
}

/// Why a request is refused: a code every client knows, and a detail for logs and support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub detail: String,
}

impl Refusal {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Refusal {
        Refusal {
            code,
            detail: detail.into(),
        }
    }
}

impl From<Refusal> for ErrorFrame {
    fn from(refusal: Refusal) -> Self {
        ErrorFrame::new(refusal.code, refusal.detail)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.detail)
    }
}

type Decision = Result<Vec<Fact>, Refusal>;

fn require(allowed: bool, what: &str) -> Result<(), Refusal> {
    if allowed {
        Ok(())
    } else {
        Err(Refusal::new(ErrorCode::Forbidden, format!("this role may not {what}")))
    }
}

fn invalid(error: impl std::fmt::Display) -> Refusal {
    Refusal::new(ErrorCode::InvalidCommand, error.to_string())
}

/// A preset the meeting lacks is not found; anything else wrong with one is invalid.
fn preset_refused(error: presets::PresetError) -> Refusal {
    match error {
        presets::PresetError::Unknown(_) => Refusal::new(ErrorCode::NotFound, error.to_string()),
        _ => invalid(error),
    }
}

/// Shortest and longest timed poll, in seconds.
pub const MIN_POLL_SECONDS: u32 = 10;
pub const MAX_POLL_SECONDS: u32 = 86_400;

/// Decides `request` by `actor` against `model` without a clock: what needs the time (a timed
/// poll, closing one on time) is refused. The server decides with [`decide_at`].
pub fn decide(model: &MeetingModel, actor: &Actor, request: &Request) -> Decision {
    decide_at(model, actor, request, 0)
}

/// Decides `request` by `actor` against `model` at `now` (Unix seconds): the facts to record, in
/// order, or why not.
pub fn decide_at(model: &MeetingModel, actor: &Actor, request: &Request, now: i64) -> Decision {
    if let Request::CloseOnTime { poll_id } = request {
        return close_on_time(model, *poll_id, now);
    }
    if let Request::Watch = request {
        return Ok(vec![]);
    }
    let role = model.role_of(actor.user);
    if let Request::SetMember { user, role: new_role } = request {
        let may = role.map_or(actor.is_admin, |role| {
            roles::capabilities(role, actor.is_admin).manage_members
        });
        if role.is_none() && !may {
            return Err(not_a_member());
        }
        require(may, "add members")?;
        if model.role_of(*user) == Some(*new_role) {
            return Ok(vec![]);
        }
        return Ok(vec![Fact::MemberSet {
            user: *user,
            role: *new_role,
        }]);
    }
    let Some(role) = role else {
        return Err(not_a_member());
    };
    let may = roles::capabilities(role, actor.is_admin);
    match request {
        Request::SetMember { .. } | Request::CloseOnTime { .. } | Request::Watch => unreachable!("decided above"),
        Request::Follow => Ok(vec![]),
        Request::AddDocument(new) => add_document(model, may, new),
        Request::AddRevision(new) => add_revision(model, may, new),
        Request::Command(command) => decide_command(model, actor, role, may, command, now),
    }
}

fn not_a_member() -> Refusal {
    Refusal::new(ErrorCode::NotFound, "no such meeting for this user")
}

fn decide_command(
    model: &MeetingModel,
    actor: &Actor,
    role: Role,
    may: Capabilities,
    command: &Command,
    now: i64,
) -> Decision {
    let next_seq = model.seq + 1;
    let logged = |event| Ok(vec![Fact::Logged { seq: next_seq, event }]);
    match command {
        Command::AddAgendaItem {
            title,
            description,
            parent,
        } => {
            require(may.edit_agenda, "change the agenda")?;
            if let Some(parent) = parent {
                agenda::check_parent(&model.view.items, *parent).map_err(agenda_refusal)?;
            }
            let item = AgendaItem {
                id: ItemId(model.last_ids.item.0 + 1),
                position: agenda::position_for_new(&model.view.items, *parent),
                parent: *parent,
                title: text::title(title).map_err(invalid)?,
                description: text::description(description).map_err(invalid)?,
                documents: vec![],
            };
            logged(MeetingEvent::AgendaItemAdded { item })
        }
        Command::EditAgendaItem {
            item_id,
            title,
            description,
        } => {
            require(may.edit_agenda, "change the agenda")?;
            existing_item(model, *item_id)?;
            logged(MeetingEvent::AgendaItemEdited {
                item_id: *item_id,
                title: text::title(title).map_err(invalid)?,
                description: text::description(description).map_err(invalid)?,
            })
        }
        Command::ReorderAgenda { item_ids } => {
            require(may.edit_agenda, "change the agenda")?;
            agenda::check_reorder(&model.view.items, item_ids).map_err(invalid)?;
            logged(MeetingEvent::AgendaReordered {
                item_ids: item_ids.clone(),
            })
        }
        Command::MoveAgendaItem { item_id, parent, index } => {
            require(may.edit_agenda, "change the agenda")?;
            existing_item(model, *item_id)?;
            let item_ids =
                agenda::order_after_move(&model.view.items, *item_id, *parent, *index).map_err(agenda_refusal)?;
            let now_parent = model
                .view
                .items
                .iter()
                .find(|item| item.id == *item_id)
                .map(|item| item.parent);
            let now_order: Vec<ItemId> = model.view.items.iter().map(|item| item.id).collect();
            if now_parent == Some(*parent) && now_order == item_ids {
                return Ok(vec![]);
            }
            logged(MeetingEvent::AgendaItemMoved {
                item_id: *item_id,
                parent: *parent,
                item_ids,
            })
        }
        Command::RemoveAgendaItem { item_id } => {
            require(may.edit_agenda, "change the agenda")?;
            let item = model
                .view
                .items
                .iter()
                .find(|item| item.id == *item_id)
                .ok_or_else(|| {
                    Refusal::new(ErrorCode::NotFound, format!("no agenda item {item_id} in this meeting"))
                })?;
            let sub_items = model
                .view
                .items
                .iter()
                .filter(|other| other.parent == Some(*item_id))
                .count();
            let polls = model.view.polls.iter().filter(|poll| poll.item_id == *item_id).count();
            let kept = if sub_items > 0 {
                Some(format!(
                    "item {item_id} has {sub_items} sub-item(s): remove or move them first"
                ))
            } else if !item.documents.is_empty() {
                Some(format!("item {item_id} has {} document(s)", item.documents.len()))
            } else if polls > 0 {
                Some(format!("item {item_id} has {polls} poll(s), which stay on the record"))
            } else if model.view.current_item == Some(*item_id) {
                Some(format!("item {item_id} is under discussion"))
            } else {
                None
            };
            if let Some(reason) = kept {
                return Err(Refusal::new(ErrorCode::InvalidCommand, reason));
            }
            logged(MeetingEvent::AgendaItemRemoved { item_id: *item_id })
        }
        Command::PublishAgenda => {
            require(may.edit_agenda, "publish the agenda")?;
            if model.view.agenda_published {
                return Ok(vec![]);
            }
            if model.view.items.is_empty() {
                return Err(Refusal::new(
                    ErrorCode::InvalidCommand,
                    "the agenda has no items to publish",
                ));
            }
            logged(MeetingEvent::AgendaPublished)
        }
        Command::OpenPoll {
            item_id,
            title,
            rule,
            ballot,
            preset,
            secrecy,
            changeable,
            quorum_override,
            duration_seconds,
        } => open_poll(
            model,
            may,
            PollToOpen {
                ballot: ballot.as_ref(),
                changeable: changeable.unwrap_or(false),
                quorum_override: quorum_override.as_deref(),
                item_id: *item_id,
                title,
                rule: *rule,
                preset: preset.as_deref(),
                secrecy: secrecy.unwrap_or_default(),
                duration_seconds: *duration_seconds,
            },
            now,
        ),
        Command::ClosePoll { poll_id } => close_poll(model, may, *poll_id),
        Command::CancelPoll { poll_id, reason } => {
            require(may.manage_polls, "cancel a poll")?;
            open_poll_of(model, *poll_id)?;
            logged(MeetingEvent::PollCancelled {
                poll_id: *poll_id,
                reason: text::reason(reason).map_err(invalid)?,
            })
        }
        Command::CastBallot { poll_id, choice } => {
            cast_ballot(model, actor, role, *poll_id, Vote::Choice(*choice), now)
        }
        Command::CastMarks { poll_id, marks } => {
            cast_ballot(model, actor, role, *poll_id, Vote::Marks(marks.clone()), now)
        }
        Command::SetRulePreset { preset } => {
            require(may.manage_members, "change the meeting's voting rules")?;
            let preset = presets::check(preset).map_err(invalid)?;
            if model.view.presets.contains(&preset) {
                return Ok(vec![]);
            }
            logged(MeetingEvent::RulePresetSet { preset })
        }
        Command::RemoveRulePreset { preset_id } => {
            require(may.manage_members, "change the meeting's voting rules")?;
            presets::check_removal(&model.view.presets, preset_id).map_err(preset_refused)?;
            logged(MeetingEvent::RulePresetRemoved {
                preset_id: preset_id.clone(),
            })
        }
        Command::CheckIn => set_attendance(model, actor.user, actor.user, AttendanceStatus::Present, ""),
        Command::SetAttendance {
            user_id,
            status,
            reason,
        } => {
            require(may.mark_attendance, "mark attendance")?;
            if model.role_of(*user_id).is_none() {
                return Err(Refusal::new(
                    ErrorCode::NotFound,
                    format!("user {user_id} is not a member of this meeting"),
                ));
            }
            set_attendance(model, actor.user, *user_id, *status, reason)
        }
        Command::SetCurrentItem { item_id } => {
            require(may.run_meeting, "set the item under discussion")?;
            if let Some(item_id) = item_id {
                existing_item(model, *item_id)?;
            }
            if model.view.current_item == *item_id {
                return Ok(vec![]);
            }
            logged(MeetingEvent::CurrentItemSet { item_id: *item_id })
        }
        Command::RequestToSpeak { item_id } => {
            if !roles::votes(role) {
                return Err(Refusal::new(
                    ErrorCode::Forbidden,
                    "only members of the body ask for the floor",
                ));
            }
            if let Some(item_id) = item_id {
                existing_item(model, *item_id)?;
            }
            if floor::waiting_or_speaking(&model.view.floor, actor.user) {
                return Ok(vec![]);
            }
            logged(MeetingEvent::SpeechRequested {
                request: SpeechRequest {
                    user_id: actor.user,
                    name: actor.name.clone(),
                    item_id: *item_id,
                    requested_at: now,
                },
            })
        }
        Command::WithdrawSpeechRequest { user_id } => {
            let user_id = user_id.unwrap_or(actor.user);
            if user_id != actor.user {
                require(may.run_meeting, "take someone else's request to speak out")?;
            }
            if !floor::waiting(&model.view.floor, user_id) {
                return Ok(vec![]);
            }
            logged(MeetingEvent::SpeechRequestWithdrawn {
                user_id,
                by: actor.user,
            })
        }
        Command::OrderSpeakers { user_ids } => {
            require(may.run_meeting, "order the speakers")?;
            let waiting: Vec<UserId> = model.view.floor.queue.iter().map(|request| request.user_id).collect();
            floor::check_order(&waiting, user_ids).map_err(invalid)?;
            if waiting == *user_ids {
                return Ok(vec![]);
            }
            logged(MeetingEvent::SpeakersOrdered {
                user_ids: user_ids.clone(),
            })
        }
        Command::GrantFloor { user_id, seconds } => {
            require(may.run_meeting, "give the floor")?;
            let speech = floor::grant(&model.view.floor, *user_id, *seconds, now).map_err(|error| match error {
                floor::FloorError::NotWaiting(_) => Refusal::new(ErrorCode::NotFound, error.to_string()),
                floor::FloorError::NoClock => Refusal::new(ErrorCode::Internal, error.to_string()),
                _ => invalid(error),
            })?;
            logged(MeetingEvent::FloorGranted { speech })
        }
        Command::EndSpeech => {
            let Some(speech) = &model.view.floor.speaking else {
                return Ok(vec![]);
            };
            if speech.user_id != actor.user {
                require(may.run_meeting, "end someone else's speech")?;
            }
            logged(MeetingEvent::SpeechEnded {
                user_id: speech.user_id,
            })
        }
        Command::SetPresenter { user_id } => {
            require(may.run_meeting, "name a presenter")?;
            if let Some(user_id) = user_id {
                if model.role_of(*user_id).is_none() {
                    return Err(Refusal::new(
                        ErrorCode::NotFound,
                        format!("user {user_id} is not a member of this meeting"),
                    ));
                }
            }
            if model.view.presenter == *user_id {
                return Ok(vec![]);
            }
            let mut facts = vec![Fact::Logged {
                seq: next_seq,
                event: MeetingEvent::PresenterSet { user_id: *user_id },
            }];
            // The presenter named before stops presenting with their turn.
            let by_before = model.view.presenting.as_ref().map(|shown| shown.by);
            if by_before.is_some() && by_before == model.view.presenter {
                facts.push(Fact::Logged {
                    seq: next_seq + 1,
                    event: MeetingEvent::PresentingStopped,
                });
            }
            Ok(facts)
        }
        Command::PresentPage { document_id, page } => {
            require(
                may.run_meeting || model.view.presenter == Some(actor.user),
                "present pages (the chair names who may)",
            )?;
            let document = model.view.document(*document_id).ok_or_else(|| {
                Refusal::new(
                    ErrorCode::NotFound,
                    format!("document {document_id} is not in this meeting"),
                )
            })?;
            if *page >= document.current.page_count {
                return Err(invalid(format!(
                    "page {} of a document of {} pages",
                    page + 1,
                    document.current.page_count
                )));
            }
            let presentation = Presentation {
                document_id: *document_id,
                revision: document.current.revision,
                page: *page,
                by: actor.user,
                name: actor.name.clone(),
            };
            if model.view.presenting.as_ref() == Some(&presentation) {
                return Ok(vec![]);
            }
            logged(MeetingEvent::PagePresented { presentation })
        }
        Command::StopPresenting => {
            let Some(shown) = &model.view.presenting else {
                return Ok(vec![]);
            };
            if shown.by != actor.user {
                require(may.run_meeting, "stop someone else's presentation")?;
            }
            logged(MeetingEvent::PresentingStopped)
        }
        Command::SetMeetingQuorum { quorum } => {
            require(may.manage_members, "change the meeting's quorum")?;
            if let Some(quorum) = quorum {
                rules::check_fraction(*quorum).map_err(invalid)?;
            }
            if model.view.quorum == *quorum {
                return Ok(vec![]);
            }
            logged(MeetingEvent::MeetingQuorumSet { quorum: *quorum })
        }
    }
}

/// A member's attendance set by `by` (themselves when checking in); the same as now records
/// nothing.
fn set_attendance(
    model: &MeetingModel,
    by: UserId,
    user_id: UserId,
    status: AttendanceStatus,
    reason: &str,
) -> Decision {
    let attendance = Attendance {
        user_id,
        status,
        reason: text::reason(reason).map_err(invalid)?,
    };
    let current = model.view.attendance.iter().find(|known| known.user_id == user_id);
    if current == Some(&attendance) {
        return Ok(vec![]);
    }
    Ok(vec![Fact::Logged {
        seq: model.seq + 1,
        event: MeetingEvent::AttendanceSet { attendance, by },
    }])
}

/// An item named by a change to the agenda's shape that is not there is `not_found`; any other
/// misfit is `invalid_command`.
fn agenda_refusal(error: agenda::AgendaError) -> Refusal {
    match error {
        agenda::AgendaError::UnknownItem(item_id) => {
            Refusal::new(ErrorCode::NotFound, format!("no agenda item {item_id} in this meeting"))
        }
        other => invalid(other),
    }
}

fn existing_item(model: &MeetingModel, item_id: ItemId) -> Result<(), Refusal> {
    if model.has_item(item_id) {
        Ok(())
    } else {
        Err(Refusal::new(
            ErrorCode::NotFound,
            format!("no agenda item {item_id} in this meeting"),
        ))
    }
}

fn existing_poll(model: &MeetingModel, poll_id: PollId) -> Result<&Poll, Refusal> {
    model
        .poll(poll_id)
        .ok_or_else(|| Refusal::new(ErrorCode::NotFound, format!("no poll {poll_id} in this meeting")))
}

/// The poll `poll_id` if it is still open: `not_found`, or `poll_closed` once closed or cancelled.
fn open_poll_of(model: &MeetingModel, poll_id: PollId) -> Result<&Poll, Refusal> {
    let poll = existing_poll(model, poll_id)?;
    if poll.state != PollState::Open {
        return Err(Refusal::new(ErrorCode::PollClosed, format!("poll {poll_id} is closed")));
    }
    Ok(poll)
}

/// What `open_poll` asks for.
struct PollToOpen<'a> {
    item_id: ItemId,
    title: &'a str,
    ballot: Option<&'a BallotForm>,
    rule: Option<MajorityRule>,
    preset: Option<&'a str>,
    secrecy: Secrecy,
    changeable: bool,
    quorum_override: Option<&'a str>,
    duration_seconds: Option<u32>,
}

fn open_poll(model: &MeetingModel, may: Capabilities, asked: PollToOpen<'_>, now: i64) -> Decision {
    let PollToOpen {
        item_id,
        title,
        ballot,
        rule,
        preset,
        secrecy,
        changeable,
        quorum_override,
        duration_seconds,
    } = asked;
    if changeable && secrecy == Secrecy::Secret {
        return Err(invalid(
            "a secret ballot cannot be changed: nothing links it to its voter",
        ));
    }
    require(may.manage_polls, "open a poll")?;
    existing_item(model, item_id)?;
    let title = text::title(title).map_err(invalid)?;
    let ballot = ballots::check_form(ballot.unwrap_or(&BallotForm::Motion)).map_err(invalid)?;
    let (rule, basis) = presets::resolve(&model.view.presets, preset, rule).map_err(preset_refused)?;
    rules::check_rule(&rule).map_err(invalid)?;
    let closes_at = match duration_seconds {
        None => None,
        Some(seconds) if !(MIN_POLL_SECONDS..=MAX_POLL_SECONDS).contains(&seconds) => {
            return Err(invalid(format!(
                "a timed poll lasts {MIN_POLL_SECONDS} to {MAX_POLL_SECONDS} seconds, not {seconds}"
            )))
        }
        Some(_) if now <= 0 => {
            return Err(Refusal::new(
                ErrorCode::Internal,
                "a timed poll was decided without a clock",
            ));
        }
        Some(seconds) => Some(now + i64::from(seconds)),
    };
    let voters = model.roll_now();
    if voters.is_empty() {
        return Err(invalid("no member of this meeting may vote"));
    }
    let quorum = crate::attendance::quorum_state(model);
    let quorum_override = match quorum_override.map(text::reason).transpose().map_err(invalid)? {
        // Only used, and so only kept, when the quorum is not present.
        _ if quorum.reached => None,
        Some(reason) if !reason.is_empty() => {
            require(
                may.override_quorum,
                "open a poll without the quorum (only the chair may)",
            )?;
            Some(reason)
        }
        _ => {
            return Err(Refusal::new(
                ErrorCode::NoQuorum,
                format!(
                    "{} of {} voting members are present; the quorum needs {}",
                    quorum.present, quorum.voting_members, quorum.needed
                ),
            ))
        }
    };
    let poll_id = PollId(model.last_ids.poll.0 + 1);
    let tally = Tally::new(
        &ballot,
        voters.len() as u32,
        voters.iter().filter(|voter| voter.present).count() as u32,
    );
    let poll = Poll {
        id: poll_id,
        item_id,
        title,
        ballot,
        secrecy,
        changeable,
        rule,
        basis,
        quorum_override,
        closes_at,
        state: PollState::Open,
        tally,
        outcome: None,
        line_outcomes: vec![],
        cancel_reason: None,
    };
    Ok(vec![
        Fact::Logged {
            seq: model.seq + 1,
            event: MeetingEvent::PollOpened { poll: Box::new(poll) },
        },
        Fact::RollFixed { poll_id, voters },
    ])
}

fn close_poll(model: &MeetingModel, may: Capabilities, poll_id: PollId) -> Decision {
    require(may.manage_polls, "close a poll")?;
    closing(model, poll_id)
}

/// A timed poll whose time is up closes; one closed already, or not due at `now`, records nothing.
fn close_on_time(model: &MeetingModel, poll_id: PollId, now: i64) -> Decision {
    let due = model
        .poll(poll_id)
        .is_some_and(|poll| poll.state == PollState::Open && poll.closes_at.is_some_and(|at| now >= at));
    if due {
        closing(model, poll_id)
    } else {
        Ok(vec![])
    }
}

/// The close of an open poll: its final tally and outcome on the log.
fn closing(model: &MeetingModel, poll_id: PollId) -> Decision {
    let poll = open_poll_of(model, poll_id)?;
    // The roll fixed at opening keeps the counts consistent (present ≤ members, ballots ≤
    // present), so an open poll can always be decided; a failure here is a broken invariant.
    let tally = model.final_tally(poll);
    let decided = match &poll.ballot {
        BallotForm::Motion => rules::outcome(&poll.rule, &tally).map(|outcome| (outcome, vec![])),
        form => rules::line_outcomes(form, &poll.rule, &tally),
    };
    let (outcome, line_outcomes) = decided.map_err(|error| {
        Refusal::new(
            ErrorCode::Internal,
            format!("poll {poll_id} cannot be decided: {error}"),
        )
    })?;
    Ok(vec![Fact::Logged {
        seq: model.seq + 1,
        event: MeetingEvent::PollClosed {
            poll_id,
            tally,
            outcome,
            line_outcomes,
        },
    }])
}

fn cast_ballot(model: &MeetingModel, actor: &Actor, role: Role, poll_id: PollId, vote: Vote, now: i64) -> Decision {
    if !roles::votes(role) {
        return Err(Refusal::new(ErrorCode::NotAVoter, "the secretariat does not vote"));
    }
    let poll = open_poll_of(model, poll_id)?;
    // A timed poll's time is up though the server has not closed it yet: too late.
    if now > 0 && poll.closes_at.is_some_and(|at| now >= at) {
        return Err(Refusal::new(ErrorCode::PollClosed, format!("poll {poll_id} is closed")));
    }
    ballots::check_vote(&poll.ballot, &vote).map_err(invalid)?;
    let roll = model.rolls.get(&poll_id);
    if !roll.is_some_and(|roll| roll.voters.contains_key(&actor.user)) {
        return Err(Refusal::new(
            ErrorCode::NotAVoter,
            "not a voting member when this poll opened",
        ));
    }
    if roll.is_some_and(|roll| roll.voted.contains(&actor.user)) {
        // A changeable (named) poll takes a new choice in place of the last.
        return match model.vote_of(poll_id, actor.user) {
            Some(from) if poll.changeable => Ok(vec![Fact::BallotChanged {
                poll_id,
                voter: actor.user,
                from: from.clone(),
                to: vote,
            }]),
            _ => Err(Refusal::new(ErrorCode::AlreadyVoted, format!("poll {poll_id}"))),
        };
    }
    // A ballot counts its voter present in this poll (the roll), not checked in at the meeting:
    // checking in is the member's own act, or the secretariat's.
    Ok(vec![match poll.secrecy {
        Secrecy::Named => Fact::BallotCast {
            poll_id,
            voter: actor.user,
            vote,
        },
        Secrecy::Secret => Fact::SecretBallotCast {
            poll_id,
            voter: actor.user,
            vote,
        },
    }])
}

fn add_document(model: &MeetingModel, may: Capabilities, new: &NewDocument) -> Decision {
    require(may.upload_documents, "upload documents")?;
    existing_item(model, new.item_id)?;
    let document_id = DocumentId(model.last_ids.document.0 + 1);
    let current = revision(1, &new.file);
    let title = if new.title.trim().is_empty() {
        text::title_from_file_name(&current.file_name)
    } else {
        &new.title
    };
    let document = Document {
        id: document_id,
        item_id: new.item_id,
        title: text::title(title).map_err(invalid)?,
        current,
        earlier: vec![],
    };
    Ok(vec![
        Fact::Logged {
            seq: model.seq + 1,
            event: MeetingEvent::DocumentAdded {
                document: Box::new(document),
            },
        },
        Fact::PagesIndexed {
            document_id,
            revision: 1,
            pages: new.file.pages.clone(),
        },
    ])
}

fn add_revision(model: &MeetingModel, may: Capabilities, new: &NewRevision) -> Decision {
    require(may.upload_documents, "upload documents")?;
    let document = model
        .view
        .document(new.document_id)
        .ok_or_else(|| Refusal::new(ErrorCode::NotFound, format!("no document {}", new.document_id)))?;
    if document.current.sha256 == new.file.sha256 {
        return Ok(vec![]);
    }
    if document.current.revision != new.based_on {
        return Err(Refusal::new(
            ErrorCode::RevisionConflict,
            format!(
                "revision {} arrived while this one was read against revision {}",
                document.current.revision, new.based_on
            ),
        ));
    }
    let number = document.current.revision + 1;
    let mut revised = document.clone();
    revised
        .earlier
        .push(std::mem::replace(&mut revised.current, revision(number, &new.file)));
    Ok(vec![
        Fact::Logged {
            seq: model.seq + 1,
            event: MeetingEvent::DocumentRevised {
                document: Box::new(revised),
            },
        },
        Fact::PagesIndexed {
            document_id: new.document_id,
            revision: number,
            pages: new.file.pages.clone(),
        },
    ])
}

fn revision(number: u32, file: &NewFile) -> Revision {
    let file_name = text::file_name(&file.file_name);
    Revision {
        revision: number,
        // The file the secretariat gave is the original, under the name it gave.
        original: file.original.clone().map(|original| OriginalFile {
            file_name: file_name.clone(),
            ..original
        }),
        file_name,
        sha256: file.sha256.clone(),
        size: file.size,
        page_count: file.pages.len() as u32,
        unrenderable_pages: file.unrenderable_pages.clone(),
        changes: file.changes.clone(),
    }
}

/// What the actor is told once the facts of their request are committed: the ballot recorded,
/// or the log position the request reached.
pub fn command_result(facts: &[Fact], seq_after: u32) -> CommandResult {
    facts
        .iter()
        .find_map(|fact| match fact {
            Fact::BallotCast { poll_id, vote, .. } | Fact::BallotChanged { poll_id, to: vote, .. } => {
                Some(CommandResult::BallotRecorded {
                    poll_id: *poll_id,
                    choice: vote.choice(),
                    marks: vote.marks(),
                })
            }
            Fact::SecretBallotCast { poll_id, .. } => Some(CommandResult::BallotRecorded {
                poll_id: *poll_id,
                choice: None,
                marks: None,
            }),
            _ => None,
        })
        .unwrap_or(CommandResult::Logged { seq: seq_after })
}
