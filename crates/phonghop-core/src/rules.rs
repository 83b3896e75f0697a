//! A poll's outcome: quorum first, then the majority rule, all in exact integer arithmetic.
//!
//! "2/3 of 35" is 23⅓, so 23 is not enough and 24 is: every comparison multiplies out the
//! denominators instead of dividing.

use phonghop_protocol::{BallotForm, Base, Comparison, Fraction, LineOutcome, MajorityRule, Outcome, Tally};

/// Counts that cannot be real, so no outcome can be decided from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CountError {
    #[error("a body with no members cannot vote")]
    NoMembers,
    #[error("{present} present is more than the {members} members")]
    MorePresentThanMembers { present: u32, members: u32 },
    #[error("{cast} ballots is more than the {present} present")]
    MoreBallotsThanPresent { cast: u32, present: u32 },
    #[error("{sealed} ballots of a secret poll are not counted yet")]
    SealedBallots { sealed: u32 },
    #[error("line {line} does not count every ballot once")]
    LineCount { line: usize },
    #[error("the fraction {numerator}/{denominator} is not between 0 and 1")]
    BadFraction { numerator: u32, denominator: u32 },
}

/// Checks that a rule's fractions are between 0 and 1, so a poll opened with it can be decided.
pub fn check_rule(rule: &MajorityRule) -> Result<(), CountError> {
    check_fraction(rule.threshold)?;
    rule.quorum.map_or(Ok(()), check_fraction)
}

/// Decides a poll's outcome from its counts under `rule`.
pub fn outcome(rule: &MajorityRule, tally: &Tally) -> Result<Outcome, CountError> {
    if !counted_with_quorum(rule, tally)? {
        return Ok(Outcome::NoQuorum);
    }
    let base = match rule.base {
        Base::AllMembers => tally.members,
        Base::Present => tally.present,
        Base::Cast => tally.cast(),
        Base::YesNo => tally.yes + tally.no,
    };
    // Nothing to measure against (no yes or no ballot under `yes_no`): nothing passes, even
    // where "at least 0 of 0" would.
    if base == 0 {
        return Ok(Outcome::Rejected);
    }
    if reaches(tally.yes, rule.threshold, base, rule.comparison) {
        Ok(Outcome::Passed)
    } else {
        Ok(Outcome::Rejected)
    }
}

/// Decides a closed poll of a form other than a motion: the quorum first (as [`outcome`]), then
/// each line measured by its counted mark ([`BallotForm::counted_mark`]) against the rule as a
/// yes vote would be. Where the form has seats, the lines that reach the share are taken most
/// marked first; a tie for the last seat takes none of the tied. The poll's outcome is `passed`
/// when a line was adopted or elected (a confidence vote that counts: always), else `rejected`.
pub fn line_outcomes(
    form: &BallotForm,
    rule: &MajorityRule,
    tally: &Tally,
) -> Result<(Outcome, Vec<LineOutcome>), CountError> {
    if !counted_with_quorum(rule, tally)? {
        return Ok((Outcome::NoQuorum, vec![]));
    }
    let without_quorum = MajorityRule { quorum: None, ..*rule };
    let ballots = tally.cast();
    let mut reached = Vec::with_capacity(tally.counts.len());
    for line in &tally.counts {
        let count = |mark: usize| line.get(mark).copied().unwrap_or(0);
        let (yes, no, abstain) = match form {
            BallotForm::Motion => (0, 0, 0),
            BallotForm::Options { .. } | BallotForm::Election { .. } => (count(1), count(0), 0),
            BallotForm::YesNoEach { .. } => (count(0), count(1), count(2)),
            BallotForm::Confidence { .. } => (count(2), count(0) + count(1), 0),
        };
        let line_tally = Tally {
            members: tally.members,
            present: tally.present,
            yes,
            no,
            abstain,
            ..Tally::default()
        };
        if yes + no + abstain != ballots {
            return Err(CountError::LineCount {
                line: reached.len() + 1,
            });
        }
        reached.push((yes, outcome(&without_quorum, &line_tally)? == Outcome::Passed));
    }
    let mut lines: Vec<LineOutcome> = reached
        .iter()
        .map(|(_, reached)| {
            if *reached {
                LineOutcome::Reached
            } else {
                LineOutcome::NotReached
            }
        })
        .collect();
    if let Some(seats) = form.seats().map(|seats| seats as usize) {
        let mut counts: Vec<u32> = reached
            .iter()
            .filter(|(_, reached)| *reached)
            .map(|(count, _)| *count)
            .collect();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        if counts.len() > seats {
            // The last seat's count: above it elected, below it not; at it, elected only when
            // the seats hold every line with that count.
            let last = counts[seats - 1];
            let tied = counts[seats] == last;
            for ((count, _), line) in reached.iter().zip(lines.iter_mut()) {
                if *line == LineOutcome::Reached && (*count < last || (*count == last && tied)) {
                    *line = if *count == last {
                        LineOutcome::Tied
                    } else {
                        LineOutcome::NotReached
                    };
                }
            }
        }
    }
    let outcome = match form {
        BallotForm::Confidence { .. } => Outcome::Passed,
        _ if lines.contains(&LineOutcome::Reached) => Outcome::Passed,
        _ => Outcome::Rejected,
    };
    Ok((outcome, lines))
}

