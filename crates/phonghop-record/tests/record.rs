//! The record of a closed poll read back: poppler's `pdftotext` gives the Vietnamese text and
//! the numbers back from the PDF, the CSV holds every fact and every name under its choice, both
//! verify with the server's key, and a changed byte does not. Polls of the other forms (an
//! election, a confidence vote, options) state each line's counts and result.

use std::process::Command;

use phonghop_core::rules;
use phonghop_protocol::{
    BallotForm, Base, Choice, Comparison, Fraction, LegalSource, LineOutcome, MajorityRule, Meeting, MeetingId,
    MeetingKind, Outcome, Poll, PollId, PollState, RuleBasis, Secrecy, Tally, Vote,
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

/// A closed poll `title` of `form` over `facts()`'s meeting and rule, counted from `tally` by
/// the core's rules as the server counts it at the close.
fn closed(title: &str, form: BallotForm, secrecy: Secrecy, tally: Tally, roll: Vec<RollLine>) -> RecordFacts {
    let mut facts = facts();
    let (outcome, line_outcomes) = rules::line_outcomes(&form, &facts.poll.rule, &tally).expect("counts that add up");
    facts.poll.title = title.into();
    facts.poll.basis = None;
    facts.poll.ballot = form;
    facts.poll.secrecy = secrecy;
    facts.poll.tally = tally;
    facts.poll.outcome = Some(outcome);
    facts.poll.line_outcomes = line_outcomes;
    facts.roll = roll;
    facts
}

const CANDIDATES: [&str; 3] = ["Trần Văn An", "Lê Thị Bình", "Phạm Quốc Cường"];

const VOTERS: [&str; 9] = [
    "Nguyễn Văn Hùng",
    "Trần Thị Lan",
    "Lê Minh Đức",
    "Phạm Thị Hồng",
    "Hoàng Văn Thắng",
    "Vũ Thị Ngọc",
    "Đặng Quốc Bảo",
    "Bùi Thị Thu",
    "Đỗ Văn Tùng",
];

/// Electing 2 of [`CANDIDATES`] by name, by 9 members, each of [`VOTERS`] with their marks
/// (1: bầu) or none, all present but the last.
fn election_by(marks: [Option<[u8; 3]>; 9]) -> RecordFacts {
    let form = BallotForm::Election {
        candidates: CANDIDATES.map(String::from).to_vec(),
        seats: 2,
    };
    let roll: Vec<RollLine> = VOTERS
        .iter()
        .zip(marks)
        .enumerate()
        .map(|(index, (name, marks))| RollLine {
            full_name: (*name).into(),
            position: if index == 0 {
                "Chủ tịch HĐND".into()
            } else {
                String::new()
            },
            vote: marks.map(|marks| Vote::Marks(marks.to_vec())),
        })
        .collect();
    let mut tally = Tally::new(&form, 9, 8);
    for vote in roll.iter().filter_map(|line| line.vote.as_ref()) {
        tally.add(vote);
    }
    closed(
        "Bầu Ủy viên Thường trực Hội đồng nhân dân xã",
        form,
        Secrecy::Named,
        tally,
        roll,
    )
}

/// An 7, Bình 5, Cường 3 of 8 ballots. More than half of all 9 members is 5, so An and Bình are
/// elected and Cường is not; Đỗ Văn Tùng did not vote.
fn election() -> RecordFacts {
    election_by([
        Some([1, 1, 0]),
        Some([1, 1, 0]),
        Some([1, 1, 0]),
        Some([1, 1, 0]),
        Some([1, 0, 1]),
        Some([1, 0, 1]),
        Some([0, 1, 1]),
        Some([1, 0, 0]),
        None,
    ])
}

const PERSONS: [&str; 2] = [
    "Nguyễn Văn Hùng, Chủ tịch Hội đồng nhân dân",
    "Trần Thị Lan, Phó Chủ tịch Hội đồng nhân dân",
];

/// A secret confidence vote on two persons, 35 members, 30 ballots: Hùng 20 cao, 6 tín nhiệm,
/// 4 thấp; Lan 5 cao, 7 tín nhiệm, 18 thấp, which is more than half of all 35.
fn confidence() -> RecordFacts {
    let form = BallotForm::Confidence {
        persons: PERSONS.map(String::from).to_vec(),
    };
    let tally = Tally {
        counts: vec![vec![20, 6, 4], vec![5, 7, 18]],
        ..Tally::new(&form, 35, 30)
    };
    closed(
        "Lấy phiếu tín nhiệm người giữ chức vụ do Hội đồng nhân dân bầu",
        form,
        Secrecy::Secret,
        tally,
        vec![],
    )
}

fn csv_rows(csv: &[u8]) -> Vec<[String; 3]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(csv)
        .records()
        .map(|row| {
            let row = row.expect("a row");
            [0, 1, 2].map(|column| row.get(column).expect("three columns").to_owned())
        })
        .collect()
}

