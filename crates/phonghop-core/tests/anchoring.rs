//! Carrying annotations onto a document's next revision: quotes made and found again through
//! line breaks, hyphenation and small rewordings, duplicates told apart by the text around them,
//! what is gone listed; and the demo resolution's highlights carried from its first draft to its
//! second (tests/data).

use phonghop_core::anchoring::{
    carry_over, locate, quote_at, Anchor, Placement, QuotePlace, UnplacedAnnotation, UnplacedReason, FUZZY_SIMILARITY,
};
use phonghop_protocol::{AnnotationId, TextQuote};
use proptest::prelude::*;

fn load(name: &str) -> Vec<String> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let json = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    serde_json::from_str(&json).unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// The characters `range` of `text`.
fn text_at(text: &str, range: std::ops::Range<usize>) -> String {
    text.chars().skip(range.start).take(range.len()).collect()
}

/// The characters of the `nth` (from 0) place `words` stand in `text`, as they are written there.
fn range_of(text: &str, words: &str, nth: usize) -> std::ops::Range<usize> {
    let (byte, _) = text
        .match_indices(words)
        .nth(nth)
        .unwrap_or_else(|| panic!("{words:?} is not in the text {} times", nth + 1));
    let start = text[..byte].chars().count();
    start..start + words.chars().count()
}

/// The quote of a highlight of the `nth` place `words` stand on `page`.
fn highlight(page: &str, words: &str, nth: usize) -> TextQuote {
    quote_at(page, range_of(page, words, nth))
}

fn placed(placement: Placement) -> QuotePlace {
    match placement {
        Placement::Placed(place) => place,
        Placement::Unplaced(reason) => panic!("not placed: {reason:?}"),
    }
}

fn pages(pages: &[&str]) -> Vec<String> {
    pages.iter().map(|page| page.to_string()).collect()
}

fn id(text: &str) -> AnnotationId {
    AnnotationId::parse(text).expect("a valid id")
}

/// Articles of a resolution, lines broken as PDFium breaks them.
const RESOLUTION: &str = "QUYẾT NGHỊ:\r\n\
Điều 1. Thông qua chủ trương triển khai Phòng họp không giấy tờ tại các kỳ\r\n\
họp của Hội đồng nhân dân thành phố từ ngày 01 tháng 01 năm 2027.\r\n\
Điều 2. Giao Ủy ban nhân dân thành phố tổ chức thực hiện Nghị quyết;\r\n\
Thường trực Hội đồng nhân dân giám sát việc thực hiện.\r\n\
Điều 3. Nghị quyết này có hiệu lực kể từ ngày được thông qua.";

#[test]
fn a_quote_holds_its_words_and_some_words_around_them_on_one_line() {
    let quote = highlight(RESOLUTION, "Giao Ủy ban nhân dân", 0);
    assert_eq!(
        quote,
        TextQuote {
            exact: "Giao Ủy ban nhân dân".into(),
            prefix: "01 tháng 01 năm 2027. Điều 2. ".into(),
            suffix: " thành phố tổ chức thực hiện".into(),
        }
    );
    let across_lines = highlight(RESOLUTION, "các kỳ\r\nhọp", 0);
    assert_eq!(across_lines.exact, "các kỳ họp");
    assert_eq!(across_lines.prefix, "Phòng họp không giấy tờ tại ");
    let at_the_start = quote_at(RESOLUTION, 0..6);
    assert_eq!(
        (at_the_start.prefix.as_str(), at_the_start.exact.as_str()),
        ("", "QUYẾT ")
    );
    let past_the_end = quote_at("ngắn", 2..40);
    assert_eq!(
        (
            past_the_end.prefix.as_str(),
            past_the_end.exact.as_str(),
            past_the_end.suffix.as_str()
        ),
        ("ng", "ắn", "")
    );
}

