//! The record as CSV: one fact per row (`muc`, `gia_tri`, `chi_tiet`), codes in ASCII, values in
//! Vietnamese, and for a named poll one `phieu` row per member on the roll (none for a secret
//! poll).
//!
//! Every record has `bien_ban`, `ky_hop`, `noi_dung`, `cau_hoi`, `hinh_thuc`, `quy_tac` (with
//! `can_cu` and `mo_khi_chua_du_so` where they apply), `tong_so_dai_bieu`, `co_mat`,
//! `chua_bieu_quyet`, `ket_qua` (coded `passed`, `rejected` or `no_quorum`), `mo_luc` and
//! `ket_thuc_luc`. A motion counts its choices in `tan_thanh`, `khong_tan_thanh` and
//! `khong_bieu_quyet`, and its `phieu` rows carry the member's choice. A poll of another form
//! (options, an election, a confidence vote) has instead:
//!
//! - `loai_phieu`: the form in words, coded as on the wire (`options`, `election`,
//!   `yes_no_each`, `confidence`), after `hinh_thuc`;
//! - `so_toi_da`: at most how many options the count adopts or candidates it elects (none for a
//!   confidence vote);
//! - `so_phieu`: the ballots cast, with their share of all members;
//! - for each line `n` of the ballot (from 1, in its order): `dong_<n>`, the option, candidate
//!   or person; `dong_<n>_<mark>`, the count of each mark with its share of all members, the
//!   marks being `chon`, `khong_chon` (options), `bau`, `khong_bau` (election), `dong_y`,
//!   `khong_dong_y`, `khong_bieu_quyet` (yes or no per candidate), `tin_nhiem_cao`, `tin_nhiem`,
//!   `tin_nhiem_thap` (confidence); and `dong_<n>_ket_qua`, how the line came out, coded
//!   `reached`, `not_reached` or `tied` (no such row when the quorum was not reached);
//! - `ket_qua` in words of the form ("2 NGƯỜI TRÚNG CỬ"), coded as for a motion;
//! - `phieu` rows whose detail is the member's marks, one mark code per line in the ballot's
//!   order joined by `;` (`bau;khong_bau;bau`), or `chua_bieu_quyet`, those who voted first.

use phonghop_protocol::{BallotForm, Choice, Outcome, Vote};

use crate::{by_choice, line_count, marks_in_order, not_voted, words, RecordError, RecordFacts};

/// The rows of the record, each what it states, its value and a detail.
#[derive(Default)]
struct Rows(Vec<[String; 3]>);

impl Rows {
    fn row(&mut self, what: &str, value: impl Into<String>, detail: impl Into<String>) {
        self.0.push([what.to_owned(), value.into(), detail.into()]);
    }

    /// A count, with its share of all `members`.
    fn count(&mut self, what: &str, count: u32, members: u32) {
        self.row(
            what,
            count.to_string(),
            format!("{} tổng số đại biểu", words::share(count, members)),
        );
    }
}

