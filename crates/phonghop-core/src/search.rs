//! Folding Vietnamese text the way people type it when searching: without accents, in any case,
//! `d` for `đ`. "phong hop khong giay", "phòng họp" and "PHONG HOP" all find "Phòng họp không
//! giấy". The server's index and the app's offline index fold the same way, with this.

use unicode_normalization::char::decompose_canonical;

/// `text` folded for search, with, for each folded character, the index of the character of
/// `text` it came from (to show and highlight what was found in the original).
///
/// Every run of whitespace (a PDF's line breaks inside a sentence) folds to one space.
pub fn fold(text: &str) -> (String, Vec<usize>) {
    let mut folded = String::with_capacity(text.len());
    let mut origins = Vec::with_capacity(text.len());
    for (index, c) in text.chars().enumerate() {
        if c.is_whitespace() {
            if !folded.ends_with(' ') {
                folded.push(' ');
                origins.push(index);
            }
            continue;
        }
        let mut push = |c: char| {
            for lower in c.to_lowercase() {
                folded.push(lower);
                origins.push(index);
            }
        };
        match c {
            'đ' | 'Đ' => push('d'),
            _ => decompose_canonical(c, |part| {
                if !is_combining_mark(part) {
                    push(part);
                }
            }),
        }
    }
    (folded, origins)
}

/// `text` folded for search.
pub fn folded(text: &str) -> String {
    fold(text).0
}

/// Combining diacritical marks: Vietnamese tones (huyền, sắc, hỏi, ngã, nặng) and the breve,
/// circumflex and horn of ă, â, ê, ô, ơ, ư.
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}')
}

/// The words of `query` as a search reads them: folded, split at anything that is not a letter or
/// a digit.
pub fn words(query: &str) -> Vec<String> {
    folded(query)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The places in `text` where the words of `query` stand one after another (anything but letters
/// and digits may separate them: spaces, line breaks, commas), each a whole word of `text` but the
/// last, which may begin a longer one (a person still typing); as ranges of character indices of
/// `text`.
pub fn find(text: &str, query: &str) -> Vec<std::ops::Range<usize>> {
    let words: Vec<Vec<char>> = words(query).iter().map(|word| word.chars().collect()).collect();
    if words.is_empty() {
        return vec![];
    }
    let (haystack, origins) = fold(text);
    let haystack: Vec<char> = haystack.chars().collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < haystack.len() {
        let starts_word = at == 0 || !haystack[at - 1].is_alphanumeric();
        match starts_word.then(|| match_words(&haystack, at, &words)).flatten() {
            Some(end) => {
                found.push(origins[at]..origins[end - 1] + 1);
                at = end;
            }
            None => at += 1,
        }
    }
    found
}

/// Where the words, matched from `at` on, end in `haystack`; `None` if they do not all match.
fn match_words(haystack: &[char], mut at: usize, words: &[Vec<char>]) -> Option<usize> {
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            while at < haystack.len() && !haystack[at].is_alphanumeric() {
                at += 1;
            }
        }
        let end = at + word.len();
        if end > haystack.len() || haystack[at..end] != word[..] {
            return None;
        }
        let last = index + 1 == words.len();
        if !last && haystack.get(end).is_some_and(|c| c.is_alphanumeric()) {
            return None;
        }
        at = end;
    }
    Some(at)
}

/// How a page answers a query: where its words are, and a passage to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageMatch {
    /// The words stand one after another as typed (else they are only somewhere on the page).
    pub together: bool,
    /// A one-line passage around the first match.
    pub snippet: String,
    /// Where that match is in `snippet` (character indices).
    pub snippet_mark: std::ops::Range<usize>,
    /// Every match on the page (character indices of `text`): the phrase where it stands
    /// together, else each word.
    pub marks: Vec<std::ops::Range<usize>>,
}

/// Characters of context on each side of a match in a passage.
pub const CONTEXT_CHARS: usize = 60;

/// Whether the page `text` holds every word of `query` (the last maybe unfinished), and where.
/// The same rule as the server's index, so a search without the server finds the same pages.
pub fn match_page(text: &str, query: &str) -> Option<PageMatch> {
    let words = words(query);
    if words.is_empty() {
        return None;
    }
    let mut marks = find(text, query);
    let together = !marks.is_empty();
    if !together {
        for word in &words {
            let found = find(text, word);
            if found.is_empty() {
                return None;
            }
            marks.extend(found);
        }
        marks.sort_by_key(|range| range.start);
    }
    let (snippet, snippet_mark) = snippet(text, marks[0].clone(), CONTEXT_CHARS);
    Some(PageMatch {
        together,
        snippet,
        snippet_mark,
        marks,
    })
}

