//! The record of a closed poll read back: poppler's `pdftotext` gives the Vietnamese text and
//! the numbers back from the PDF, the CSV holds every fact and every name under its choice, both
//! verify with the server's key, and a changed byte does not.

use std::process::Command;

use phonghop_protocol::{
    BallotForm, Base, Choice, Comparison, Fraction, LegalSource, MajorityRule, Meeting, MeetingId, MeetingKind,
    Outcome, Poll, PollId, PollState, RuleBasis, Secrecy, Tally, Vote,
};
use phonghop_record::{make, verify, RecordFacts, RecordFormat, RecordKey, RollLine, VerifyError};

/// 35 members, 33 present: 20 yes, 10 no, 3 abstain, 2 did not vote.
fn facts() -> RecordFacts {
    let choices = std::iter::repeat_n(Some(Choice::Yes), 20)
        .chain(std::iter::repeat_n(Some(Choice::No), 10))
        .chain(std::iter::repeat_n(Some(Choice::Abstain), 3))
        .chain(std::iter::repeat_n(None, 2));
    let roll = choices
        .enumerate()
        .map(|(index, choice)| RollLine {
            full_name: format!("Nguyễn Thị Đại Biểu Số {:02}", index + 1),
            position: if index == 0 {
                "Chủ tịch HĐND".into()
            } else {
                String::new()
            },
            vote: choice.map(Vote::Choice),
        })
        .collect();
    RecordFacts {
        meeting: Meeting {
            id: MeetingId(1),
            title: "Kỳ họp thứ Mười hai, Hội đồng nhân dân xã Quyết Thắng".into(),
            location: "Hội trường Ủy ban nhân dân xã".into(),
            starts_at: "2026-12-01 08:00".into(),
            kind: MeetingKind::CouncilSitting,
        },
        item_title: "Dự thảo Nghị quyết về phòng họp không giấy".into(),
        poll: Poll {
            id: PollId(3),
            item_id: phonghop_protocol::ItemId(2),
            title: "Biểu quyết thông qua Nghị quyết".into(),
            ballot: BallotForm::Motion,
            secrecy: Secrecy::Named,
            changeable: false,
            quorum_override: None,
            rule: MajorityRule {
                base: Base::AllMembers,
                threshold: Fraction::new(1, 2),
                comparison: Comparison::MoreThan,
                quorum: Some(Fraction::new(2, 3)),
            },
            basis: Some(RuleBasis {
                preset: Some("resolution".into()),
                name: "Thông qua nghị quyết".into(),
                source: Some(LegalSource {
                    law: "Luật Tổ chức chính quyền địa phương 2025".into(),
                    article: None,
                }),
            }),
            closes_at: None,
            state: PollState::Closed,
            tally: Tally {
                members: 35,
                present: 33,
                yes: 20,
                no: 10,
                abstain: 3,
                sealed: 0,
                counts: vec![],
            },
            outcome: Some(Outcome::Passed),
            line_outcomes: vec![],
            cancel_reason: None,
        },
        opened_at: 1_796_087_702,
        closed_at: 1_796_087_822,
        roll,
    }
}

fn key() -> RecordKey {
    RecordKey::from_seed([42; 32])
}

fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a dir");
    let path = dir.path().join("bien-ban.pdf");
    std::fs::write(&path, pdf).expect("written");
    let output = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (install poppler-utils: cargo xtask setup)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8 text")
}

#[test]
fn pdftotext_gives_back_the_vietnamese_text_and_the_numbers() {
    let record = make(&facts(), &key()).expect("a record");
    let text = pdftotext(&record.pdf);
    for expected in [
        "BIÊN BẢN KẾT QUẢ BIỂU QUYẾT",
        "Kỳ họp thứ Mười hai, Hội đồng nhân dân xã Quyết Thắng",
        "Dự thảo Nghị quyết về phòng họp không giấy",
        "Biểu quyết thông qua Nghị quyết (số 3)",
        "Biểu quyết công khai",
        "Thông qua nghị quyết: Quá nửa tổng số đại biểu",
        "Luật Tổ chức chính quyền địa phương 2025, chưa ghi điều",
        "08:15:02 ngày 01/12/2026",
        "08:17:02 ngày 01/12/2026",
        "KẾT QUẢ: THÔNG QUA",
        "57,14%",
        "Tán thành (20):",
        "Không tán thành (10):",
        "Không biểu quyết (3):",
        "Chưa biểu quyết (2):",
        "Nguyễn Thị Đại Biểu Số 01 — Chủ tịch HĐND",
        "Nguyễn Thị Đại Biểu Số 35",
        &key().fingerprint(),
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is not in the PDF's text:\n{text}"
        );
    }
    let counts: Vec<(&str, &str)> = [
        ("Tổng số đại biểu", "35"),
        ("Có mặt", "33"),
        ("Tán thành", "20"),
        ("Không tán thành", "10"),
        ("Không biểu quyết", "3"),
        ("Chưa biểu quyết", "2"),
    ]
    .into_iter()
    .collect();
    for (label, number) in counts {
        let line = text
            .lines()
            .find(|line| line.trim_start().starts_with(label) && !line.contains('('))
            .unwrap_or_else(|| panic!("no line for {label:?} in:\n{text}"));
        assert!(
            line.split_whitespace().any(|word| word == number),
            "{label}: {line:?} lacks {number}"
        );
    }
}