/// The value and the detail of the row stating `what`.
fn row<'a>(rows: &'a [[String; 3]], what: &str) -> (&'a str, &'a str) {
    rows.iter()
        .find(|row| row[0] == what)
        .map(|row| (row[1].as_str(), row[2].as_str()))
        .unwrap_or_else(|| panic!("no {what} row in {rows:?}"))
}

/// The PDF's lines after the `occurrence`-th (from 0) that reads `heading`, trimmed, blank ones
/// left out, as far as the next line that starts with a digit (the next line of the ballot), the
/// result or the next section.
fn block<'a>(text: &'a str, heading: &str, occurrence: usize) -> Vec<&'a str> {
    let mut lines = text.lines().map(str::trim);
    let mut seen = 0;
    for line in lines.by_ref() {
        if line == heading {
            if seen == occurrence {
                break;
            }
            seen += 1;
        }
    }
    lines
        .filter(|line| !line.is_empty())
        .take_while(|line| {
            !line.starts_with(|c: char| c.is_ascii_digit())
                && !line.starts_with("KẾT QUẢ")
                && !line.starts_with("Danh sách")
        })
        .collect()
}

/// A row of counts in the PDF: its label, the count and the share.
fn counts_row(line: &str) -> (String, u32, String) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [label @ .., count, share] = words.as_slice() else {
        panic!("{line:?} is not a row of counts");
    };
    (
        label.join(" "),
        count.parse().unwrap_or_else(|_| panic!("{line:?} has no count")),
        (*share).to_owned(),
    )
}

fn counts(rows: &[(&str, u32, &str)]) -> Vec<(String, u32, String)> {
    rows.iter()
        .map(|(label, count, share)| ((*label).to_owned(), *count, (*share).to_owned()))
        .collect()
}

/// The PDF's text with its runs of spaces and line ends as single spaces, for sentences that
/// may wrap.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn verifies(csv: &[u8], pdf: &[u8]) {
    for (bytes, format) in [(csv, RecordFormat::Csv), (pdf, RecordFormat::Pdf)] {
        let verified = verify(bytes, Some(&key().public_hex())).expect("verifies");
        assert_eq!(verified.format, format);
    }
}

#[test]
fn an_elections_pdf_states_each_candidates_counts_result_and_voters() {
    let facts = election();
    assert_eq!(
        facts.poll.line_outcomes,
        [LineOutcome::Reached, LineOutcome::Reached, LineOutcome::NotReached],
        "the fixture elects An and Bình"
    );
    let record = make(&facts, &key()).expect("a record");
    verifies(&record.csv, &record.pdf);
    let text = pdftotext(&record.pdf);
    let flat_text = flat(&text);
    for expected in [
        "Bầu cử (chọn tối đa 2 trong 3)",
        "Biểu quyết công khai",
        "KẾT QUẢ: 2 NGƯỜI TRÚNG CỬ",
    ] {
        assert!(
            flat_text.contains(expected),
            "{expected:?} is not in the PDF's text:\n{text}"
        );
    }
    for (label, number) in [
        ("Tổng số đại biểu", "9"),
        ("Có mặt", "8"),
        ("Số phiếu biểu quyết", "8"),
        ("Chưa biểu quyết", "1"),
    ] {
        let line = text
            .lines()
            .find(|line| line.trim_start().starts_with(label) && !line.contains('('))
            .unwrap_or_else(|| panic!("no line for {label:?} in:\n{text}"));
        assert!(
            line.split_whitespace().any(|word| word == number),
            "{label}: {line:?} lacks {number}"
        );
    }
    let expected = [
        (
            "1. Trần Văn An",
            [("Bầu", 7, "77,78%"), ("Không bầu", 1, "11,11%")],
            "Trúng cử",
        ),
        (
            "2. Lê Thị Bình",
            [("Bầu", 5, "55,56%"), ("Không bầu", 3, "33,33%")],
            "Trúng cử",
        ),
        (
            "3. Phạm Quốc Cường",
            [("Bầu", 3, "33,33%"), ("Không bầu", 5, "55,56%")],
            "Không trúng cử",
        ),
    ];
    for (heading, rows, result) in expected {
        let block = block(&text, heading, 0);
        assert_eq!(
            block.len(),
            3,
            "{heading}: two rows of counts and the result in {block:?}"
        );
        assert_eq!(
            block[..2].iter().map(|line| counts_row(line)).collect::<Vec<_>>(),
            counts(&rows),
            "{heading}"
        );
        assert_eq!(block[2], format!("Kết quả: {result}"), "{heading}");
    }
    // Under each candidate in the list of names, who voted for them.
    let voters = [
        (
            "1. Trần Văn An",
            vec![
                "Bầu (7):",
                "Nguyễn Văn Hùng — Chủ tịch HĐND",
                "Trần Thị Lan",
                "Lê Minh Đức",
                "Phạm Thị Hồng",
                "Hoàng Văn Thắng",
                "Vũ Thị Ngọc",
                "Bùi Thị Thu",
            ],
        ),
        (
            "2. Lê Thị Bình",
            vec![
                "Bầu (5):",
                "Nguyễn Văn Hùng — Chủ tịch HĐND",
                "Trần Thị Lan",
                "Lê Minh Đức",
                "Phạm Thị Hồng",
                "Đặng Quốc Bảo",
            ],
        ),
        (
            "3. Phạm Quốc Cường",
            vec![
                "Bầu (3):",
                "Hoàng Văn Thắng",
                "Vũ Thị Ngọc",
                "Đặng Quốc Bảo",
                "Chưa biểu quyết (1):",
                "Đỗ Văn Tùng",
            ],
        ),
    ];
    for (heading, names) in voters {
        assert_eq!(
            block(&text, heading, 1)[..names.len()],
            names[..],
            "{heading} in:\n{text}"
        );
    }
}

