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
    /// A People's Council resolution: more than half of all delegates, with two thirds of
    /// delegates present (Law on Organisation of Local Government). Polls name their rule's
    /// source through a [`RulePreset`]; this is only the fallback of a meeting without presets.
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

/// What kind of meeting it is: it sets the rule presets a meeting starts with and the one a poll
/// uses when the chair names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MeetingKind {
    /// A sitting of a People's Council (kỳ họp Hội đồng nhân dân). Meetings created before kinds
    /// existed are sittings.
    #[default]
    CouncilSitting,
    /// A meeting of a People's Committee (phiên họp Ủy ban nhân dân).
    CommitteeMeeting,
    /// A conference (hội nghị): its votes only sound opinions, they bind no one.
    Conference,
}

/// Where a rule comes from in law: data the secretariat sees and can correct, never text in
/// code. `article` stays empty until checked against the official text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LegalSource {
    /// E.g. "Luật Tổ chức chính quyền địa phương 2025".
    pub law: String,
    /// E.g. "Điều 91, khoản 2"; `None` when not yet checked.
    #[serde(default)]
    pub article: Option<String>,
}

/// A named majority rule with its legal source, offered to the chair when opening a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RulePreset {
    /// Short and stable, lowercase letters, digits and dashes, e.g. `resolution`.
    pub id: String,
    /// What it is for, as the chair reads it, e.g. "Thông qua nghị quyết".
    pub name: String,
    pub rule: MajorityRule,
    pub source: LegalSource,
}

/// The rule a poll was opened with and where it comes from, kept with the poll: a preset changed
/// or removed later does not change what an earlier poll was decided by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RuleBasis {
    /// The preset's id; `None` for a rule the chair set by hand.
    pub preset: Option<String>,
    /// The preset's name when opened; empty for a rule set by hand.
    pub name: String,
    /// `None` for a rule set by hand.
    pub source: Option<LegalSource>,
}
