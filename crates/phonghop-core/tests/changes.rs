//! What changed between two revisions: hand-written texts, and the two drafts of the demo
//! resolution as PDFium extracts them (tests/data).

use phonghop_core::changes::{MAX_PASSAGES, MAX_PASSAGE_CHARS};
use phonghop_core::revision_changes;
use phonghop_protocol::{ChangedPassage, PassageChange, RevisionChanges};

fn pages(pages: &[&str]) -> Vec<String> {
    pages.iter().map(|page| page.to_string()).collect()
}

fn load(name: &str) -> Vec<String> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let json = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&json).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// A short resolution, one string a page, lines broken as PDFium breaks them.
const RESOLUTION: &str = "HỘI ĐỒNG NHÂN DÂN THÀNH PHỐ THÁI NGUYÊN\r\n\
NGHỊ QUYẾT về Phòng họp không giấy tờ\r\n\
QUYẾT NGHỊ:\r\n\
Điều 1. Thông qua chủ trương triển khai Phòng họp không giấy tờ tại các kỳ\r\n\
họp của Hội đồng nhân dân thành phố từ ngày 01 tháng 01 năm 2027.\r\n\
Điều 2. Giao Ủy ban nhân dân thành phố tổ chức thực hiện Nghị quyết;\r\n\
Thường trực Hội đồng nhân dân giám sát việc thực hiện.\r\n\
Điều 3. Nghị quyết này có hiệu lực kể từ ngày được thông qua.";

fn nothing_changed(changes: &RevisionChanges) {
    assert_eq!(changes.pages_added, Vec::<u32>::new());
    assert_eq!(changes.pages_removed, Vec::<u32>::new());
    assert_eq!(changes.passages, vec![]);
    assert!(!changes.more_passages);
}

#[test]
fn identical_revisions_change_nothing() {
    let changes = revision_changes(&pages(&[RESOLUTION, "Trang hai"]), &pages(&[RESOLUTION, "Trang hai"]));
    assert_eq!((changes.pages_before, changes.pages_after), (2, 2));
    nothing_changed(&changes);
    nothing_changed(&revision_changes(&[], &[]));
}

#[test]
fn a_word_changed_in_an_article_is_one_changed_passage_under_it() {
    let after = RESOLUTION.replace("tổ chức thực hiện", "chỉ đạo thực hiện");
    let changes = revision_changes(&pages(&[RESOLUTION]), &pages(&[&after]));
    assert_eq!(changes.pages_added, Vec::<u32>::new());
    assert_eq!(
        changes.pages_removed,
        Vec::<u32>::new(),
        "an edited page is neither added nor removed"
    );
    assert_eq!(
        changes.passages,
        vec![ChangedPassage {
            section: Some("Điều 2".into()),
            change: PassageChange::Changed,
            before: "Điều 2. Giao Ủy ban nhân dân thành phố tổ chức thực hiện Nghị quyết; \
                     Thường trực Hội đồng nhân dân giám sát việc thực hiện."
                .into(),
            after: "Điều 2. Giao Ủy ban nhân dân thành phố chỉ đạo thực hiện Nghị quyết; \
                    Thường trực Hội đồng nhân dân giám sát việc thực hiện."
                .into(),
            page: 0,
        }]
    );
}

#[test]
fn a_new_article_is_added_and_a_dropped_one_removed() {
    let with_four = format!("{RESOLUTION}\r\nĐiều 4. Văn phòng bảo đảm an toàn thông tin\r\ncho hệ thống.");
    let changes = revision_changes(&pages(&[RESOLUTION]), &pages(&[&with_four]));
    assert_eq!(
        changes.passages,
        vec![ChangedPassage {
            section: Some("Điều 4".into()),
            change: PassageChange::Added,
            before: String::new(),
            after: "Điều 4. Văn phòng bảo đảm an toàn thông tin cho hệ thống.".into(),
            page: 0,
        }]
    );

    let changes = revision_changes(&pages(&[&with_four]), &pages(&[RESOLUTION]));
    assert_eq!(changes.passages.len(), 1);
    assert_eq!(changes.passages[0].change, PassageChange::Removed);
    assert_eq!(changes.passages[0].section.as_deref(), Some("Điều 4"));
    assert_eq!(changes.passages[0].after, "");
}

