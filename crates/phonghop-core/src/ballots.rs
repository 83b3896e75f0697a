//! What a poll's ballot may ask (its [`BallotForm`]) and what a ballot may say ([`Vote`]): a
//! motion's choice, or one mark per line of options, candidates or persons.
//!
//! The form is checked once, when the poll opens; every ballot is checked against it. A ballot
//! of marks always has as many marks as the form has lines, so a secret one seals to a length
//! fixed by the poll, never by what was marked.

use std::collections::BTreeSet;

use phonghop_protocol::{BallotForm, Vote};

use crate::text;

/// Most lines a ballot may have (options, candidates, persons).
pub const MAX_LINES: usize = 60;

/// Why a form or a ballot is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BallotError {
    #[error("a ballot of options needs at least 2 options")]
    TooFewOptions,
    #[error("a ballot needs at least one line: a candidate or a person")]
    NoLines,
    #[error("a ballot has at most {MAX_LINES} lines, not {0}")]
    TooManyLines(usize),
    #[error("line {line}: {error}")]
    BadLine { line: usize, error: text::TextError },
    #[error("line {0} appears twice")]
    SameLineTwice(usize),
    #[error("{seats} to choose of {lines} lines: it must be 1 to {lines}")]
    BadSeats { seats: u32, lines: usize },
    #[error("this poll asks for {0}: send cast_marks, one mark per line")]
    MarksExpected(&'static str),
    #[error("this poll is a motion: send cast_ballot with a choice")]
    ChoiceExpected,
    #[error("{marks} marks for a ballot of {lines} lines")]
    WrongMarkCount { marks: usize, lines: usize },
    #[error("line {line}: mark {mark} is not one of 0 to {highest}")]
    BadMark { line: usize, mark: u8, highest: u8 },
    #[error("{chosen} lines chosen; at most {seats} may be")]
    TooManyChosen { chosen: usize, seats: u32 },
}

/// The form as the poll keeps it: every line a visible title (cleaned as titles are), no line
/// twice, a number of seats that can be filled.
pub fn check_form(form: &BallotForm) -> Result<BallotForm, BallotError> {
    let lines = form.lines();
    match form {
        BallotForm::Motion => return Ok(BallotForm::Motion),
        BallotForm::Options { .. } if lines.len() < 2 => return Err(BallotError::TooFewOptions),
        _ if lines.is_empty() => return Err(BallotError::NoLines),
        _ if lines.len() > MAX_LINES => return Err(BallotError::TooManyLines(lines.len())),
        _ => {}
    }
    let mut cleaned = Vec::with_capacity(lines.len());
    let mut seen = BTreeSet::new();
    for (index, line) in lines.iter().enumerate() {
        let line_number = index + 1;
        let title = text::title(line).map_err(|error| BallotError::BadLine {
            line: line_number,
            error,
        })?;
        if !seen.insert(crate::search::fold(&title)) {
            return Err(BallotError::SameLineTwice(line_number));
        }
        cleaned.push(title);
    }
    if let Some(seats) = form.seats() {
        if seats == 0 || seats as usize > cleaned.len() {
            return Err(BallotError::BadSeats {
                seats,
                lines: cleaned.len(),
            });
        }
    }
    Ok(match form {
        BallotForm::Motion => BallotForm::Motion,
        BallotForm::Options { max_picks, .. } => BallotForm::Options {
            options: cleaned,
            max_picks: *max_picks,
        },
        BallotForm::Election { seats, .. } => BallotForm::Election {
            candidates: cleaned,
            seats: *seats,
        },
        BallotForm::YesNoEach { seats, .. } => BallotForm::YesNoEach {
            candidates: cleaned,
            seats: *seats,
        },
        BallotForm::Confidence { .. } => BallotForm::Confidence { persons: cleaned },
    })
}

/// Whether `vote` is a ballot of `form`: a choice for a motion; otherwise one mark per line,
/// each one the form knows, and no more lines chosen (or approved) than there are seats.
pub fn check_vote(form: &BallotForm, vote: &Vote) -> Result<(), BallotError> {
    let marks = match (form, vote) {
        (BallotForm::Motion, Vote::Choice(_)) => return Ok(()),
        (BallotForm::Motion, Vote::Marks(_)) => return Err(BallotError::ChoiceExpected),
        (form, Vote::Choice(_)) => return Err(BallotError::MarksExpected(description(form))),
        (_, Vote::Marks(marks)) => marks,
    };
    let lines = form.lines().len();
    if marks.len() != lines {
        return Err(BallotError::WrongMarkCount {
            marks: marks.len(),
            lines,
        });
    }
    let highest = form.levels() - 1;
    if let Some((index, mark)) = marks.iter().enumerate().find(|(_, mark)| **mark > highest) {
        return Err(BallotError::BadMark {
            line: index + 1,
            mark: *mark,
            highest,
        });
    }
    // More lines chosen (or approved, for yes/no per candidate) than seats spoils a ballot.
    if let (Some(seats), Some(counted)) = (form.seats(), form.counted_mark()) {
        let chosen = marks.iter().filter(|mark| **mark == counted).count();
        if chosen > seats as usize {
            return Err(BallotError::TooManyChosen { chosen, seats });
        }
    }
    Ok(())
}

