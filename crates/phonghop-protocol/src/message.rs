//! WebSocket frames in both directions, the commands clients send and the events of the log.
//!
//! Every frame is a JSON object `{"v": 1, "type": "...", ...fields}`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{ErrorCode, ErrorFrame};
use crate::ids::{DocumentId, ItemId, MeetingId, PollId, UserId};
use crate::model::{
    AgendaItem, Attendance, AttendanceStatus, BallotForm, Choice, Document, LineOutcome, MeetingState, MyBallot, Poll,
    Presentation, Secrecy, Speech, SpeechRequest, Tally, UserView,
};
use crate::rule::{Fraction, MajorityRule, Outcome, RulePreset};
use crate::PROTOCOL_VERSION;

/// A frame from a client: the version and one message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFrame {
    pub v: u32,
    #[serde(flatten)]
    pub message: ClientMessage,
}

impl ClientFrame {
    pub fn new(message: ClientMessage) -> Self {
        Self {
            v: PROTOCOL_VERSION,
            message,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum ClientMessage {
    /// First frame of a connection: the token from `POST /api/login`.
    Authenticate {
        token: String,
    },
    /// Follow a meeting. With `since_seq` the server replays only what came after it (or sends a
    /// snapshot when that is too far back); without it the server sends a snapshot.
    Subscribe {
        meeting_id: MeetingId,
        since_seq: Option<u32>,
    },
    /// Ask the server to change something. `id` is chosen by the client and echoed in the ack or
    /// error; sending the same id again is harmless.
    Command {
        id: String,
        meeting_id: MeetingId,
        command: Command,
    },
    Ping,
}

/// The `type` values [`ClientMessage`] knows, for telling an unknown type from a bad one.
const CLIENT_MESSAGE_TYPES: [&str; 4] = ["authenticate", "subscribe", "command", "ping"];

/// Something a client asks the server to do in a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Command {
    /// Adds an item at the end of the agenda, or, with `parent`, as the last sub-item of that
    /// top-level item (1 → 1.1, 1.2…).
    AddAgendaItem {
        title: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        #[ts(optional)]
        parent: Option<ItemId>,
    },
    EditAgendaItem {
        item_id: ItemId,
        title: String,
        #[serde(default)]
        description: String,
    },
    /// The complete new order: every item id of the meeting exactly once, each sub-item after
    /// its parent and among its siblings.
    ReorderAgenda {
        item_ids: Vec<ItemId>,
    },
    /// Moves an item (a top-level one with its sub-items) to place `index` among the children
    /// of `parent` (`null`: the top level): what dragging an item in the agenda builder does.
    MoveAgendaItem {
        item_id: ItemId,
        parent: Option<ItemId>,
        index: u32,
    },
    /// Removes an item added by mistake: one with no sub-items, documents or polls that is not
    /// under discussion.
    RemoveAgendaItem {
        item_id: ItemId,
    },
    /// Tells the members the agenda is ready: until then the app shows it as a draft.
    PublishAgenda,
    /// Opens a poll on `ballot` (a yes/no/abstain motion when absent), named unless `secrecy` is
    /// `secret`, decided by the meeting's preset `preset`, or by `rule` set by hand; with
    /// neither, by the meeting's first preset (its kind's default). Both at once is refused.
    OpenPoll {
        item_id: ItemId,
        title: String,
        rule: Option<MajorityRule>,
        /// The ballot's form: options, an election, a confidence vote; `motion` when absent.
        #[serde(default)]
        #[ts(optional)]
        ballot: Option<BallotForm>,
        #[serde(default)]
        #[ts(optional)]
        preset: Option<String>,
        /// `named` when absent.
        #[serde(default)]
        #[ts(optional)]
        secrecy: Option<Secrecy>,
        /// Voters may change their ballot until the poll closes (`false` when absent). Named
        /// polls only: a secret ballot is never linked to its voter, so it cannot be changed.
        #[serde(default)]
        #[ts(optional)]
        changeable: Option<bool>,
        /// Only the chair, only when the meeting's quorum is not present: why the poll opens
        /// anyway. Kept in the poll (the log) and its record.
        #[serde(default)]
        #[ts(optional)]
        quorum_override: Option<String>,
        /// When set, the server closes the poll this many seconds after it opens (10 to 86 400),
        /// also across a restart; the chair may still close it earlier.
        #[serde(default)]
        #[ts(optional)]
        duration_seconds: Option<u32>,
    },
    ClosePoll {
        poll_id: PollId,
    },
    /// Cancels an open poll (a wrong question, a poll opened by mistake): no outcome, no record,
    /// its ballots void; `reason` is kept in the log.
    CancelPoll {
        poll_id: PollId,
        #[serde(default)]
        reason: String,
    },
    /// A ballot in a motion (`ballot` `motion`).
    CastBallot {
        poll_id: PollId,
        choice: Choice,
    },
    /// A ballot in a poll of any other form: one mark per line of its ballot, in their order
    /// (see `BallotForm`).
    CastMarks {
        poll_id: PollId,
        marks: Vec<u8>,
    },
    /// Makes `item_id` the item under discussion on every screen (`null`: none).
    SetCurrentItem {
        item_id: Option<ItemId>,
    },
    /// Asks for the floor (xin phát biểu), on `item_id` or the meeting in general; asking again
    /// while waiting or speaking changes nothing.
    RequestToSpeak {
        #[serde(default)]
        #[ts(optional)]
        item_id: Option<ItemId>,
    },
    /// Takes back a request to speak: one's own (`user_id` absent), or, by whoever runs the
    /// meeting, anyone's. Nothing happens when they are not waiting.
    WithdrawSpeechRequest {
        #[serde(default)]
        #[ts(optional)]
        user_id: Option<UserId>,
    },
    /// The complete new order of the waiting speakers: every one of them exactly once.
    OrderSpeakers {
        user_ids: Vec<UserId>,
    },
    /// Gives the floor to a waiting member for `seconds` (30 to 3 600), ending any speech in
    /// progress.
    GrantFloor {
        user_id: UserId,
        seconds: u32,
    },
    /// Ends the speech in progress (whoever runs the meeting, or the speaker).
    EndSpeech,
    /// Names a member who may present pages besides the chair and the secretariat (`null`:
    /// none); a presentation by the one named before stops.
    SetPresenter {
        user_id: Option<UserId>,
    },
    /// Shows page `page` (0-based) of a document's current revision to the whole meeting.
    PresentPage {
        document_id: DocumentId,
        page: u32,
    },
    /// Ends the presentation: readers stay where they are.
    StopPresenting,
    /// Adds a rule preset to the meeting, or replaces the one with the same id (its name, rule
    /// or legal source corrected). Polls already opened keep the rule they were opened with.
    SetRulePreset {
        preset: RulePreset,
    },
    /// Removes a rule preset from the meeting; at least one must stay.
    RemoveRulePreset {
        preset_id: String,
    },
    /// The caller is present (điểm danh): a member checks themselves in with a button, not by
    /// opening the app.
    CheckIn,
    /// The secretariat (or the chair) marks a member present, absent with leave or absent, with
    /// a reason.
    SetAttendance {
        user_id: UserId,
        status: AttendanceStatus,
        #[serde(default)]
        reason: String,
    },
    /// Sets the share of the voting members who must be present before a poll opens; `null`:
    /// none.
    SetMeetingQuorum {
        quorum: Option<Fraction>,
    },
}

/// What an acknowledged command produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum CommandResult {
    /// The command appended an event to the meeting's log at `seq`.
    Logged { seq: u32 },
    /// The ballot is committed. `choice` is `null` in a secret poll: the answer is kept to be
    /// resent for the same command id, and a kept choice would link it to the voter.
    /// `marks` is set for a named ballot of marks (`cast_marks`), `null` otherwise.
    BallotRecorded {
        poll_id: PollId,
        choice: Option<Choice>,
        #[serde(default)]
        marks: Option<Vec<u8>>,
    },
}

/// One entry of a meeting's event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum MeetingEvent {
    AgendaItemAdded {
        item: AgendaItem,
    },
    AgendaItemEdited {
        item_id: ItemId,
        title: String,
        description: String,
    },
    AgendaReordered {
        item_ids: Vec<ItemId>,
    },
    /// `item_id` (with its sub-items) now has `parent`; `item_ids` is the agenda's whole new order.
    AgendaItemMoved {
        item_id: ItemId,
        parent: Option<ItemId>,
        item_ids: Vec<ItemId>,
    },
    /// The item is gone; the items after it move up one place.
    AgendaItemRemoved {
        item_id: ItemId,
    },
    AgendaPublished,
    DocumentAdded {
        document: Box<Document>,
    },
    /// A new revision of a document: `document` is the whole document, its new revision
    /// current, the one before now the last of `earlier`.
    DocumentRevised {
        document: Box<Document>,
    },
    PollOpened {
        poll: Box<Poll>,
    },
    PollClosed {
        poll_id: PollId,
        tally: Tally,
        outcome: Outcome,
        /// How each line came out, for a form other than a motion (see `Poll::line_outcomes`).
        #[serde(default)]
        line_outcomes: Vec<LineOutcome>,
    },
    PollCancelled {
        poll_id: PollId,
        reason: String,
    },
    CurrentItemSet {
        item_id: Option<ItemId>,
    },
    SpeechRequested {
        request: SpeechRequest,
    },
    /// `by` is the member themself, or whoever runs the meeting.
    SpeechRequestWithdrawn {
        user_id: UserId,
        by: UserId,
    },
    SpeakersOrdered {
        user_ids: Vec<UserId>,
    },
    /// The floor given: the speaker leaves the queue, and a speech in progress ends.
    FloorGranted {
        speech: Speech,
    },
    SpeechEnded {
        user_id: UserId,
    },
    PresenterSet {
        user_id: Option<UserId>,
    },
    /// The page every following reader opens; replaces the one before.
    PagePresented {
        presentation: Presentation,
    },
    PresentingStopped,
    /// A preset added or replaced (same id): the whole preset as it now is.
    RulePresetSet {
        preset: RulePreset,
    },
    RulePresetRemoved {
        preset_id: String,
    },
    /// A member's attendance set: by themselves checking in, or by `by` (the secretariat).
    AttendanceSet {
        attendance: Attendance,
        by: UserId,
    },
    MeetingQuorumSet {
        quorum: Option<Fraction>,
    },
}