/// A passage of `text` around `found` (character indices), at most about `context` characters
/// on each side, cut at spaces where it can, with "…" where it was cut; and where `found` is in
/// the passage (character indices of the passage).
pub fn snippet(text: &str, found: std::ops::Range<usize>, context: usize) -> (String, std::ops::Range<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let found = found.start.min(chars.len())..found.end.min(chars.len());
    let mut start = found.start.saturating_sub(context);
    let mut end = (found.end + context).min(chars.len());
    // Whole words: move the cuts out to the nearest space within a few characters.
    if start > 0 {
        if let Some(space) = chars[start..found.start].iter().position(|c| c.is_whitespace()) {
            start += space + 1;
        }
    }
    if end < chars.len() {
        if let Some(space) = chars[found.end..end].iter().rposition(|c| c.is_whitespace()) {
            end = found.end + space;
        }
    }
    // One line: every run of whitespace is one space, the mark moved with it.
    let mut passage = String::new();
    let mut length = 0;
    let mut mark = 0..0;
    if start > 0 {
        passage.push('…');
        length = 1;
    }
    let mut last_was_space = false;
    for (index, c) in chars.iter().enumerate().take(end).skip(start) {
        if index == found.start {
            mark.start = length;
        }
        if index == found.end {
            mark.end = length;
        }
        if c.is_whitespace() {
            if !last_was_space {
                passage.push(' ');
                length += 1;
            }
            last_was_space = true;
        } else {
            passage.push(*c);
            length += 1;
            last_was_space = false;
        }
    }
    if found.end >= end {
        mark.end = length;
    }
    if end < chars.len() {
        passage.push('…');
    }
    (passage, mark)
}

/// A search hit inside one run of a page's text layer: the run's index and the characters of
/// its text that match (indices of characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export, export_to = "../app-views/")]
pub struct RunMark {
    pub run: u32,
    pub start: u32,
    pub end: u32,
}