#[test]
fn an_elections_csv_has_a_row_per_candidate_and_mark_and_each_members_marks() {
    let record = make(&election(), &key()).expect("a record");
    let rows = csv_rows(&record.csv);
    assert_eq!(row(&rows, "loai_phieu"), ("Bầu cử (chọn tối đa 2 trong 3)", "election"));
    assert_eq!(row(&rows, "so_toi_da"), ("2", "số người trúng cử nhiều nhất"));
    assert_eq!(row(&rows, "so_phieu"), ("8", "88,89% tổng số đại biểu"));
    assert_eq!(row(&rows, "chua_bieu_quyet").0, "1");
    for (number, name) in CANDIDATES.iter().enumerate() {
        assert_eq!(row(&rows, &format!("dong_{}", number + 1)).0, *name);
    }
    for (what, count, share) in [
        ("dong_1_bau", "7", "77,78%"),
        ("dong_1_khong_bau", "1", "11,11%"),
        ("dong_2_bau", "5", "55,56%"),
        ("dong_2_khong_bau", "3", "33,33%"),
        ("dong_3_bau", "3", "33,33%"),
        ("dong_3_khong_bau", "5", "55,56%"),
    ] {
        assert_eq!(
            row(&rows, what),
            (count, format!("{share} tổng số đại biểu").as_str()),
            "{what}"
        );
    }
    assert_eq!(row(&rows, "dong_1_ket_qua"), ("Trúng cử", "reached"));
    assert_eq!(row(&rows, "dong_2_ket_qua"), ("Trúng cử", "reached"));
    assert_eq!(row(&rows, "dong_3_ket_qua"), ("Không trúng cử", "not_reached"));
    assert_eq!(row(&rows, "ket_qua"), ("2 NGƯỜI TRÚNG CỬ", "passed"));
    assert!(
        !rows
            .iter()
            .any(|row| ["tan_thanh", "khong_tan_thanh", "khong_bieu_quyet"].contains(&row[0].as_str())),
        "no motion counts: {rows:?}"
    );
    let ballots: Vec<(&str, &str)> = rows
        .iter()
        .filter(|row| row[0] == "phieu")
        .map(|row| (row[1].as_str(), row[2].as_str()))
        .collect();
    assert_eq!(
        ballots,
        [
            ("Nguyễn Văn Hùng", "bau;bau;khong_bau"),
            ("Trần Thị Lan", "bau;bau;khong_bau"),
            ("Lê Minh Đức", "bau;bau;khong_bau"),
            ("Phạm Thị Hồng", "bau;bau;khong_bau"),
            ("Hoàng Văn Thắng", "bau;khong_bau;bau"),
            ("Vũ Thị Ngọc", "bau;khong_bau;bau"),
            ("Đặng Quốc Bảo", "khong_bau;bau;bau"),
            ("Bùi Thị Thu", "bau;khong_bau;khong_bau"),
            ("Đỗ Văn Tùng", "chua_bieu_quyet"),
        ]
    );
}

