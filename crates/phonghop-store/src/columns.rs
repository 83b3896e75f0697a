//! The columns both databases keep alike: names of roles, secrecies and attendance as stored,
//! ballots as a choice or marks, a meeting's quorum, and the small helpers every query uses.

use phonghop_protocol::{AttendanceStatus, BallotForm, Choice, Fraction, MeetingKind, Outcome, Role, Secrecy, Vote};

use crate::{Result, StoreError};

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Whether a database error is a UNIQUE or PRIMARY KEY violation.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

pub(crate) fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

pub(crate) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Chair => "chair",
        Role::Secretariat => "secretariat",
        Role::Delegate => "delegate",
    }
}

pub(crate) fn parse_role(text: &str) -> Result<Role> {
    match text {
        "chair" => Ok(Role::Chair),
        "secretariat" => Ok(Role::Secretariat),
        "delegate" => Ok(Role::Delegate),
        other => Err(corrupt(format!("unknown role {other:?}"))),
    }
}

pub(crate) fn secrecy_name(secrecy: Secrecy) -> &'static str {
    match secrecy {
        Secrecy::Named => "named",
        Secrecy::Secret => "secret",
    }
}

pub(crate) fn parse_secrecy(text: &str) -> Result<Secrecy> {
    match text {
        "named" => Ok(Secrecy::Named),
        "secret" => Ok(Secrecy::Secret),
        other => Err(corrupt(format!("unknown secrecy {other:?}"))),
    }
}

/// A named ballot as the `ballots` row keeps it: a motion's `choice`, or the `marks` as a JSON
/// array.
pub(crate) fn vote_columns(vote: &Vote) -> Result<(Option<&'static str>, Option<String>)> {
    Ok(match vote {
        Vote::Choice(choice) => (Some(choice.as_str()), None),
        Vote::Marks(marks) => (None, Some(serde_json::to_string(marks).map_err(corrupt)?)),
    })
}

pub(crate) fn parse_vote(choice: Option<&str>, marks: Option<&str>) -> Result<Vote> {
    match (choice, marks) {
        (Some(choice), None) => Choice::parse(choice)
            .map(Vote::Choice)
            .ok_or_else(|| corrupt(format!("unknown choice {choice:?}"))),
        (None, Some(marks)) => Ok(Vote::Marks(serde_json::from_str(marks).map_err(corrupt)?)),
        _ => Err(corrupt("a ballot is either a choice or marks")),
    }
}

/// A poll's form as `polls.ballot_json` keeps it (NULL: a motion).
pub(crate) fn parse_ballot_form(ballot_json: Option<&str>) -> Result<BallotForm> {
    ballot_json.map_or(Ok(BallotForm::Motion), |json| {
        serde_json::from_str(json).map_err(corrupt)
    })
}

pub(crate) fn attendance_name(status: AttendanceStatus) -> &'static str {
    match status {
        AttendanceStatus::Present => "present",
        AttendanceStatus::Excused => "excused",
        AttendanceStatus::Absent => "absent",
    }
}

pub(crate) fn parse_attendance(text: &str) -> Result<AttendanceStatus> {
    match text {
        "present" => Ok(AttendanceStatus::Present),
        "excused" => Ok(AttendanceStatus::Excused),
        "absent" => Ok(AttendanceStatus::Absent),
        other => Err(corrupt(format!("unknown attendance {other:?}"))),
    }
}

/// A meeting's quorum as stored (`quorum_json`, NULL for its kind's default) and its kind.
pub(crate) fn meeting_quorum(quorum_json: Option<String>, kind: &str) -> Result<Option<Fraction>> {
    match quorum_json {
        Some(json) => serde_json::from_str(&json).map_err(corrupt),
        None => {
            let kind: MeetingKind =
                serde_json::from_value(serde_json::Value::String(kind.to_owned())).map_err(corrupt)?;
            Ok(phonghop_core::attendance::default_quorum(kind))
        }
    }
}

/// Ids and counts are stored as 64-bit integers in both databases.
pub(crate) fn id(value: u32) -> i64 {
    i64::from(value)
}

/// A poll's outcome as `polls.outcome` keeps it.
pub(crate) fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Rejected => "rejected",
        Outcome::NoQuorum => "no_quorum",
    }
}

/// An audit hash (lowercase hex) as its 32 bytes.
pub(crate) fn hash_bytes(text: &str) -> Result<[u8; 32]> {
    hex::decode(text)
        .map_err(corrupt)?
        .try_into()
        .map_err(|_| corrupt("an audit hash is not 32 bytes"))
}

/// A kind as stored: its name on the wire.
pub(crate) fn kind_name(kind: MeetingKind) -> Result<String> {
    match serde_json::to_value(kind).map_err(corrupt)? {
        serde_json::Value::String(name) => Ok(name),
        other => Err(corrupt(format!("a meeting kind written as {other}"))),
    }
}
