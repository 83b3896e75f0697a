//! How a record says things in Vietnamese: a rule, an outcome, a choice, a ballot's form, its
//! marks and how a line came out, a share of the members (exact, with a decimal comma) and a time
//! in Vietnam (UTC+7).

use chrono::{DateTime, FixedOffset};
use phonghop_protocol::{BallotForm, Base, Choice, Comparison, Fraction, LineOutcome, MajorityRule, Outcome, Secrecy};

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

/// The rule's share, or when `reached` is false its exact opposite: "quá nửa tổng số đại
/// biểu" or "không quá nửa tổng số đại biểu", "ít nhất hai phần ba …" or "dưới hai phần ba …".
pub fn threshold(rule: &MajorityRule, reached: bool) -> String {
    let comparison = match (rule.comparison, reached) {
        (Comparison::MoreThan, true) => "quá",
        (Comparison::MoreThan, false) => "không quá",
        (Comparison::AtLeast, true) => "ít nhất",
        (Comparison::AtLeast, false) => "dưới",
    };
    format!("{comparison} {} {}", fraction(rule.threshold), base(rule.base))
}

/// "Quá nửa tổng số đại biểu; cần ít nhất hai phần ba tổng số đại biểu có mặt".
pub fn rule(rule: &MajorityRule) -> String {
    let quorum = match rule.quorum {
        Some(quorum) => format!("cần ít nhất {} tổng số đại biểu có mặt", fraction(quorum)),
        None => "không cần số đại biểu tối thiểu có mặt".into(),
    };
    format!("{}; {quorum}", capitalised(&threshold(rule, true)))
}

/// `text` with its first letter a capital: "ít nhất" → "Ít nhất".
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
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

/// A ballot's form as the record names it: "Bầu cử (chọn tối đa 2 trong 3)".
pub fn form(form: &BallotForm) -> String {
    let lines = form.lines().len();
    match form {
        BallotForm::Motion => "Biểu quyết tán thành, không tán thành".into(),
        BallotForm::Options { max_picks, .. } => {
            format!("Biểu quyết theo phương án (chọn tối đa {max_picks} trong {lines})")
        }
        BallotForm::Election { seats, .. } => format!("Bầu cử (chọn tối đa {seats} trong {lines})"),
        BallotForm::YesNoEach { seats, .. } => {
            format!("Bầu cử (đồng ý/không đồng ý từng người, bầu tối đa {seats} trong {lines})")
        }
        BallotForm::Confidence { .. } => format!("Lấy phiếu tín nhiệm ({lines} người)"),
    }
}

/// What the seats of a form are, for the CSV's `so_toi_da` row.
pub fn seats(form: &BallotForm) -> &'static str {
    match form {
        BallotForm::Options { .. } => "số phương án được chọn nhiều nhất",
        _ => "số người trúng cử nhiều nhất",
    }
}

/// What a mark on a line of `form` says, and its code in the CSV. A mark the form does not
/// have (the server refuses such ballots) is named as invalid rather than guessed at.
pub fn mark(form: &BallotForm, mark: u8) -> (&'static str, &'static str) {
    match (form, mark) {
        (BallotForm::Options { .. }, 1) => ("Chọn", "chon"),
        (BallotForm::Options { .. }, 0) => ("Không chọn", "khong_chon"),
        (BallotForm::Election { .. }, 1) => ("Bầu", "bau"),
        (BallotForm::Election { .. }, 0) => ("Không bầu", "khong_bau"),
        (BallotForm::YesNoEach { .. }, 0) => ("Đồng ý", "dong_y"),
        (BallotForm::YesNoEach { .. }, 1) => ("Không đồng ý", "khong_dong_y"),
        (BallotForm::YesNoEach { .. }, 2) => ("Không biểu quyết", "khong_bieu_quyet"),
        (BallotForm::Confidence { .. }, 0) => ("Tín nhiệm cao", "tin_nhiem_cao"),
        (BallotForm::Confidence { .. }, 1) => ("Tín nhiệm", "tin_nhiem"),
        (BallotForm::Confidence { .. }, 2) => ("Tín nhiệm thấp", "tin_nhiem_thap"),
        _ => ("Không hợp lệ", "khong_hop_le"),
    }
}

/// What the lines of `form` are, in the plural: "phương án", "người".
pub fn lines_noun(form: &BallotForm) -> &'static str {
    match form {
        BallotForm::Motion | BallotForm::Options { .. } => "phương án",
        _ => "người",
    }
}

/// How one line came out under `rule`: "Trúng cử", "Được chọn", or for a confidence vote
/// "Quá nửa tổng số đại biểu đánh giá tín nhiệm thấp" and its opposite.
pub fn line_outcome(form: &BallotForm, rule: &MajorityRule, outcome: LineOutcome) -> String {
    match (form, outcome) {
        // No seats in a confidence vote, so no tie for one: a tied line reached the share.
        (BallotForm::Confidence { .. }, outcome) => format!(
            "{} đánh giá tín nhiệm thấp",
            capitalised(&threshold(rule, outcome != LineOutcome::NotReached))
        ),
        (BallotForm::Election { .. } | BallotForm::YesNoEach { .. }, LineOutcome::Reached) => "Trúng cử".into(),
        (BallotForm::Election { .. } | BallotForm::YesNoEach { .. }, LineOutcome::NotReached) => {
            "Không trúng cử".into()
        }
        (BallotForm::Election { .. } | BallotForm::YesNoEach { .. }, LineOutcome::Tied) => {
            "Bằng phiếu – phải bầu lại".into()
        }
        (_, LineOutcome::Reached) => "Được chọn".into(),
        (_, LineOutcome::NotReached) => "Không được chọn".into(),
        (_, LineOutcome::Tied) => "Bằng phiếu – phải biểu quyết lại".into(),
    }
}