#[test]
fn an_article_inserted_before_others_renumbers_them() {
    let after = RESOLUTION
        .replace("Điều 3.", "Điều 4.")
        .replace("Điều 2.", "Điều 3.")
        .replace(
            "QUYẾT NGHỊ:\r\nĐiều 1.",
            "QUYẾT NGHỊ:\r\nĐiều 1. Phạm vi: các kỳ họp năm 2027.\r\nĐiều 2.",
        );
    let changes = revision_changes(&pages(&[RESOLUTION]), &pages(&[&after]));
    let found: Vec<_> = changes
        .passages
        .iter()
        .map(|passage| (passage.change, passage.section.as_deref().unwrap_or("")))
        .collect();
    // The new Điều 1 is added; the old ones, unchanged but for their number, each pair with
    // their own text rather than with the article that took their number.
    assert_eq!(
        found,
        [
            (PassageChange::Added, "Điều 1"),
            (PassageChange::Changed, "Điều 2"),
            (PassageChange::Changed, "Điều 3"),
            (PassageChange::Changed, "Điều 4"),
        ]
    );
    assert!(changes.passages[1].before.starts_with("Điều 1. Thông qua"));
    assert!(changes.passages[3].before.starts_with("Điều 3. Nghị quyết này"));
}

#[test]
fn a_removed_page_is_listed_with_its_passages() {
    let before = pages(&[
        "Điều 1. Phạm vi điều chỉnh.",
        "Điều 2. Đối tượng áp dụng: đại biểu\nHội đồng nhân dân.",
        "Điều 3. Hiệu lực thi hành.",
    ]);
    let after = pages(&["Điều 1. Phạm vi điều chỉnh.", "Điều 3. Hiệu lực thi hành."]);
    let changes = revision_changes(&before, &after);
    assert_eq!((changes.pages_before, changes.pages_after), (3, 2));
    assert_eq!(changes.pages_removed, vec![1]);
    assert_eq!(changes.pages_added, Vec::<u32>::new());
    assert_eq!(
        changes.passages,
        vec![ChangedPassage {
            section: Some("Điều 2".into()),
            change: PassageChange::Removed,
            before: "Điều 2. Đối tượng áp dụng: đại biểu Hội đồng nhân dân.".into(),
            after: String::new(),
            page: 1,
        }]
    );

    let changes = revision_changes(&after, &before);
    assert_eq!(changes.pages_added, vec![1]);
    assert_eq!(changes.pages_removed, Vec::<u32>::new());
    assert_eq!(changes.passages.len(), 1);
    assert_eq!(changes.passages[0].change, PassageChange::Added);
}

#[test]
fn a_moved_page_is_neither_added_nor_removed() {
    let changes = revision_changes(
        &pages(&["Điều 1. Một.", "Điều 2. Hai.", "Phụ lục"]),
        &pages(&["Phụ lục", "Điều 1. Một.", "Điều 2. Hai."]),
    );
    assert_eq!(changes.pages_added, Vec::<u32>::new());
    assert_eq!(changes.pages_removed, Vec::<u32>::new());
}

