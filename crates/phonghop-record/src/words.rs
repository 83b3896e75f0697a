//! How a record says things in Vietnamese: a rule, an outcome, a choice, a share of the members
//! (exact, with a decimal comma) and a time in Vietnam (UTC+7).

use chrono::{DateTime, FixedOffset};
use phonghop_protocol::{Base, Choice, Comparison, Fraction, MajorityRule, Outcome, Secrecy};

/// A fraction in words where it has them, else `n/d`.
pub fn fraction(fraction: Fraction) -> String {
    match (fraction.numerator, fraction.denominator) {
        (1, 2) => "nửa".into(),
        (2, 3) => "hai phần ba".into(),
        (3, 4) => "ba phần tư".into(),
        (numerator, denominator) => format!("{numerator}/{denominator}"),
    }
}

fn base(base: Base) -> &'static str {
    match base {
        Base::AllMembers => "tổng số đại biểu",
        Base::Present => "số đại biểu có mặt",
        Base::Cast => "số phiếu biểu quyết",
        Base::YesNo => "số phiếu tán thành và không tán thành",
    }
}

/// "Quá nửa tổng số đại biểu; cần ít nhất hai phần ba tổng số đại biểu có mặt".
pub fn rule(rule: &MajorityRule) -> String {
    let comparison = match rule.comparison {
        Comparison::MoreThan => "Quá",
        Comparison::AtLeast => "Ít nhất",
    };
    let quorum = match rule.quorum {
        Some(quorum) => format!("cần ít nhất {} tổng số đại biểu có mặt", fraction(quorum)),
        None => "không cần số đại biểu tối thiểu có mặt".into(),
    };
    format!(
        "{comparison} {} {}; {quorum}",
        fraction(rule.threshold),
        base(rule.base)
    )
}

pub fn outcome(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "THÔNG QUA",
        Outcome::Rejected => "KHÔNG THÔNG QUA",
        Outcome::NoQuorum => "KHÔNG ĐỦ SỐ ĐẠI BIỂU CÓ MẶT",
    }
}

/// The outcome's code in the CSV.
pub fn outcome_code(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Rejected => "rejected",
        Outcome::NoQuorum => "no_quorum",
    }
}

/// A poll's kind as the record names it, and its code in the CSV.
pub fn secrecy(secrecy: Secrecy) -> (&'static str, &'static str) {
    match secrecy {
        Secrecy::Named => ("Biểu quyết công khai", "cong_khai"),
        Secrecy::Secret => ("Bỏ phiếu kín", "bo_phieu_kin"),
    }
}

/// A choice as the record names it; `None`: on the roll but did not vote.
pub fn choice(choice: Option<Choice>) -> &'static str {
    match choice {
        Some(Choice::Yes) => "Tán thành",
        Some(Choice::No) => "Không tán thành",
        Some(Choice::Abstain) => "Không biểu quyết",
        None => "Chưa biểu quyết",
    }
}

/// A choice's code in the CSV.
pub fn choice_code(choice: Option<Choice>) -> &'static str {
    match choice {
        Some(Choice::Yes) => "tan_thanh",
        Some(Choice::No) => "khong_tan_thanh",
        Some(Choice::Abstain) => "khong_bieu_quyet",
        None => "chua_bieu_quyet",
    }
}

/// `count` of `members` as a percentage with two decimals and a decimal comma, rounded half up
/// in integers: 20 of 35 → "57,14%".
pub fn share(count: u32, members: u32) -> String {
    if members == 0 {
        return "0,00%".into();
    }
    let hundredths = (u64::from(count) * 10_000 + u64::from(members) / 2) / u64::from(members);
    format!("{},{:02}%", hundredths / 100, hundredths % 100)
}

/// Vietnam's time (UTC+7, no daylight saving).
fn vietnam(unix_seconds: i64) -> Option<DateTime<FixedOffset>> {
    let offset = FixedOffset::east_opt(7 * 3600)?;
    DateTime::from_timestamp(unix_seconds, 0).map(|time| time.with_timezone(&offset))
}

/// "08:15:02 ngày 01/12/2026".
pub fn time(unix_seconds: i64) -> String {
    vietnam(unix_seconds).map_or_else(String::new, |time| time.format("%H:%M:%S ngày %d/%m/%Y").to_string())
}

/// RFC 3339 in Vietnam's time: "2026-12-01T08:15:02+07:00".
pub fn time_code(unix_seconds: i64) -> String {
    vietnam(unix_seconds).map_or_else(String::new, |time| time.to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_council_resolution_reads_as_the_law_says_it() {
        assert_eq!(
            rule(&MajorityRule::default()),
            "Quá nửa tổng số đại biểu; cần ít nhất hai phần ba tổng số đại biểu có mặt"
        );
    }

    #[test]
    fn shares_are_exact_with_a_decimal_comma() {
        assert_eq!(share(20, 35), "57,14%");
        assert_eq!(share(24, 35), "68,57%");
        assert_eq!(share(1, 3), "33,33%");
        assert_eq!(share(2, 3), "66,67%");
        assert_eq!(share(35, 35), "100,00%");
        assert_eq!(share(0, 0), "0,00%");
    }

    #[test]
    fn times_are_in_vietnam() {
        // 2026-12-01 01:15:02 UTC.
        assert_eq!(time(1_796_087_702), "08:15:02 ngày 01/12/2026");
        assert_eq!(time_code(1_796_087_702), "2026-12-01T08:15:02+07:00");
    }
}