#[test]
fn a_tie_for_the_last_seat_is_stated_as_a_new_round() {
    // An 6, Bình 5, Cường 5: both reach the share and tie for the second seat.
    let facts = election_by([
        Some([1, 1, 0]),
        Some([1, 1, 0]),
        Some([1, 1, 0]),
        Some([1, 0, 1]),
        Some([1, 0, 1]),
        Some([1, 0, 1]),
        Some([0, 1, 1]),
        Some([0, 1, 1]),
        None,
    ]);
    use LineOutcome::{Reached, Tied};
    assert_eq!(facts.poll.line_outcomes, [Reached, Tied, Tied]);
    let record = make(&facts, &key()).expect("a record");
    verifies(&record.csv, &record.pdf);
    let text = pdftotext(&record.pdf);
    for (heading, result) in [
        ("1. Trần Văn An", "Kết quả: Trúng cử"),
        ("2. Lê Thị Bình", "Kết quả: Bằng phiếu – phải bầu lại"),
        ("3. Phạm Quốc Cường", "Kết quả: Bằng phiếu – phải bầu lại"),
    ] {
        assert_eq!(block(&text, heading, 0).last(), Some(&result), "{heading} in:\n{text}");
    }
    assert!(
        flat(&text).contains("KẾT QUẢ: 1 NGƯỜI TRÚNG CỬ; 2 NGƯỜI BẰNG PHIẾU, PHẢI BẦU LẠI"),
        "{text}"
    );
    let rows = csv_rows(&record.csv);
    assert_eq!(row(&rows, "dong_1_bau").0, "6");
    assert_eq!(row(&rows, "dong_2_bau").0, "5");
    assert_eq!(row(&rows, "dong_3_bau").0, "5");
    assert_eq!(row(&rows, "dong_1_ket_qua"), ("Trúng cử", "reached"));
    assert_eq!(row(&rows, "dong_2_ket_qua"), ("Bằng phiếu – phải bầu lại", "tied"));
    assert_eq!(row(&rows, "dong_3_ket_qua"), ("Bằng phiếu – phải bầu lại", "tied"));
    assert_eq!(
        row(&rows, "ket_qua"),
        ("1 NGƯỜI TRÚNG CỬ; 2 NGƯỜI BẰNG PHIẾU, PHẢI BẦU LẠI", "passed")
    );
}