#[test]
fn line_breaks_spacing_and_hyphenation_do_not_matter() {
    let quote = highlight(RESOLUTION, "Phòng họp không giấy tờ tại các kỳ\r\nhọp của Hội đồng", 0);
    let reflowed = RESOLUTION
        .replace(
            "không giấy tờ tại các kỳ\r\nhọp của",
            "không\r\ngiấy  tờ tại các kỳ họp của",
        )
        .replace("triển khai", "triển\u{2}\r\nkhai")
        .replace("Hội đồng nhân dân thành phố từ", "Hội đồng nhân dân thành phố\r\ntừ");
    let place = placed(locate(&quote, &pages(&[&reflowed]), 0));
    assert!(place.exact);
    assert_eq!(place.score, 1.0);
    assert_eq!(
        text_at(&reflowed, place.range),
        "Phòng họp không\r\ngiấy  tờ tại các kỳ họp của Hội đồng"
    );
    let hyphenated = pages(&["qua mạng Inter-\r\nnet của thành phố"]);
    let place = placed(locate(
        &quote_at("qua mạng Internet của thành phố", 4..17),
        &hyphenated,
        0,
    ));
    assert!(place.exact);
    assert_eq!(text_at(&hyphenated[0], place.range), "mạng Inter-\r\nnet");
    // An accent written as a separate mark is the same letter.
    let decomposed = pages(&["Pho\u{300}ng ho\u{323}p không giấy"]);
    let place = placed(locate(&quote_at("Phòng họp không giấy", 0..9), &decomposed, 0));
    assert_eq!((place.range, place.exact), (0..11, true));
}

#[test]
fn case_and_vietnamese_marks_matter_for_exactness() {
    let quote = highlight(RESOLUTION, "Thường trực Hội đồng nhân dân giám sát", 0);
    let unaccented = RESOLUTION.replace("Thường trực", "Thuong truc");
    let place = placed(locate(&quote, &pages(&[&unaccented]), 0));
    assert!(!place.exact, "without marks the words are only near");
    assert!(place.score >= FUZZY_SIMILARITY && place.score < 1.0, "{}", place.score);
    assert_eq!(
        text_at(&unaccented, place.range),
        "Thuong truc Hội đồng nhân dân giám sát"
    );
    let capitals = RESOLUTION.replace("Thường trực", "Thường Trực");
    assert!(!placed(locate(&quote, &pages(&[&capitals]), 0)).exact);
}

#[test]
fn a_word_changed_inside_a_long_quote_is_placed_near_enough() {
    let quote = highlight(
        RESOLUTION,
        "Giao Ủy ban nhân dân thành phố tổ chức thực hiện Nghị quyết",
        0,
    );
    let after = RESOLUTION.replace("tổ chức thực hiện", "chỉ đạo thực hiện");
    let place = placed(locate(&quote, &pages(&[&after]), 0));
    assert!(!place.exact);
    assert!(place.score >= FUZZY_SIMILARITY, "{}", place.score);
    assert_eq!(
        text_at(&after, place.range),
        "Giao Ủy ban nhân dân thành phố chỉ đạo thực hiện Nghị quyết"
    );
    // The last word changed: the new word is marked, not what is left of it.
    let quote = highlight(RESOLUTION, "từ ngày 01 tháng 01 năm 2027", 0);
    let after = RESOLUTION.replace("năm 2027", "năm 2028");
    assert_eq!(
        text_at(&after, placed(locate(&quote, &pages(&[&after]), 0)).range),
        "từ ngày 01 tháng 01 năm 2028"
    );
}

#[test]
fn words_that_are_gone_are_not_placed() {
    let quote = highlight(RESOLUTION, "Thường trực Hội đồng nhân dân giám sát việc thực hiện.", 0);
    let without = RESOLUTION.replace("Thường trực Hội đồng nhân dân giám sát việc thực hiện.\r\n", "");
    assert_eq!(
        locate(&quote, &pages(&[&without]), 0),
        Placement::Unplaced(UnplacedReason::TextGone)
    );
    let rewritten = RESOLUTION.replace(
        "Thường trực Hội đồng nhân dân giám sát việc thực hiện.",
        "Các Ban của Hội đồng theo dõi, đôn đốc việc triển khai.",
    );
    assert_eq!(
        locate(&quote, &pages(&[&rewritten]), 0),
        Placement::Unplaced(UnplacedReason::TextGone)
    );
    assert_eq!(locate(&quote, &[], 0), Placement::Unplaced(UnplacedReason::TextGone));
    let part_of_a_letter = quote_at("Ha", 0..2);
    assert_eq!(
        locate(&part_of_a_letter, &pages(&["Hà Nội"]), 0),
        Placement::Unplaced(UnplacedReason::TextGone),
        "\"Ha\" is not in \"Hà\""
    );
    let short = highlight(RESOLUTION, "năm 2027", 0);
    assert_eq!(
        locate(&short, &pages(&[&RESOLUTION.replace("2027", "2028")]), 0),
        Placement::Unplaced(UnplacedReason::TextGone),
        "too short to be placed unless found as it was"
    );
}