fn description(form: &BallotForm) -> &'static str {
    match form {
        BallotForm::Motion => "a choice",
        BallotForm::Options { .. } => "options",
        BallotForm::Election { .. } | BallotForm::YesNoEach { .. } => "an election",
        BallotForm::Confidence { .. } => "a confidence vote",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonghop_protocol::Choice;

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    fn election(seats: u32) -> BallotForm {
        BallotForm::Election {
            candidates: names(&["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]),
            seats,
        }
    }

    #[test]
    fn a_form_is_cleaned_and_its_seats_must_be_fillable() {
        let form = BallotForm::Options {
            options: names(&["  Phương án 1 ", "Phương án 2"]),
            max_picks: 1,
        };
        assert_eq!(
            check_form(&form).unwrap().lines(),
            names(&["Phương án 1", "Phương án 2"])
        );
        assert_eq!(
            check_form(&BallotForm::Options {
                options: names(&["Phương án 1"]),
                max_picks: 1
            }),
            Err(BallotError::TooFewOptions)
        );
        assert_eq!(
            check_form(&BallotForm::Confidence { persons: vec![] }),
            Err(BallotError::NoLines)
        );
        assert_eq!(
            check_form(&election(0)),
            Err(BallotError::BadSeats { seats: 0, lines: 3 })
        );
        assert_eq!(
            check_form(&election(4)),
            Err(BallotError::BadSeats { seats: 4, lines: 3 })
        );
        assert!(check_form(&election(3)).is_ok());
        let twice = BallotForm::Election {
            candidates: names(&["Nguyễn Văn An", "nguyen van an"]),
            seats: 1,
        };
        assert_eq!(check_form(&twice), Err(BallotError::SameLineTwice(2)));
        let invisible = BallotForm::Confidence {
            persons: names(&["Lê Văn Cường", "\u{200B}"]),
        };
        assert!(matches!(
            check_form(&invisible),
            Err(BallotError::BadLine { line: 2, .. })
        ));
        let many = BallotForm::Confidence {
            persons: (0..=MAX_LINES).map(|n| format!("Người {n}")).collect(),
        };
        assert_eq!(check_form(&many), Err(BallotError::TooManyLines(MAX_LINES + 1)));
    }

    #[test]
    fn a_ballot_marks_every_line_with_a_mark_its_form_knows() {
        let form = election(2);
        assert_eq!(check_vote(&form, &Vote::Marks(vec![1, 0, 1])), Ok(()));
        assert_eq!(check_vote(&form, &Vote::Marks(vec![0, 0, 0])), Ok(()), "a blank ballot");
        assert_eq!(
            check_vote(&form, &Vote::Marks(vec![1, 1, 1])),
            Err(BallotError::TooManyChosen { chosen: 3, seats: 2 })
        );
        assert_eq!(
            check_vote(&form, &Vote::Marks(vec![1, 0])),
            Err(BallotError::WrongMarkCount { marks: 2, lines: 3 })
        );
        assert_eq!(
            check_vote(&form, &Vote::Marks(vec![0, 2, 0])),
            Err(BallotError::BadMark {
                line: 2,
                mark: 2,
                highest: 1
            })
        );
        assert_eq!(
            check_vote(&form, &Vote::Choice(Choice::Yes)),
            Err(BallotError::MarksExpected("an election"))
        );
        let confidence = BallotForm::Confidence {
            persons: names(&["Nguyễn Văn An", "Trần Thị Bình"]),
        };
        assert_eq!(check_vote(&confidence, &Vote::Marks(vec![2, 2])), Ok(()));
        let yes_no = BallotForm::YesNoEach {
            candidates: names(&["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]),
            seats: 1,
        };
        assert_eq!(check_vote(&yes_no, &Vote::Marks(vec![0, 1, 2])), Ok(()));
        assert_eq!(
            check_vote(&yes_no, &Vote::Marks(vec![0, 0, 1])),
            Err(BallotError::TooManyChosen { chosen: 2, seats: 1 })
        );
        assert!(check_vote(&confidence, &Vote::Marks(vec![3, 0])).is_err());
        assert_eq!(
            check_vote(&BallotForm::Motion, &Vote::Marks(vec![0])),
            Err(BallotError::ChoiceExpected)
        );
        assert_eq!(check_vote(&BallotForm::Motion, &Vote::Choice(Choice::No)), Ok(()));
    }
}