/// A frame from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerFrame {
    pub v: u32,
    #[serde(flatten)]
    pub message: ServerMessage,
}

impl ServerFrame {
    pub fn new(message: ServerMessage) -> Self {
        Self {
            v: PROTOCOL_VERSION,
            message,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("server frames always serialize")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum ServerMessage {
    /// Answer to `authenticate`.
    Welcome {
        user: UserView,
    },
    /// The whole meeting at `seq`, with the caller's own ballots.
    Snapshot {
        meeting_id: MeetingId,
        seq: u32,
        state: Box<MeetingState>,
        my_ballots: Vec<MyBallot>,
    },
    /// One event of the log; `seq` is always the previous one plus one.
    Event {
        meeting_id: MeetingId,
        seq: u32,
        event: MeetingEvent,
    },
    /// Sent after a subscription's snapshot or replay: from here on events arrive live. Carries
    /// the caller's ballots too, since a replay does not (they may have voted from elsewhere).
    Live {
        meeting_id: MeetingId,
        seq: u32,
        my_ballots: Vec<MyBallot>,
    },
    /// Current counts of an open poll, at most every ~100 ms per poll; not part of the log.
    Tally {
        meeting_id: MeetingId,
        poll_id: PollId,
        tally: Tally,
    },
    Ack {
        id: String,
        result: CommandResult,
    },
    /// `id` is the command's id when the error answers a command.
    Error {
        id: Option<String>,
        error: ErrorFrame,
    },
    Pong,
}

/// Decodes a client's text frame, telling apart the ways it can be wrong.
pub fn decode_client_frame(text: &str) -> Result<ClientMessage, ErrorFrame> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|err| ErrorFrame::new(ErrorCode::MalformedFrame, err.to_string()))?;
    let object = value
        .as_object()
        .ok_or_else(|| ErrorFrame::new(ErrorCode::MalformedFrame, "a frame is a JSON object"))?;
    match object.get("v").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(PROTOCOL_VERSION) => {}
        other => {
            return Err(ErrorFrame::new(
                ErrorCode::UnsupportedVersion,
                format!("expected v = {PROTOCOL_VERSION}, got {other:?}"),
            ))
        }
    }
    match object.get("type").and_then(serde_json::Value::as_str) {
        Some(kind) if CLIENT_MESSAGE_TYPES.contains(&kind) => {}
        Some(kind) => return Err(ErrorFrame::new(ErrorCode::UnknownMessageType, format!("type {kind:?}"))),
        None => return Err(ErrorFrame::new(ErrorCode::InvalidMessage, "missing field `type`")),
    }
    serde_json::from_value::<ClientFrame>(value)
        .map(|frame| frame.message)
        .map_err(|err| ErrorFrame::new(ErrorCode::InvalidMessage, err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(text: &str) -> ErrorCode {
        decode_client_frame(text).unwrap_err().code
    }

    #[test]
    fn bad_frames_get_distinct_codes() {
        assert_eq!(code_of("{not json"), ErrorCode::MalformedFrame);
        assert_eq!(code_of("[1,2]"), ErrorCode::MalformedFrame);
        assert_eq!(code_of(r#"{"type":"ping"}"#), ErrorCode::UnsupportedVersion);
        assert_eq!(code_of(r#"{"v":2,"type":"ping"}"#), ErrorCode::UnsupportedVersion);
        assert_eq!(code_of(r#"{"v":1,"type":"dance"}"#), ErrorCode::UnknownMessageType);
        assert_eq!(code_of(r#"{"v":1}"#), ErrorCode::InvalidMessage);
        assert_eq!(code_of(r#"{"v":1,"type":"subscribe"}"#), ErrorCode::InvalidMessage);
        assert_eq!(
            code_of(r#"{"v":1,"type":"command","id":"a","meeting_id":1,"command":{"kind":"fly"}}"#),
            ErrorCode::InvalidMessage
        );
    }

    #[test]
    fn a_ballot_command_round_trips() {
        let frame = ClientFrame::new(ClientMessage::Command {
            id: "c-1".into(),
            meeting_id: MeetingId(7),
            command: Command::CastBallot {
                poll_id: PollId(3),
                choice: Choice::Abstain,
            },
        });
        let text = serde_json::to_string(&frame).unwrap();
        assert_eq!(
            text,
            r#"{"v":1,"type":"command","id":"c-1","meeting_id":7,"command":{"kind":"cast_ballot","poll_id":3,"choice":"abstain"}}"#
        );
        assert_eq!(decode_client_frame(&text).unwrap(), frame.message);
    }
}