/// A line's outcome's code in the CSV: its name on the wire.
pub fn line_outcome_code(outcome: LineOutcome) -> &'static str {
    match outcome {
        LineOutcome::Reached => "reached",
        LineOutcome::NotReached => "not_reached",
        LineOutcome::Tied => "tied",
    }
}

/// The outcome of a poll of any form, from its lines where it has them: "2 NGƯỜI TRÚNG CỬ",
/// "KHÔNG CÓ PHƯƠNG ÁN NÀO ĐƯỢC CHỌN; 2 PHƯƠNG ÁN BẰNG PHIẾU, PHẢI BIỂU QUYẾT LẠI", "1 NGƯỜI CÓ
/// QUÁ NỬA TỔNG SỐ ĐẠI BIỂU ĐÁNH GIÁ TÍN NHIỆM THẤP"; a motion's as [`outcome`].
pub fn poll_outcome(form: &BallotForm, rule: &MajorityRule, outcome: Outcome, lines: &[LineOutcome]) -> String {
    if outcome == Outcome::NoQuorum {
        return self::outcome(outcome).into();
    }
    let number = |wanted: LineOutcome| lines.iter().filter(|line| **line == wanted).count();
    let (reached, tied) = (number(LineOutcome::Reached), number(LineOutcome::Tied));
    let (adopted, none, again) = match form {
        BallotForm::Motion => return self::outcome(outcome).into(),
        BallotForm::Confidence { .. } => {
            let share = threshold(rule, true).to_uppercase();
            return match reached + tied {
                0 => format!("KHÔNG NGƯỜI NÀO CÓ {share} ĐÁNH GIÁ TÍN NHIỆM THẤP"),
                low => format!("{low} NGƯỜI CÓ {share} ĐÁNH GIÁ TÍN NHIỆM THẤP"),
            };
        }
        BallotForm::Options { .. } => (
            "PHƯƠNG ÁN ĐƯỢC CHỌN",
            "KHÔNG CÓ PHƯƠNG ÁN NÀO ĐƯỢC CHỌN",
            "PHƯƠNG ÁN BẰNG PHIẾU, PHẢI BIỂU QUYẾT LẠI",
        ),
        BallotForm::Election { .. } | BallotForm::YesNoEach { .. } => (
            "NGƯỜI TRÚNG CỬ",
            "KHÔNG CÓ NGƯỜI TRÚNG CỬ",
            "NGƯỜI BẰNG PHIẾU, PHẢI BẦU LẠI",
        ),
    };
    let result = match reached {
        0 => none.to_owned(),
        reached => format!("{reached} {adopted}"),
    };
    match tied {
        0 => result,
        tied => format!("{result}; {tied} {again}"),
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
    fn a_confidence_vote_says_the_rules_share_and_its_exact_opposite() {
        let form = BallotForm::Confidence { persons: vec![] };
        let mut rule = MajorityRule::default();
        assert_eq!(
            line_outcome(&form, &rule, LineOutcome::Reached),
            "Quá nửa tổng số đại biểu đánh giá tín nhiệm thấp"
        );
        assert_eq!(
            line_outcome(&form, &rule, LineOutcome::NotReached),
            "Không quá nửa tổng số đại biểu đánh giá tín nhiệm thấp"
        );
        rule.threshold = Fraction::new(2, 3);
        rule.comparison = Comparison::AtLeast;
        assert_eq!(
            line_outcome(&form, &rule, LineOutcome::NotReached),
            "Dưới hai phần ba tổng số đại biểu đánh giá tín nhiệm thấp"
        );
        assert_eq!(
            poll_outcome(
                &form,
                &rule,
                Outcome::Passed,
                &[LineOutcome::Reached, LineOutcome::NotReached]
            ),
            "1 NGƯỜI CÓ ÍT NHẤT HAI PHẦN BA TỔNG SỐ ĐẠI BIỂU ĐÁNH GIÁ TÍN NHIỆM THẤP"
        );
    }

    #[test]
    fn an_elections_outcome_counts_the_elected_and_the_tied() {
        let form = BallotForm::Election {
            candidates: vec![],
            seats: 2,
        };
        let rule = MajorityRule::default();
        use LineOutcome::{NotReached, Reached, Tied};
        assert_eq!(
            poll_outcome(&form, &rule, Outcome::Passed, &[Reached, Tied, Tied]),
            "1 NGƯỜI TRÚNG CỬ; 2 NGƯỜI BẰNG PHIẾU, PHẢI BẦU LẠI"
        );
        assert_eq!(
            poll_outcome(&form, &rule, Outcome::Rejected, &[NotReached, NotReached]),
            "KHÔNG CÓ NGƯỜI TRÚNG CỬ"
        );
        assert_eq!(
            poll_outcome(&form, &rule, Outcome::NoQuorum, &[]),
            "KHÔNG ĐỦ SỐ ĐẠI BIỂU CÓ MẶT"
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