#[test]
fn whitespace_line_breaks_and_hyphenation_alone_change_nothing() {
    let table: [(&str, Vec<&str>, Vec<&str>); 7] = [
        (
            "lines broken elsewhere, with other line ends and spaces",
            vec![RESOLUTION],
            vec!["HỘI ĐỒNG NHÂN DÂN THÀNH PHỐ  THÁI NGUYÊN\nNGHỊ QUYẾT về Phòng họp không giấy tờ\nQUYẾT NGHỊ:\n\
                  Điều 1.  Thông qua chủ trương triển khai\nPhòng họp không giấy tờ tại các kỳ họp của Hội đồng nhân dân\n\
                  thành phố từ ngày 01 tháng 01 năm 2027.\nĐiều 2. Giao Ủy ban nhân dân thành phố tổ chức thực hiện\n\
                  Nghị quyết; Thường trực Hội đồng nhân dân giám sát việc thực hiện.  \n  Điều 3. Nghị quyết này có hiệu lực\n\
                  kể từ ngày được thông qua."],
        ),
        (
            "a paragraph broken across pages elsewhere",
            vec!["Điều 1. Thông qua chủ trương triển khai Phòng họp", "không giấy tờ.\nĐiều 2. Giao Ủy ban."],
            vec!["Điều 1. Thông qua chủ trương triển khai Phòng họp không giấy tờ.", "Điều 2. Giao Ủy ban."],
        ),
        (
            "a line break before a dash, cutting the paragraph there into two passages",
            vec!["Xét Báo cáo thẩm tra của Ban Kinh tế - Xã hội Hội đồng nhân dân thành phố."],
            vec!["Xét Báo cáo thẩm tra của Ban Kinh tế\n- Xã hội Hội đồng nhân dân thành phố."],
        ),
        (
            "a word hyphenated at a line's end, by a hyphen, a soft hyphen or PDFium's mark",
            vec!["Điều 1. Kết nối qua Internet và thư điện tử (e-mail) thông suốt."],
            vec!["Điều 1. Kết nối qua Inter-\nnet và thư điện tử (e-\nmail) thông su\u{AD}\nốt."],
        ),
        (
            "the same word hyphenated by PDFium's mark",
            vec!["Điều 1. Kết nối qua Internet."],
            vec!["Điều 1. Kết nối qua Inter\u{2}\r\nnet."],
        ),
        (
            "accents as combining marks, and invisible characters",
            vec!["Điều 1. Phòng họp không giấy tờ."],
            vec!["\u{FEFF}Điê\u{300}u 1. Pho\u{300}ng ho\u{323}p không\u{200B} giấy tờ."],
        ),
        (
            "page numbers and blank lines at a page's ends",
            vec!["Điều 1. Phạm vi\nđiều chỉnh của", "Nghị quyết."],
            vec!["\n- 1 -\nĐiều 1. Phạm vi\nđiều chỉnh của\n\n2\n", "Nghị quyết.\n"],
        ),
    ];
    for (what, before, after) in table {
        let changes = revision_changes(&pages(&before), &pages(&after));
        assert_eq!(changes.passages, vec![], "{what}");
        assert_eq!(changes.pages_added, Vec::<u32>::new(), "{what}");
        assert_eq!(changes.pages_removed, Vec::<u32>::new(), "{what}");
    }
}

#[test]
fn passages_are_paragraphs_under_the_nearest_heading() {
    let before = "Chương I\nQUY ĐỊNH CHUNG\nĐiều 1. Phạm vi\n1. Nghị quyết này quy định việc họp\nkhông giấy tờ.\n\
                  2. Nghị quyết này áp dụng cho đại biểu.\nChương II\nTỔ CHỨC THỰC HIỆN\nMục 1. Kinh phí\n\
                  Kinh phí do ngân sách thành phố bảo đảm.\n\nCác cơ quan phối hợp thực hiện.";
    let after = before
        .replace("cho đại biểu.", "cho đại biểu và khách mời.")
        .replace("TỔ CHỨC THỰC HIỆN", "TỔ CHỨC VÀ THỰC HIỆN")
        .replace("phối hợp thực hiện.", "phối hợp chặt chẽ.");
    let changes = revision_changes(&pages(&[before]), &pages(&[&after]));
    let found: Vec<_> = changes
        .passages
        .iter()
        .map(|passage| {
            (
                passage.change,
                passage.section.as_deref(),
                passage.before.as_str(),
                passage.after.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                PassageChange::Changed,
                Some("Điều 1"),
                "2. Nghị quyết này áp dụng cho đại biểu.",
                "2. Nghị quyết này áp dụng cho đại biểu và khách mời."
            ),
            (
                PassageChange::Changed,
                Some("Chương II"),
                "TỔ CHỨC THỰC HIỆN",
                "TỔ CHỨC VÀ THỰC HIỆN"
            ),
            (
                PassageChange::Changed,
                Some("Mục 1"),
                "Các cơ quan phối hợp thực hiện.",
                "Các cơ quan phối hợp chặt chẽ."
            ),
        ]
    );
}

#[test]
fn text_without_headings_has_no_section() {
    let changes = revision_changes(
        &pages(&["Báo cáo tình hình kinh tế.\n\nDoanh thu tăng 5%."]),
        &pages(&["Báo cáo tình hình kinh tế.\n\nDoanh thu tăng 7%."]),
    );
    assert_eq!(changes.passages.len(), 1);
    assert_eq!(changes.passages[0].section, None);
    assert_eq!(changes.passages[0].change, PassageChange::Changed);
}