#[test]
fn the_csv_states_every_fact_and_every_name_under_its_choice() {
    let record = make(&facts(), &key()).expect("a record");
    let text = String::from_utf8(record.csv.clone()).expect("UTF-8");
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
        .records()
        .map(|row| row.expect("a row").iter().map(str::to_owned).collect())
        .collect();
    let value = |what: &str| {
        rows.iter()
            .find(|row| row[0] == what)
            .map(|row| row[1].clone())
            .unwrap_or_else(|| panic!("no {what} row"))
    };
    assert_eq!(value("tong_so_dai_bieu"), "35");
    assert_eq!(value("co_mat"), "33");
    assert_eq!(value("tan_thanh"), "20");
    assert_eq!(value("khong_tan_thanh"), "10");
    assert_eq!(value("khong_bieu_quyet"), "3");
    assert_eq!(value("chua_bieu_quyet"), "2");
    assert_eq!(value("ket_qua"), "THÔNG QUA");
    assert_eq!(value("mo_luc"), "2026-12-01T08:15:02+07:00");
    assert_eq!(value("can_cu"), "Luật Tổ chức chính quyền địa phương 2025");
    let ballots: Vec<&Vec<String>> = rows.iter().filter(|row| row[0] == "phieu").collect();
    assert_eq!(ballots.len(), 35);
    assert_eq!(ballots.iter().filter(|row| row[2] == "tan_thanh").count(), 20);
    assert_eq!(ballots.iter().filter(|row| row[2] == "chua_bieu_quyet").count(), 2);
    let pdf_text = pdftotext(&record.pdf);
    let csv_body_sha = verify(&record.csv, None).expect("verifies").sha256;
    assert!(pdf_text.contains(&csv_body_sha), "the PDF prints the CSV's SHA-256");
}

#[test]
fn both_files_verify_with_the_servers_key_and_fail_when_a_byte_changes() {
    let record = make(&facts(), &key()).expect("a record");
    for (bytes, format) in [(&record.csv, RecordFormat::Csv), (&record.pdf, RecordFormat::Pdf)] {
        let verified = verify(bytes, Some(&key().public_hex())).expect("verifies");
        assert_eq!(verified.format, format);
        // A byte in the middle of the content: a count, a name or a PDF stream.
        let mut changed = bytes.clone();
        let at = changed.len() / 2;
        changed[at] = changed[at].wrapping_add(1);
        assert!(
            matches!(
                verify(&changed, Some(&key().public_hex())),
                Err(VerifyError::Changed { .. })
            ),
            "{format:?} with byte {at} changed"
        );
    }
    let other = RecordKey::from_seed([1; 32]);
    assert!(matches!(
        verify(&record.pdf, Some(&other.public_hex())),
        Err(VerifyError::OtherKey { .. })
    ));
}

#[test]
fn a_long_roll_runs_onto_more_pages() {
    let mut many = facts();
    many.roll = (0..500)
        .map(|index| RollLine {
            full_name: format!("Đại biểu Quốc hội số {index}"),
            position: String::new(),
            vote: Some(Vote::Choice(Choice::Yes)),
        })
        .collect();
    let record = make(&many, &key()).expect("a record");
    let text = pdftotext(&record.pdf);
    assert!(text.matches('\u{c}').count() >= 5, "500 names take several pages");
    assert!(text.contains("Đại biểu Quốc hội số 499"));
}

#[test]
fn a_secret_polls_record_states_the_counts_and_names_no_one() {
    let mut facts = facts();
    facts.poll.secrecy = Secrecy::Secret;
    facts.poll.quorum_override = Some("Đại biểu đang trên đường đến hội trường".into());
    facts.roll.clear();
    let record = make(&facts, &key()).expect("a record");
    let text = pdftotext(&record.pdf);
    assert!(text.contains("Bỏ phiếu kín"), "{text}");
    assert!(text.contains("KẾT QUẢ: THÔNG QUA"), "{text}");
    assert!(!text.contains("Danh sách đại biểu"), "no list of names: {text}");
    assert!(!text.contains("Nguyễn Thị Đại Biểu"), "no name: {text}");
    let csv = String::from_utf8(record.csv).expect("UTF-8");
    assert!(csv.contains("hinh_thuc,Bỏ phiếu kín,bo_phieu_kin"), "{csv}");
    assert!(csv.contains("tan_thanh,20,"), "{csv}");
    assert!(!csv.contains("phieu,"), "no ballot rows: {csv}");
    assert!(
        csv.contains("mo_khi_chua_du_so,Đại biểu đang trên đường đến hội trường,"),
        "the chair's reason to open without the quorum: {csv}"
    );
    assert!(
        text.contains("chưa đủ; chủ tọa vẫn mở biểu quyết, lý do: Đại biểu đang"),
        "the chair's reason to open without the quorum: {text}"
    );
}
