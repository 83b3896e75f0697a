//! The meeting as every client mirrors it: agenda, documents, polls and their tallies.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{DocumentId, ItemId, MeetingId, PollId, Sha256, UserId};
use crate::rule::{MajorityRule, Outcome};

/// A person's part in one meeting. What each role may do is decided in `phonghop-core`
/// (`roles::capabilities`), not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    /// Chủ tọa: runs the meeting and votes.
    Chair,
    /// Thư ký / văn phòng: prepares agenda and documents; does not vote.
    Secretariat,
    /// Đại biểu: reads, votes.
    Delegate,
}

/// An account as others see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub position: String,
}

/// A meeting listed for a user, with that user's role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MeetingSummary {
    pub id: MeetingId,
    pub title: String,
    pub location: String,
    pub starts_at: String,
    pub role: Role,
}

/// The meeting itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Meeting {
    pub id: MeetingId,
    pub title: String,
    pub location: String,
    pub starts_at: String,
}

/// One item of the agenda, in order of `position` (0-based, gap-free).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgendaItem {
    pub id: ItemId,
    pub position: u32,
    pub title: String,
    pub description: String,
    pub documents: Vec<Document>,
}

/// A PDF attached to an agenda item; its bytes are the blob named by `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Document {
    pub id: DocumentId,
    pub item_id: ItemId,
    pub title: String,
    pub file_name: String,
    /// Lower-case hex SHA-256 of the PDF bytes.
    pub sha256: Sha256,
    #[ts(type = "number")]
    pub size: u64,
    pub page_count: u32,
}

/// One of the three choices of a People's Council vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Choice {
    /// Tán thành.
    Yes,
    /// Không tán thành.
    No,
    /// Không biểu quyết.
    Abstain,
}

impl Choice {
    pub const ALL: [Choice; 3] = [Choice::Yes, Choice::No, Choice::Abstain];

    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Yes => "yes",
            Choice::No => "no",
            Choice::Abstain => "abstain",
        }
    }

    pub fn parse(text: &str) -> Option<Choice> {
        Choice::ALL.into_iter().find(|choice| choice.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PollState {
    Open,
    Closed,
}

/// Counts of a poll at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Tally {
    /// Members of the body: who may vote in this poll, fixed when it opened.
    pub members: u32,
    /// Of those, who was checked in when the poll opened or has voted since.
    pub present: u32,
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

impl Tally {
    pub fn cast(&self) -> u32 {
        self.yes + self.no + self.abstain
    }

    /// The count of one choice.
    pub fn count(&self, choice: Choice) -> u32 {
        match choice {
            Choice::Yes => self.yes,
            Choice::No => self.no,
            Choice::Abstain => self.abstain,
        }
    }

    /// One more ballot for `choice`.
    pub fn add(&mut self, choice: Choice) {
        match choice {
            Choice::Yes => self.yes += 1,
            Choice::No => self.no += 1,
            Choice::Abstain => self.abstain += 1,
        }
    }
}

/// A vote on an agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Poll {
    pub id: PollId,
    pub item_id: ItemId,
    pub title: String,
    pub rule: MajorityRule,
    pub state: PollState,
    pub tally: Tally,
    /// Set once the poll is closed.
    pub outcome: Option<Outcome>,
}

/// Everything a client mirrors of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MeetingState {
    pub meeting: Meeting,
    /// Sorted by `position`.
    pub items: Vec<AgendaItem>,
    /// In the order they were opened.
    pub polls: Vec<Poll>,
}

/// The caller's own ballot in a poll, so a reconnecting app knows it has voted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MyBallot {
    pub poll_id: PollId,
    pub choice: Choice,
}