#[test]
fn long_passages_are_cut_and_many_passages_capped() {
    let long = format!("Điều 1. {}", "Phòng họp không giấy tờ. ".repeat(200));
    let changes = revision_changes(&pages(&["Điều 1. Ngắn."]), &pages(&[&long]));
    let passage = &changes.passages[0];
    assert_eq!(passage.after.chars().count(), MAX_PASSAGE_CHARS + 1);
    assert!(passage.after.ends_with('…'));
    assert_eq!(passage.before, "Điều 1. Ngắn.");

    let articles = |text: &str| -> String {
        (1..=MAX_PASSAGES + 50)
            .map(|n| format!("Điều {n}. {text} số {n}."))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let changes = revision_changes(&pages(&[&articles("Nội dung")]), &pages(&[&articles("Nội dung mới")]));
    assert_eq!(changes.passages.len(), MAX_PASSAGES);
    assert!(changes.more_passages);
    assert!(changes
        .passages
        .iter()
        .all(|passage| passage.change == PassageChange::Changed));
    assert_eq!(changes.passages[0].section.as_deref(), Some("Điều 1"));
}

/// The two drafts of the demo resolution: the second adds ", LẦN 2" to the title, extends Điều 1
/// to the 32 wards and communes, and adds Điều 4. Nothing else differs (Điều 1's line breaks
/// moved, which is no change).
#[test]
fn the_demo_resolution_v1_to_v2() {
    let before = load("du-thao-nghi-quyet-v1.pages.json");
    let after = load("du-thao-nghi-quyet-v2.pages.json");
    let changes = revision_changes(&before, &after);
    assert_eq!((changes.pages_before, changes.pages_after), (1, 1));
    assert_eq!(changes.pages_added, Vec::<u32>::new());
    assert_eq!(changes.pages_removed, Vec::<u32>::new());
    assert!(!changes.more_passages);
    assert_eq!(changes.passages.len(), 3, "{:#?}", changes.passages);

    let title = &changes.passages[0];
    assert_eq!(title.change, PassageChange::Changed);
    assert_eq!(title.section, None);
    assert_eq!(title.before, "NGHỊ QUYẾT (DỰ THẢO) về Phòng họp không giấy tờ");
    assert_eq!(title.after, "NGHỊ QUYẾT (DỰ THẢO, LẦN 2) về Phòng họp không giấy tờ");

    let article_1 = &changes.passages[1];
    assert_eq!(article_1.change, PassageChange::Changed);
    assert_eq!(article_1.section.as_deref(), Some("Điều 1"));
    assert_eq!(article_1.page, 0);
    assert!(article_1
        .before
        .contains("Hội đồng nhân dân thành phố và các cuộc họp của Ủy ban nhân dân thành phố từ ngày"));
    assert!(!article_1.before.contains("32 phường, xã"));
    assert!(article_1.after.contains(
        "Hội đồng nhân dân thành phố, các cuộc họp của Ủy ban nhân dân thành phố và Ủy ban nhân dân 32 phường, xã từ ngày"
    ));
    assert!(article_1.before.starts_with("Điều 1. Thông qua chủ trương"));
    assert!(article_1.after.ends_with("từ ngày 01 tháng 01 năm 2027."));

    let article_4 = &changes.passages[2];
    assert_eq!(
        article_4,
        &ChangedPassage {
            section: Some("Điều 4".into()),
            change: PassageChange::Added,
            before: String::new(),
            after: "Điều 4. Văn phòng HĐND và UBND thành phố bảo đảm an toàn, an ninh thông tin cho hệ thống.".into(),
            page: 0,
        }
    );

    // And back: the same passages, Điều 4 removed.
    let back = revision_changes(&after, &before);
    let found: Vec<_> = back
        .passages
        .iter()
        .map(|passage| (passage.change, passage.section.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (PassageChange::Changed, None),
            (PassageChange::Changed, Some("Điều 1".into())),
            (PassageChange::Removed, Some("Điều 4".into())),
        ]
    );
}