#[test]
fn the_same_words_in_two_places_are_told_apart_by_the_text_around_them() {
    // "Hội đồng nhân dân" stands in Điều 1 and in Điều 2; the second is highlighted.
    let quote = highlight(RESOLUTION, "Hội đồng nhân dân", 1);
    let place = placed(locate(&quote, &pages(&[RESOLUTION]), 0));
    assert_eq!(place.range, range_of(RESOLUTION, "Hội đồng nhân dân", 1));
    // On the next revision Điều 2 moved to a page of its own, after a new first page.
    let (first, second) = RESOLUTION.split_at(RESOLUTION.find("Điều 2.").unwrap());
    let moved = pages(&["Trang mới", first, second]);
    let place = placed(locate(&quote, &moved, 0));
    assert_eq!(place.page, 2);
    assert_eq!(place.range, range_of(second, "Hội đồng nhân dân", 0));
    // Where the text around is the same too, the page nearest the annotation's own.
    let twice = pages(&[RESOLUTION, RESOLUTION, RESOLUTION]);
    for hint in 0..3 {
        assert_eq!(placed(locate(&quote, &twice, hint)).page, hint);
    }
    assert_eq!(placed(locate(&quote, &twice, 7)).page, 2);
}

#[test]
fn a_few_words_are_placed_only_where_the_text_around_them_still_is() {
    // The quote an ink mark or a note holds: the few words nearest to it.
    let near = highlight(RESOLUTION, "Điều 3.", 0);
    let place = placed(locate(&near, &pages(&["Trang bìa", RESOLUTION]), 0));
    assert_eq!((place.page, place.range), (1, range_of(RESOLUTION, "Điều 3.", 0)));
    let elsewhere = pages(&["Điều 3. Ủy ban nhân dân tỉnh chịu trách nhiệm thi hành Nghị quyết này kể từ ngày ký."]);
    assert_eq!(
        locate(&near, &elsewhere, 0),
        Placement::Unplaced(UnplacedReason::ContextChanged)
    );
}

#[test]
fn annotations_without_quoted_text_stay_on_an_unchanged_page() {
    let old = pages(&[RESOLUTION, ""]);
    let anchors = [
        Anchor {
            id: id("ink-on-blank"),
            page: 1,
            quote: None,
        },
        Anchor {
            id: id("ink-on-text"),
            page: 0,
            quote: Some(TextQuote {
                exact: " \r\n".into(),
                prefix: String::new(),
                suffix: String::new(),
            }),
        },
    ];
    let same = carry_over(&anchors, &old, &pages(&[&RESOLUTION.replace("\r\n", " "), ""]));
    assert_eq!(same.unplaced, vec![]);
    assert_eq!(
        same.placed
            .iter()
            .map(|placed| (placed.page, placed.range.clone(), placed.exact))
            .collect::<Vec<_>>(),
        vec![(1, None, true), (0, None, true)]
    );
    let rewritten = RESOLUTION.replace("Điều 3. Nghị quyết này có hiệu lực kể từ ngày được thông qua.", "");
    let changed = carry_over(&anchors, &old, &pages(&[&rewritten]));
    assert_eq!(changed.placed, vec![]);
    assert_eq!(
        changed.unplaced,
        vec![
            UnplacedAnnotation {
                id: id("ink-on-blank"),
                old_page: 1,
                reason: UnplacedReason::PageGone
            },
            UnplacedAnnotation {
                id: id("ink-on-text"),
                old_page: 0,
                reason: UnplacedReason::PageChanged
            },
        ]
    );
}

