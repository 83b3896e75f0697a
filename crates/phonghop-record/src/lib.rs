//! The result record of a closed poll (biên bản kết quả biểu quyết), as the server produces it
//! when a poll closes: a CSV (`csv_record.rs`) and a PDF typeset in Vietnamese with an embedded
//! Unicode font (`pdf_record.rs`, krilla), each ending in the server's Ed25519 signature of its
//! content (`signing.rs`), which `verify` checks — also `phonghop-admin verify`.

mod csv_record;
mod pdf_record;
mod signing;
pub mod words;

use phonghop_protocol::{BallotForm, Choice, Tally, Vote};

pub use phonghop_core::record::{RecordFacts, RollLine};
pub use signing::{fingerprint_of, verify, KeyError, RecordFormat, RecordKey, Verified, VerifyError};

/// Why a record cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("poll {0} is not closed: its record is made when it closes")]
    NotClosed(u32),
    #[error("the CSV cannot be written: {0}")]
    Csv(String),
    #[error("the PDF cannot be written: {0}")]
    Pdf(String),
}

/// A record in both formats, each signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRecord {
    pub csv: Vec<u8>,
    pub pdf: Vec<u8>,
}

/// Makes and signs the record of a closed poll. The PDF prints the CSV's SHA-256, so a printed
/// page can be matched with the data.
pub fn make(facts: &RecordFacts, key: &RecordKey) -> Result<SignedRecord, RecordError> {
    let Some(outcome) = facts.poll.outcome else {
        return Err(RecordError::NotClosed(facts.poll.id.0));
    };
    let csv = csv_record::body(facts, outcome)?;
    let csv_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&csv));
    let pdf = pdf_record::body(facts, outcome, &csv_sha256, &key.fingerprint())?;
    Ok(SignedRecord {
        csv: key.sign(csv, RecordFormat::Csv),
        pdf: key.sign(pdf, RecordFormat::Pdf),
    })
}

/// A motion's choice on one line of the roll; `None` when the member did not vote.
fn choice_of(line: &RollLine) -> Option<Choice> {
    line.vote.as_ref().and_then(Vote::choice)
}

/// The choices of a tally in the record's order, with the members on the roll who chose each.
fn by_choice(roll: &[RollLine]) -> Vec<(Option<Choice>, Vec<&RollLine>)> {
    [Some(Choice::Yes), Some(Choice::No), Some(Choice::Abstain), None]
        .into_iter()
        .map(|choice| (choice, roll.iter().filter(|line| choice_of(line) == choice).collect()))
        .collect()
}

/// The marks of a line in the order the record lists their counts: chosen before not chosen
/// for options and elections, as numbered for the forms of three marks.
fn marks_in_order(form: &BallotForm) -> Vec<u8> {
    match form {
        BallotForm::Options { .. } | BallotForm::Election { .. } => vec![1, 0],
        _ => (0..form.levels()).collect(),
    }
}

/// The marks under which a named poll's record lists members on each line: who chose an option
/// or a candidate (the others on the ballot left it), every group for the forms of three marks.
fn marks_named(form: &BallotForm) -> Vec<u8> {
    match form {
        BallotForm::Options { .. } | BallotForm::Election { .. } => vec![1],
        _ => (0..form.levels()).collect(),
    }
}

/// The count of `mark` on line `line` (from 0); 0 where the tally has no such count.
fn line_count(tally: &Tally, line: usize, mark: u8) -> u32 {
    tally
        .counts
        .get(line)
        .and_then(|counts| counts.get(usize::from(mark)))
        .copied()
        .unwrap_or(0)
}

/// The members on the roll whose ballot put `mark` on line `line` (from 0).
fn marked(roll: &[RollLine], line: usize, mark: u8) -> Vec<&RollLine> {
    roll.iter()
        .filter(|member| matches!(&member.vote, Some(Vote::Marks(marks)) if marks.get(line) == Some(&mark)))
        .collect()
}

/// The members on the roll who did not vote.
fn not_voted(roll: &[RollLine]) -> Vec<&RollLine> {
    roll.iter().filter(|member| member.vote.is_none()).collect()
}