/// The fewest yes votes that pass a poll under `rule` when it counts all `members` (the chart's
/// threshold), exact like [`outcome`]; `None` for rules counted against the present or the
/// ballots cast, whose bar moves with the turnout, and for a body of no members.
pub fn yes_needed(rule: &MajorityRule, members: u32) -> Option<u32> {
    if rule.base != Base::AllMembers || members == 0 || check_fraction(rule.threshold).is_err() {
        return None;
    }
    let product = u64::from(members) * u64::from(rule.threshold.numerator);
    let denominator = u64::from(rule.threshold.denominator);
    let needed = match rule.comparison {
        Comparison::MoreThan => product / denominator + 1,
        Comparison::AtLeast => product.div_ceil(denominator),
    };
    u32::try_from(needed).ok()
}

/// Checks the counts and the rule, then whether the quorum (if the rule has one) was present:
/// a poll without it is decided `no_quorum`, its ballots unread.
fn counted_with_quorum(rule: &MajorityRule, tally: &Tally) -> Result<bool, CountError> {
    check_counts(tally)?;
    check_rule(rule)?;
    Ok(rule
        .quorum
        .is_none_or(|quorum| reaches(tally.present, quorum, tally.members, Comparison::AtLeast)))
}

fn check_counts(tally: &Tally) -> Result<(), CountError> {
    if tally.sealed > 0 {
        return Err(CountError::SealedBallots { sealed: tally.sealed });
    }
    if tally.members == 0 {
        return Err(CountError::NoMembers);
    }
    if tally.present > tally.members {
        return Err(CountError::MorePresentThanMembers {
            present: tally.present,
            members: tally.members,
        });
    }
    if tally.cast() > tally.present {
        return Err(CountError::MoreBallotsThanPresent {
            cast: tally.cast(),
            present: tally.present,
        });
    }
    Ok(())
}

/// Checks that a fraction is between 0 and 1 (a threshold or a quorum).
pub fn check_fraction(fraction: Fraction) -> Result<(), CountError> {
    if fraction.denominator == 0 || fraction.numerator > fraction.denominator {
        return Err(CountError::BadFraction {
            numerator: fraction.numerator,
            denominator: fraction.denominator,
        });
    }
    Ok(())
}