/// `pages` pages of about 500 words each, from a small vocabulary in an order of a fixed
/// pseudo-random sequence, broken into lines.
fn long_document(pages: usize) -> Vec<String> {
    const WORDS: [&str; 24] = [
        "Hội", "đồng", "nhân", "dân", "thành", "phố", "Ủy", "ban", "Điều", "họp", "không", "giấy", "tờ", "Nghị",
        "quyết", "giám", "sát", "việc", "thực", "hiện", "các", "kỳ", "ngân", "sách",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    (0..pages)
        .map(|_| {
            (0..500)
                .map(|index| {
                    let gap = if index % 12 == 11 { "\r\n" } else { " " };
                    format!("{}{gap}", WORDS[next() % WORDS.len()])
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_reworded_quote_is_found_in_a_long_document() {
    let old = long_document(460);
    let page = &old[300];
    // Words 204 to 214: one line.
    let words: Vec<&str> = page.split_whitespace().collect();
    let quoted = words[204..215].join(" ");
    let quote = quote_at(page, range_of(page, &quoted, 0));
    // The new revision replaces the quote's fourth word and moves everything on by a page.
    let mut new = old.clone();
    new.insert(0, "Trang bìa".to_owned());
    let reworded = [&words[204..207], &["ĐƯỢC"], &words[208..215]].concat().join(" ");
    new[301] = new[301].replacen(&quoted, &reworded, 1);
    let place = placed(locate(&quote, &new, 300));
    assert_eq!(place.page, 301);
    assert!(!place.exact);
    assert_eq!(text_at(&new[301], place.range), reworded);
}

/// A page of Vietnamese words, broken into lines and sentences.
fn page_text() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "Hội", "đồng", "nhân", "dân", "thành", "phố", "Ủy", "ban", "Điều", "1.", "2027", "họp", "không", "giấy", "tờ",
        "Nghị", "quyết", "giám", "sát", "việc", "thực", "hiện", "các", "kỳ", "ĐẠI", "BIỂU",
    ]);
    let gap = prop::sample::select(vec![" ", " ", " ", "\r\n", ", ", "; ", "  "]);
    prop::collection::vec((word, gap), 1..80).prop_map(|words| {
        words
            .into_iter()
            .flat_map(|(word, gap)| [word, gap])
            .collect::<String>()
            .trim_end()
            .to_owned()
    })
}

/// `text` without whitespace.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

proptest! {
    #[test]
    fn quoting_then_locating_gives_back_the_same_words(text in page_text(), ends in (0usize..400, 0usize..400)) {
        let length = text.chars().count();
        let (start, end) = (ends.0.min(ends.1).min(length), ends.0.max(ends.1).min(length));
        // What a highlight holds: its words, not the whitespace at its ends.
        let chars: Vec<char> = text.chars().collect();
        let start = (start..end).find(|&at| !chars[at].is_whitespace());
        prop_assume!(start.is_some());
        let start = start.unwrap_or_default();
        let end = (start..end).rev().find(|&at| !chars[at].is_whitespace()).unwrap_or(start) + 1;
        let quote = quote_at(&text, start..end);
        let place = placed(locate(&quote, std::slice::from_ref(&text), 0));
        prop_assert!(place.exact);
        if place.range != (start..end) {
            // Only a place the quote cannot tell from its own: the same words, the same text around.
            let before = squeezed(&text_at(&text, 0..place.range.start));
            let after = squeezed(&text_at(&text, place.range.end..length));
            prop_assert_eq!(squeezed(&text_at(&text, place.range.clone())), squeezed(&quote.exact));
            prop_assert!(before.ends_with(&squeezed(&quote.prefix)), "{:?} {:?}", place.range, start..end);
            prop_assert!(after.starts_with(&squeezed(&quote.suffix)), "{:?} {:?}", place.range, start..end);
        }
    }
}

/// The demo resolution's two drafts: the second adds ", LẦN 2" to the title, extends Điều 1 to the
/// councils of the 32 wards and communes (and drops its "và"), and adds Điều 4.
#[test]
fn the_demo_resolutions_highlights_are_carried_from_v1_to_v2() {
    let v1 = load("du-thao-nghi-quyet-v1.pages.json");
    let v2 = load("du-thao-nghi-quyet-v2.pages.json");
    let page = &v1[0];
    let on_v1 = |name: &str, quote: Option<TextQuote>| Anchor {
        id: id(name),
        page: 0,
        quote,
    };
    let anchors = [
        on_v1("letterhead", Some(highlight(page, "Độc lập - Tự do - Hạnh phúc", 0))),
        on_v1(
            "preamble",
            Some(highlight(page, "Xét Tờ trình của Ủy ban nhân dân thành phố", 0)),
        ),
        // In the title, not in Điều 1: the title gained ", LẦN 2" and a line break.
        on_v1("title", Some(highlight(page, "Phòng họp không giấy tờ", 0))),
        on_v1("article-1-same", Some(highlight(page, "Phòng họp không giấy tờ", 1))),
        on_v1("article-2", Some(highlight(page, "tổ chức thực hiện Nghị quyết", 0))),
        on_v1(
            "article-3",
            Some(highlight(
                page,
                "Nghị quyết này có hiệu lực kể từ ngày được thông qua",
                0,
            )),
        ),
        // Điều 1 reworded: "thành phố và các cuộc họp" is now "thành phố, các cuộc họp".
        on_v1(
            "article-1-edited",
            Some(highlight(
                page,
                "họp của Hội đồng nhân dân thành phố và các cuộc họp",
                0,
            )),
        ),
        // Điều 1 extended in the middle of the highlight: 27 of 57 characters are new.
        on_v1(
            "article-1-extended",
            Some(highlight(
                page,
                "các cuộc họp của Ủy ban nhân\r\ndân thành phố từ ngày 01 tháng 01 năm 2027",
                0,
            )),
        ),
        // Gone from the title.
        on_v1("draft-mark", Some(highlight(page, "(DỰ THẢO)", 0))),
        // A note beside Điều 3, holding on to the words nearest it.
        on_v1("note-article-3", Some(highlight(page, "Điều 3.", 0))),
        // Ink in the margin with no text near it: the page changed, so it cannot stay by its page.
        on_v1("ink-margin", None),
    ];
    let carried = carry_over(&anchors, &v1, &v2);
    assert_eq!(carried.placed.len() + carried.unplaced.len(), anchors.len());

    let new_page = &v2[0];
    let placed_words = |name: &str| {
        let placed = carried
            .placed
            .iter()
            .find(|placed| placed.id == id(name))
            .unwrap_or_else(|| panic!("{name} is not placed: {:?}", carried.unplaced));
        assert_eq!(placed.page, 0);
        let range = placed.range.clone().expect("placed by its words");
        (text_at(new_page, range.clone()), range, placed.exact)
    };
    for (name, words) in [
        ("letterhead", "Độc lập - Tự do - Hạnh phúc"),
        ("preamble", "Xét Tờ trình của Ủy ban nhân dân thành phố"),
        ("title", "Phòng họp không giấy\r\ntờ"),
        ("article-2", "tổ chức thực hiện Nghị quyết"),
        ("article-3", "Nghị quyết này có hiệu lực kể từ ngày được thông qua"),
        ("note-article-3", "Điều 3."),
    ] {
        let (text, range, exact) = placed_words(name);
        assert_eq!((text.as_str(), exact), (words, true), "{name}");
        assert_eq!(
            range,
            range_of(new_page, words, 0),
            "{name}: the same words, not others alike"
        );
    }
    let (text, range, exact) = placed_words("article-1-same");
    assert_eq!((text.as_str(), exact), ("Phòng họp không giấy tờ", true));
    assert_eq!(
        range,
        range_of(new_page, "Phòng họp không giấy tờ", 0),
        "Điều 1's, not the title's"
    );
    let (text, _, exact) = placed_words("article-1-edited");
    assert_eq!(
        (text.as_str(), exact),
        ("họp của Hội đồng nhân dân thành phố, các cuộc họp", false)
    );

    let unplaced: Vec<(&str, UnplacedReason)> = carried
        .unplaced
        .iter()
        .map(|unplaced| (unplaced.id.as_str(), unplaced.reason))
        .collect();
    assert_eq!(
        unplaced,
        vec![
            ("article-1-extended", UnplacedReason::TextGone),
            ("draft-mark", UnplacedReason::TextGone),
            ("ink-margin", UnplacedReason::PageChanged),
        ]
    );
    assert!(carried.unplaced.iter().all(|unplaced| unplaced.old_page == 0));
}
