//! Majority and quorum rules as plain data; `phonghop-core::rules` decides with them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the yes votes are compared against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Base {
    /// Every member of the body, present or not (HĐND resolutions: "quá nửa tổng số đại biểu").
    AllMembers,
    /// Members present at the meeting.
    Present,
    /// Ballots cast, abstentions included.
    Cast,
    /// Only yes and no ballots.
    YesNo,
}

/// Whether the threshold itself is enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Comparison {
    /// Strictly more than the threshold ("quá nửa").
    MoreThan,
    /// The threshold or more ("ít nhất hai phần ba").
    AtLeast,
}

/// An exact fraction such as 1/2 or 2/3; never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Fraction {
    pub numerator: u32,
    pub denominator: u32,
}

impl Fraction {
    pub const fn new(numerator: u32, denominator: u32) -> Self {
        Self { numerator, denominator }
    }
}

/// The rule a poll is decided by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MajorityRule {
    pub base: Base,
    pub threshold: Fraction,
    pub comparison: Comparison,
    /// Share of all members that must be present for the result to count; `None` for no quorum.
    pub quorum: Option<Fraction>,
}

impl Default for MajorityRule {
    /// A People's Council resolution: more than half of all delegates (Law on Organisation of
    /// Local Government 2015, Art. 91), with two thirds of delegates present (Art. 78).
    fn default() -> Self {
        Self {
            base: Base::AllMembers,
            threshold: Fraction::new(1, 2),
            comparison: Comparison::MoreThan,
            quorum: Some(Fraction::new(2, 3)),
        }
    }
}

/// The decided result of a closed poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Outcome {
    /// "Thông qua".
    Passed,
    /// "Không thông qua".
    Rejected,
    /// Too few members present for the vote to count.
    NoQuorum,
}