pub(crate) fn body(facts: &RecordFacts, outcome: Outcome) -> Result<Vec<u8>, RecordError> {
    let poll = &facts.poll;
    let tally = &poll.tally;
    let form = &poll.ballot;
    let mut rows = Rows::default();
    rows.row("bien_ban", "BIÊN BẢN KẾT QUẢ BIỂU QUYẾT", "");
    rows.row(
        "ky_hop",
        facts.meeting.title.clone(),
        [facts.meeting.location.as_str(), facts.meeting.starts_at.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
    );
    rows.row("noi_dung", facts.item_title.clone(), "");
    rows.row("cau_hoi", poll.title.clone(), format!("biểu quyết số {}", poll.id.0));
    let (kind, kind_code) = words::secrecy(poll.secrecy);
    rows.row("hinh_thuc", kind, kind_code);
    if *form != BallotForm::Motion {
        rows.row("loai_phieu", words::form(form), form.as_str());
    }
    if let Some(seats) = form.seats() {
        rows.row("so_toi_da", seats.to_string(), words::seats(form));
    }
    let basis = poll.basis.as_ref();
    let rule_name = match basis.map(|basis| basis.name.as_str()) {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => "Quy tắc do chủ tọa đặt".into(),
    };
    rows.row("quy_tac", rule_name, words::rule(&poll.rule));
    if let Some(source) = basis.and_then(|basis| basis.source.as_ref()) {
        rows.row(
            "can_cu",
            source.law.clone(),
            source.article.clone().unwrap_or_else(|| "chưa ghi điều, khoản".into()),
        );
    }
    if let Some(reason) = &poll.quorum_override {
        rows.row(
            "mo_khi_chua_du_so",
            reason.clone(),
            "chủ tọa mở khi chưa đủ số đại biểu có mặt",
        );
    }
    rows.row("tong_so_dai_bieu", tally.members.to_string(), "");
    rows.count("co_mat", tally.present, tally.members);
    let not_voted_count = (tally.members - tally.cast().min(tally.members)).to_string();
    if *form == BallotForm::Motion {
        for choice in [Choice::Yes, Choice::No, Choice::Abstain] {
            rows.count(words::choice_code(Some(choice)), tally.count(choice), tally.members);
        }
        rows.row(words::choice_code(None), not_voted_count, "");
    } else {
        rows.count("so_phieu", tally.cast(), tally.members);
        rows.row(words::choice_code(None), not_voted_count, "");
        lines(&mut rows, facts);
    }
    rows.row(
        "ket_qua",
        words::poll_outcome(form, &poll.rule, outcome, &poll.line_outcomes),
        words::outcome_code(outcome),
    );
    rows.row("mo_luc", words::time_code(facts.opened_at), "");
    rows.row("ket_thuc_luc", words::time_code(facts.closed_at), "");
    if *form == BallotForm::Motion {
        for (choice, members) in by_choice(&facts.roll) {
            for member in members {
                rows.row("phieu", member.full_name.clone(), words::choice_code(choice));
            }
        }
    } else {
        marked_ballots(&mut rows, facts);
    }

    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["muc", "gia_tri", "chi_tiet"])
        .map_err(|error| RecordError::Csv(error.to_string()))?;
    for row in rows.0 {
        writer
            .write_record(&row)
            .map_err(|error| RecordError::Csv(error.to_string()))?;
    }
    writer.into_inner().map_err(|error| RecordError::Csv(error.to_string()))
}

/// Each line of a ballot of a form other than a motion: its name, the count of each mark and,
/// when the poll counted, how it came out.
fn lines(rows: &mut Rows, facts: &RecordFacts) {
    let poll = &facts.poll;
    let form = &poll.ballot;
    for (line, name) in form.lines().iter().enumerate() {
        let number = line + 1;
        rows.row(&format!("dong_{number}"), name.clone(), "");
        for mark in marks_in_order(form) {
            let code = words::mark(form, mark).1;
            rows.count(
                &format!("dong_{number}_{code}"),
                line_count(&poll.tally, line, mark),
                poll.tally.members,
            );
        }
        if let Some(outcome) = poll.line_outcomes.get(line) {
            rows.row(
                &format!("dong_{number}_ket_qua"),
                words::line_outcome(form, &poll.rule, *outcome),
                words::line_outcome_code(*outcome),
            );
        }
    }
}

/// One `phieu` row per member on a named poll's roll: their marks, one code per line, or that
/// they did not vote.
fn marked_ballots(rows: &mut Rows, facts: &RecordFacts) {
    let form = &facts.poll.ballot;
    for member in &facts.roll {
        let detail = match &member.vote {
            None => continue,
            Some(Vote::Marks(marks)) => marks
                .iter()
                .map(|mark| words::mark(form, *mark).1)
                .collect::<Vec<_>>()
                .join(";"),
            // A motion's ballot in a poll of another form: the server accepts none, but the
            // record states what the roll holds rather than hide a member.
            Some(Vote::Choice(choice)) => words::choice_code(Some(*choice)).to_owned(),
        };
        rows.row("phieu", member.full_name.clone(), detail);
    }
    for member in not_voted(&facts.roll) {
        rows.row("phieu", member.full_name.clone(), words::choice_code(None));
    }
}