/// Where `query` matches the runs of a page's text layer, by the rule of [`match_page`] (the
/// words together where they stand so, else each word), a phrase that spans several runs marked
/// in each. The runs are read as one text, a line break between each two.
pub fn marks_in_runs(runs: &[&str], query: &str) -> Vec<RunMark> {
    let text = runs.join("\n");
    let Some(matched) = match_page(&text, query) else {
        return vec![];
    };
    // Where each run starts in the joined text, in characters.
    let mut starts = Vec::with_capacity(runs.len());
    let mut at = 0;
    for run in runs {
        starts.push(at);
        at += run.chars().count() + 1;
    }
    let mut marks = Vec::new();
    for range in matched.marks {
        for (index, run) in runs.iter().enumerate() {
            let (start, end) = (starts[index], starts[index] + run.chars().count());
            let (from, to) = (range.start.max(start), range.end.min(end));
            if from < to {
                marks.push(RunMark {
                    run: index as u32,
                    start: (from - start) as u32,
                    end: (to - start) as u32,
                });
            }
        }
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_folds_to_what_people_type() {
        let table = [
            ("Phòng họp không giấy", "phong hop khong giay"),
            ("ĐẠI BIỂU Hội đồng", "dai bieu hoi dong"),
            ("Nghị quyết số 12/NQ-HĐND", "nghi quyet so 12/nq-hdnd"),
            ("ưu tiên, ơn, ăn, ân, ê, ô", "uu tien, on, an, an, e, o"),
            ("Quyết Thắng", "quyet thang"),
            // Decomposed input (as some PDFs give it) folds the same.
            ("Pho\u{300}ng ho\u{323}p", "phong hop"),
            // A line break inside a phrase is one space.
            ("Phòng họp\n  không giấy", "phong hop khong giay"),
        ];
        for (text, expected) in table {
            assert_eq!(folded(text), expected, "{text}");
        }
    }

    #[test]
    fn every_way_of_typing_finds_the_same_place() {
        let text = "Triển khai Phòng họp không giấy tờ tại xã";
        let shown =
            |range: &std::ops::Range<usize>| text.chars().skip(range.start).take(range.len()).collect::<String>();
        for (query, expected) in [
            ("phong hop khong giay", "Phòng họp không giấy"),
            ("Phòng họp", "Phòng họp"),
            ("PHONG HOP", "Phòng họp"),
            ("phòng HỌP không", "Phòng họp không"),
            ("khong giay to", "không giấy tờ"),
        ] {
            let found = find(text, query);
            assert_eq!(found.iter().map(shown).collect::<Vec<_>>(), vec![expected], "{query}");
        }
        assert_eq!(find("Đà Nẵng và đà lạt", "da").len(), 2);
        // Words, not pieces of words; punctuation between them does not matter.
        assert!(find("Tổ chức họp", "uc hop").is_empty());
        assert!(
            find("Tổ chức họp", "to chu hop").is_empty(),
            "only the last word may be unfinished"
        );
        assert_eq!(find("và Ủy ban nhân dân 32 phường, xã từ", "32 phuong xa").len(), 1);
        assert_eq!(
            find("phòng họp không giấy", "phong hop khong gi").len(),
            1,
            "the last word may be unfinished"
        );
        assert!(find("phòng họpx", "phong hop khong").is_empty());
        assert!(find(text, "   ").is_empty());
        assert!(find(text, "hội đồng").is_empty());
    }

    #[test]
    fn a_page_matches_when_it_holds_every_word() {
        let page = "Phần 32. Kinh tế số\nMục 32.1: Trên lĩnh vực kinh tế số, xã hội";
        let apart = match_page(page, "32 phuong xa").map(|found| found.together);
        assert_eq!(apart, None, "\"phuong\" is not on the page");
        let apart = match_page(page, "32 xa").expect("both words are there");
        assert!(!apart.together);
        assert_eq!(apart.marks.len(), 3, "32, 32 and xã: {:?}", apart.marks);
        let together = match_page(page, "linh vuc kinh te").expect("the phrase is there");
        assert!(together.together);
        assert_eq!(together.marks.len(), 1);
        assert!(match_page(page, " , ").is_none());
    }

    #[test]
    fn a_phrase_broken_across_lines_is_found_and_shown_on_one_line() {
        let text = "Điều 1. Thông qua chủ trương triển khai Phòng họp\nkhông giấy tờ tại các kỳ họp của Hội đồng";
        let found = find(text, "phong hop khong giay");
        assert_eq!(found.len(), 1);
        let (passage, mark) = snippet(text, found[0].clone(), 20);
        assert_eq!(passage, "…trương triển khai Phòng họp không giấy tờ tại các kỳ họp…");
        let marked: String = passage.chars().skip(mark.start).take(mark.len()).collect();
        assert_eq!(marked, "Phòng họp không giấy");
        let (whole, mark) = snippet("Phòng họp", 0..9, 20);
        assert_eq!((whole.as_str(), mark), ("Phòng họp", 0..9));
        let text = "ý kiến của đại\r\nbiểu Hội đồng";
        let (spaced, mark) = snippet(text, find(text, "dai bieu")[0].clone(), 20);
        assert_eq!(spaced, "ý kiến của đại biểu Hội đồng");
        assert_eq!(
            spaced.chars().skip(mark.start).take(mark.len()).collect::<String>(),
            "đại biểu"
        );
    }

    #[test]
    fn marks_in_runs_follow_a_phrase_across_lines_and_count_characters() {
        let runs = [
            "Điều 1. Thông qua chủ trương triển khai phòng họp",
            "không giấy tại Hội đồng",
        ];
        let marks = marks_in_runs(&runs, "phong hop khong giay");
        assert_eq!(
            marks,
            vec![
                RunMark {
                    run: 0,
                    start: 40,
                    end: 49
                },
                RunMark {
                    run: 1,
                    start: 0,
                    end: 10
                },
            ]
        );
        let first: String = runs[0].chars().skip(40).take(9).collect();
        assert_eq!(first, "phòng họp");
        assert!(marks_in_runs(&runs, "ngân sách").is_empty());
        // Apart, each word is marked where it stands.
        let apart = marks_in_runs(&runs, "hoi dieu");
        assert_eq!(apart.iter().map(|mark| mark.run).collect::<Vec<_>>(), vec![0, 1]);
    }
}
