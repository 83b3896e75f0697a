//! What the signed result record of a closed poll states (biên bản kết quả biểu quyết): plain
//! data the store gathers and `phonghop-record` typesets and signs.

use phonghop_protocol::{Meeting, Poll, Vote};

/// Everything a record states.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFacts {
    pub meeting: Meeting,
    /// The title of the agenda item voted on.
    pub item_title: String,
    /// The closed poll: its rule and basis, final tally and outcome.
    pub poll: Poll,
    /// Unix seconds.
    pub opened_at: i64,
    pub closed_at: i64,
    /// The poll's roll in the order the server keeps it (by account), each member with their
    /// ballot; empty for a secret poll, whose record names no one.
    pub roll: Vec<RollLine>,
}

/// One member on a poll's roll and what they chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollLine {
    pub full_name: String,
    pub position: String,
    /// `None`: did not vote.
    pub vote: Option<Vote>,
}