#[test]
fn a_secret_confidence_vote_states_each_persons_three_counts_and_no_name() {
    let facts = confidence();
    assert_eq!(
        facts.poll.line_outcomes,
        [LineOutcome::NotReached, LineOutcome::Reached]
    );
    let record = make(&facts, &key()).expect("a record");
    verifies(&record.csv, &record.pdf);
    let text = pdftotext(&record.pdf);
    let flat_text = flat(&text);
    for expected in [
        "Bỏ phiếu kín",
        "Lấy phiếu tín nhiệm (2 người)",
        "Số phiếu biểu quyết 30 85,71%",
        "KẾT QUẢ: 1 NGƯỜI CÓ QUÁ NỬA TỔNG SỐ ĐẠI BIỂU ĐÁNH GIÁ TÍN NHIỆM THẤP",
    ] {
        assert!(
            flat_text.contains(expected),
            "{expected:?} is not in the PDF's text:\n{text}"
        );
    }
    assert!(!text.contains("Danh sách đại biểu"), "no list of names: {text}");
    let expected = [
        (
            "1. Nguyễn Văn Hùng, Chủ tịch Hội đồng nhân dân",
            [
                ("Tín nhiệm cao", 20, "57,14%"),
                ("Tín nhiệm", 6, "17,14%"),
                ("Tín nhiệm thấp", 4, "11,43%"),
            ],
            "Kết quả: Không quá nửa tổng số đại biểu đánh giá tín nhiệm thấp",
        ),
        (
            "2. Trần Thị Lan, Phó Chủ tịch Hội đồng nhân dân",
            [
                ("Tín nhiệm cao", 5, "14,29%"),
                ("Tín nhiệm", 7, "20,00%"),
                ("Tín nhiệm thấp", 18, "51,43%"),
            ],
            "Kết quả: Quá nửa tổng số đại biểu đánh giá tín nhiệm thấp",
        ),
    ];
    for (heading, rows, result) in expected {
        let block = block(&text, heading, 0);
        assert_eq!(
            block.len(),
            4,
            "{heading}: three rows of counts and the result in {block:?}"
        );
        assert_eq!(
            block[..3].iter().map(|line| counts_row(line)).collect::<Vec<_>>(),
            counts(&rows),
            "{heading}"
        );
        assert_eq!(block[3], result, "{heading}");
    }

    let rows = csv_rows(&record.csv);
    assert_eq!(row(&rows, "hinh_thuc"), ("Bỏ phiếu kín", "bo_phieu_kin"));
    assert_eq!(
        row(&rows, "loai_phieu"),
        ("Lấy phiếu tín nhiệm (2 người)", "confidence")
    );
    assert!(
        !rows.iter().any(|row| row[0] == "so_toi_da"),
        "a confidence vote has no seats"
    );
    assert_eq!(row(&rows, "so_phieu").0, "30");
    assert_eq!(row(&rows, "chua_bieu_quyet").0, "5");
    assert_eq!(row(&rows, "dong_1").0, PERSONS[0]);
    assert_eq!(row(&rows, "dong_2").0, PERSONS[1]);
    for (what, count) in [
        ("dong_1_tin_nhiem_cao", "20"),
        ("dong_1_tin_nhiem", "6"),
        ("dong_1_tin_nhiem_thap", "4"),
        ("dong_2_tin_nhiem_cao", "5"),
        ("dong_2_tin_nhiem", "7"),
        ("dong_2_tin_nhiem_thap", "18"),
    ] {
        assert_eq!(row(&rows, what).0, count, "{what}");
    }
    assert_eq!(row(&rows, "dong_2_tin_nhiem_thap").1, "51,43% tổng số đại biểu");
    assert_eq!(
        row(&rows, "dong_1_ket_qua"),
        ("Không quá nửa tổng số đại biểu đánh giá tín nhiệm thấp", "not_reached")
    );
    assert_eq!(
        row(&rows, "dong_2_ket_qua"),
        ("Quá nửa tổng số đại biểu đánh giá tín nhiệm thấp", "reached")
    );
    assert_eq!(
        row(&rows, "ket_qua"),
        ("1 NGƯỜI CÓ QUÁ NỬA TỔNG SỐ ĐẠI BIỂU ĐÁNH GIÁ TÍN NHIỆM THẤP", "passed")
    );
    assert!(!rows.iter().any(|row| row[0] == "phieu"), "no ballot rows: {rows:?}");
}

#[test]
fn options_without_the_quorum_state_the_counts_and_no_result_per_option() {
    let form = BallotForm::Options {
        options: vec!["Phương án 1: giữ nguyên".into(), "Phương án 2: sáp nhập".into()],
        max_picks: 1,
    };
    let tally = Tally {
        counts: vec![vec![1, 4], vec![4, 1]],
        ..Tally::new(&form, 9, 5)
    };
    let mut facts = closed("Phương án sắp xếp thôn", form, Secrecy::Secret, tally, vec![]);
    facts.poll.quorum_override = Some("Đại biểu đang trên đường đến hội trường".into());
    assert_eq!(facts.poll.outcome, Some(Outcome::NoQuorum));
    let record = make(&facts, &key()).expect("a record");
    verifies(&record.csv, &record.pdf);
    let text = pdftotext(&record.pdf);
    let flat_text = flat(&text);
    for expected in [
        "Biểu quyết theo phương án (chọn tối đa 1 trong 2)",
        "Không đủ số đại biểu có mặt theo quy tắc: không xét kết quả từng phương án.",
        "KẾT QUẢ: KHÔNG ĐỦ SỐ ĐẠI BIỂU CÓ MẶT",
    ] {
        assert!(
            flat_text.contains(expected),
            "{expected:?} is not in the PDF's text:\n{text}"
        );
    }
    assert!(!text.contains("Kết quả:"), "no result per option: {text}");
    let block = block(&text, "2. Phương án 2: sáp nhập", 0);
    assert_eq!(
        block[..2].iter().map(|line| counts_row(line)).collect::<Vec<_>>(),
        counts(&[("Chọn", 1, "11,11%"), ("Không chọn", 4, "44,44%")])
    );
    let rows = csv_rows(&record.csv);
    assert_eq!(row(&rows, "dong_1_chon").0, "4");
    assert_eq!(row(&rows, "dong_2_chon").0, "1");
    assert_eq!(row(&rows, "so_toi_da").0, "1");
    assert_eq!(row(&rows, "ket_qua"), ("KHÔNG ĐỦ SỐ ĐẠI BIỂU CÓ MẶT", "no_quorum"));
    assert!(
        !rows.iter().any(|row| row[0].ends_with("_ket_qua")),
        "no result per option: {rows:?}"
    );
}