/// Whether `count` is more than (or at least) `fraction` of `base`, without dividing:
/// `count / base > n / d` ⇔ `count · d > n · base`.
fn reaches(count: u32, fraction: Fraction, base: u32, comparison: Comparison) -> bool {
    let left = u64::from(count) * u64::from(fraction.denominator);
    let right = u64::from(fraction.numerator) * u64::from(base);
    match comparison {
        Comparison::MoreThan => left > right,
        Comparison::AtLeast => left >= right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fraction(text: &str) -> Fraction {
        let (n, d) = text.split_once('/').unwrap_or_else(|| panic!("bad fraction {text:?}"));
        Fraction::new(n.trim().parse().unwrap(), d.trim().parse().unwrap())
    }

    fn base(text: &str) -> Base {
        match text {
            "all_members" => Base::AllMembers,
            "present" => Base::Present,
            "cast" => Base::Cast,
            "yes_no" => Base::YesNo,
            other => panic!("unknown base {other:?}"),
        }
    }

    fn comparison(text: &str) -> Comparison {
        match text {
            "more_than" => Comparison::MoreThan,
            "at_least" => Comparison::AtLeast,
            other => panic!("unknown comparison {other:?}"),
        }
    }

    fn outcome_name(result: Result<Outcome, CountError>) -> &'static str {
        match result {
            Ok(Outcome::Passed) => "passed",
            Ok(Outcome::Rejected) => "rejected",
            Ok(Outcome::NoQuorum) => "no_quorum",
            Err(_) => "error",
        }
    }

    #[test]
    fn every_case_of_the_vote_rules_table_is_decided_as_expected_and_every_preset_has_rows() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/vote-rules.csv");
        let mut reader = csv::Reader::from_path(path).expect("tests/data/vote-rules.csv is readable");
        let headers = reader.headers().unwrap().clone();
        let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let mut checked = 0;
        let mut failures = Vec::new();
        let presets: Vec<phonghop_protocol::RulePreset> = [
            phonghop_protocol::MeetingKind::CouncilSitting,
            phonghop_protocol::MeetingKind::CommitteeMeeting,
            phonghop_protocol::MeetingKind::Conference,
        ]
        .into_iter()
        .flat_map(crate::presets::defaults)
        .collect();
        let mut covered = std::collections::BTreeSet::new();
        for record in reader.records() {
            let record = record.unwrap();
            let field = |name: &str| record.get(column(name)).unwrap().trim().to_owned();
            let number = |name: &str| field(name).parse::<u32>().unwrap();
            let rule = MajorityRule {
                base: base(&field("base")),
                threshold: fraction(&field("threshold")),
                comparison: comparison(&field("comparison")),
                quorum: Some(field("quorum")).filter(|q| !q.is_empty()).map(|q| fraction(&q)),
            };
            let tally = Tally {
                members: number("members"),
                present: number("present"),
                yes: number("yes"),
                no: number("no"),
                abstain: number("abstain"),
                ..Tally::default()
            };
            let got = outcome_name(outcome(&rule, &tally));
            if got != field("expected") {
                failures.push(format!("{}: expected {}, got {got}", field("case"), field("expected")));
            }
            // A row naming a preset checks that the preset's rule is the row's.
            let preset_id = field("preset");
            if !preset_id.is_empty() {
                match presets.iter().find(|preset| preset.id == preset_id) {
                    Some(preset) if preset.rule == rule => {
                        covered.insert(preset_id);
                    }
                    Some(preset) => failures.push(format!("{}: the preset's rule is {:?}", field("case"), preset.rule)),
                    None => failures.push(format!("{}: no default preset {preset_id:?}", field("case"))),
                }
            }
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} cases read");
        assert!(failures.is_empty(), "{failures:#?}");
        let uncovered: Vec<&str> = presets
            .iter()
            .map(|preset| preset.id.as_str())
            .filter(|id| !covered.contains(*id))
            .collect();
        assert!(
            uncovered.is_empty(),
            "presets without a row in the table: {uncovered:?}"
        );
    }

    #[test]
    fn two_thirds_of_35_needs_24() {
        let rule = MajorityRule {
            base: Base::AllMembers,
            threshold: Fraction::new(2, 3),
            comparison: Comparison::AtLeast,
            quorum: None,
        };
        let tally = |yes| Tally {
            members: 35,
            present: 35,
            yes,
            no: 35 - yes,
            abstain: 0,
            sealed: 0,
            counts: vec![],
        };
        assert_eq!(outcome(&rule, &tally(23)), Ok(Outcome::Rejected));
        assert_eq!(outcome(&rule, &tally(24)), Ok(Outcome::Passed));
    }

    #[test]
    fn an_empty_base_never_passes() {
        let rule = MajorityRule {
            base: Base::YesNo,
            comparison: Comparison::AtLeast,
            quorum: None,
            ..MajorityRule::default()
        };
        let tally = Tally {
            members: 5,
            present: 5,
            yes: 0,
            no: 0,
            abstain: 5,
            sealed: 0,
            counts: vec![],
        };
        assert_eq!(outcome(&rule, &tally), Ok(Outcome::Rejected));
    }

    #[test]
    fn a_threshold_above_one_is_an_error() {
        let rule = MajorityRule {
            threshold: Fraction::new(3, 2),
            ..MajorityRule::default()
        };
        let tally = Tally {
            members: 3,
            present: 3,
            yes: 3,
            no: 0,
            abstain: 0,
            sealed: 0,
            counts: vec![],
        };
        assert!(outcome(&rule, &tally).is_err());
    }

    #[test]
    fn yes_needed_passes_and_one_fewer_does_not_for_every_body_up_to_sixty() {
        for members in 1..=60u32 {
            for (numerator, denominator) in [(1, 2), (2, 3), (3, 4), (1, 3)] {
                for comparison in [Comparison::MoreThan, Comparison::AtLeast] {
                    let rule = MajorityRule {
                        base: Base::AllMembers,
                        threshold: Fraction::new(numerator, denominator),
                        comparison,
                        quorum: None,
                    };
                    let needed = yes_needed(&rule, members).expect("all members");
                    let with = |yes: u32| Tally {
                        members,
                        present: members,
                        yes,
                        no: members - yes,
                        abstain: 0,
                        sealed: 0,
                        counts: vec![],
                    };
                    if needed <= members {
                        assert_eq!(outcome(&rule, &with(needed)), Ok(Outcome::Passed), "{members} {rule:?}");
                    }
                    if needed > 0 {
                        assert_eq!(
                            outcome(&rule, &with(needed - 1)),
                            Ok(Outcome::Rejected),
                            "{members} {rule:?}"
                        );
                    }
                }
            }
        }
        // More than half of 35 is 18; at least two thirds of 35 (23⅓) is 24.
        let rule = |n, d, comparison| MajorityRule {
            base: Base::AllMembers,
            threshold: Fraction::new(n, d),
            comparison,
            quorum: None,
        };
        assert_eq!(yes_needed(&rule(1, 2, Comparison::MoreThan), 35), Some(18));
        assert_eq!(yes_needed(&rule(2, 3, Comparison::AtLeast), 35), Some(24));
        let counted_by_ballots = MajorityRule {
            base: Base::Cast,
            ..rule(1, 2, Comparison::MoreThan)
        };
        assert_eq!(yes_needed(&counted_by_ballots, 35), None);
        assert_eq!(yes_needed(&rule(1, 2, Comparison::MoreThan), 0), None);
    }

    fn marked(form: &BallotForm, members: u32, ballots: &[&[u8]]) -> Tally {
        let mut tally = Tally::new(form, members, members);
        for marks in ballots {
            tally.add(&phonghop_protocol::Vote::Marks(marks.to_vec()));
        }
        tally
    }

    fn names(count: usize) -> Vec<String> {
        (1..=count).map(|n| format!("Ứng cử viên {n}")).collect()
    }

    #[test]
    fn an_election_takes_the_most_marked_who_reach_the_share_and_no_one_tied_for_the_last_seat() {
        use LineOutcome::{NotReached, Reached, Tied};
        let resolution = MajorityRule::default();
        let form = BallotForm::Election {
            candidates: names(4),
            seats: 2,
        };
        // 9 members, more than half of all: 5 marks elect. Candidates 1 (7), 2 (6) and 3 (5)
        // reach it; 1 and 2 take the two seats, 3 is left out; 4 never had a mark.
        let mut ballots: Vec<&[u8]> = vec![&[1, 1, 0, 0]; 4];
        ballots.extend([&[1, 0, 1, 0][..]; 3]);
        ballots.extend([&[0, 1, 1, 0][..]; 2]);
        let tally = marked(&form, 9, &ballots);
        assert_eq!(tally.counts[0], vec![2, 7]);
        assert_eq!(tally.cast(), 9);
        assert_eq!(
            line_outcomes(&form, &resolution, &tally),
            Ok((Outcome::Passed, vec![Reached, Reached, NotReached, NotReached]))
        );
        // Candidate 1 has 4; candidates 2 and 3 both have 3 for the second seat: neither is
        // elected.
        let ballots: [&[u8]; 5] = [
            &[1, 1, 0, 0],
            &[1, 1, 0, 0],
            &[1, 0, 1, 0],
            &[1, 0, 1, 0],
            &[0, 1, 1, 0],
        ];
        let tally = marked(&form, 5, &ballots);
        assert_eq!(
            line_outcomes(&form, &resolution, &tally),
            Ok((Outcome::Passed, vec![Reached, Tied, Tied, NotReached]))
        );
        // No one reaches more than half of all members: no one is elected.
        let ballots: [&[u8]; 5] = [
            &[1, 0, 0, 0],
            &[1, 0, 0, 0],
            &[0, 1, 0, 0],
            &[0, 1, 0, 0],
            &[0, 0, 0, 0],
        ];
        assert_eq!(
            line_outcomes(&form, &resolution, &marked(&form, 5, &ballots)),
            Ok((Outcome::Rejected, vec![NotReached; 4]))
        );
        // Two of five present: no quorum, no line decided.
        let mut tally = marked(&form, 5, &ballots[..2]);
        tally.present = 2;
        assert_eq!(
            line_outcomes(&form, &resolution, &tally),
            Ok((Outcome::NoQuorum, vec![]))
        );
    }

    #[test]
    fn yes_no_per_candidate_counts_the_yes_marks_and_a_confidence_vote_the_low_ones() {
        use LineOutcome::{NotReached, Reached};
        let resolution = MajorityRule::default();
        let form = BallotForm::YesNoEach {
            candidates: names(2),
            seats: 2,
        };
        let ballots: [&[u8]; 4] = [&[0, 1], &[0, 2], &[0, 0], &[1, 0]];
        assert_eq!(
            line_outcomes(&form, &resolution, &marked(&form, 5, &ballots)),
            Ok((Outcome::Passed, vec![Reached, NotReached]))
        );
        // 35 members: 18 rating low is more than half; 17 is not.
        let form = BallotForm::Confidence { persons: names(2) };
        let mut ballots: Vec<Vec<u8>> = vec![vec![2, 2]; 17];
        ballots.push(vec![2, 0]);
        ballots.extend(vec![vec![1, 1]; 10]);
        let ballots: Vec<&[u8]> = ballots.iter().map(Vec::as_slice).collect();
        let tally = marked(&form, 35, &ballots);
        assert_eq!(tally.counts[0], vec![0, 10, 18]);
        assert_eq!(tally.counts[1], vec![1, 10, 17]);
        assert_eq!(
            line_outcomes(&form, &resolution, &tally),
            Ok((Outcome::Passed, vec![Reached, NotReached]))
        );
    }
}
