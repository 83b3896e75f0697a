//! The record as CSV: one fact per row (`muc`, `gia_tri`, `chi_tiet`), codes in ASCII, values in
//! Vietnamese, and for a named poll one `phieu` row per member on the roll (none for a secret
//! poll).

use phonghop_protocol::{Choice, Outcome};

use crate::{by_choice, words, RecordError, RecordFacts};

pub(crate) fn body(facts: &RecordFacts, outcome: Outcome) -> Result<Vec<u8>, RecordError> {
    let poll = &facts.poll;
    let tally = &poll.tally;
    let mut rows: Vec<[String; 3]> = Vec::new();
    let mut row = |what: &str, value: String, detail: String| rows.push([what.to_owned(), value, detail]);
    row("bien_ban", "BIÊN BẢN KẾT QUẢ BIỂU QUYẾT".into(), String::new());
    row(
        "ky_hop",
        facts.meeting.title.clone(),
        [facts.meeting.location.as_str(), facts.meeting.starts_at.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
    );
    row("noi_dung", facts.item_title.clone(), String::new());
    row("cau_hoi", poll.title.clone(), format!("biểu quyết số {}", poll.id.0));
    let (kind, kind_code) = words::secrecy(poll.secrecy);
    row("hinh_thuc", kind.into(), kind_code.into());
    let basis = poll.basis.as_ref();
    let rule_name = match basis.map(|basis| basis.name.as_str()) {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => "Quy tắc do chủ tọa đặt".into(),
    };
    row("quy_tac", rule_name, words::rule(&poll.rule));
    if let Some(source) = basis.and_then(|basis| basis.source.as_ref()) {
        row(
            "can_cu",
            source.law.clone(),
            source.article.clone().unwrap_or_else(|| "chưa ghi điều, khoản".into()),
        );
    }
    if let Some(reason) = &poll.quorum_override {
        row(
            "mo_khi_chua_du_so",
            reason.clone(),
            "chủ tọa mở khi chưa đủ số đại biểu có mặt".into(),
        );
    }
    row("tong_so_dai_bieu", tally.members.to_string(), String::new());
    row(
        "co_mat",
        tally.present.to_string(),
        format!("{} tổng số đại biểu", words::share(tally.present, tally.members)),
    );
    for choice in [Choice::Yes, Choice::No, Choice::Abstain] {
        let count = tally.count(choice);
        row(
            words::choice_code(Some(choice)),
            count.to_string(),
            format!("{} tổng số đại biểu", words::share(count, tally.members)),
        );
    }
    row(
        words::choice_code(None),
        (tally.members - tally.cast().min(tally.members)).to_string(),
        String::new(),
    );
    row(
        "ket_qua",
        words::outcome(outcome).into(),
        words::outcome_code(outcome).into(),
    );
    row("mo_luc", words::time_code(facts.opened_at), String::new());
    row("ket_thuc_luc", words::time_code(facts.closed_at), String::new());
    for (choice, members) in by_choice(&facts.roll) {
        for member in members {
            row("phieu", member.full_name.clone(), words::choice_code(choice).into());
        }
    }

    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["muc", "gia_tri", "chi_tiet"])
        .map_err(|error| RecordError::Csv(error.to_string()))?;
    for row in rows {
        writer
            .write_record(&row)
            .map_err(|error| RecordError::Csv(error.to_string()))?;
    }
    writer.into_inner().map_err(|error| RecordError::Csv(error.to_string()))
}
