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

/// The places in `text` where `query` (folded) appears, as ranges of character indices of `text`.
pub fn find(text: &str, query: &str) -> Vec<std::ops::Range<usize>> {
    let needle = folded(query.trim());
    if needle.is_empty() {
        return vec![];
    }
    let (haystack, origins) = fold(text);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = haystack[from..].find(&needle) {
        let start_byte = from + offset;
        let end_byte = start_byte + needle.len();
        let start_char = haystack[..start_byte].chars().count();
        let end_char = start_char + haystack[start_byte..end_byte].chars().count();
        let first = origins[start_char];
        let last = origins[end_char - 1];
        found.push(first..last + 1);
        from = end_byte;
    }
    found
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
    let one_line =
        |slice: &[char]| -> String { slice.iter().map(|c| if c.is_whitespace() { ' ' } else { *c }).collect() };
    let mut passage = String::new();
    let mut offset = 0;
    if start > 0 {
        passage.push('…');
        offset = 1;
    }
    passage.push_str(&one_line(&chars[start..end]));
    if end < chars.len() {
        passage.push('…');
    }
    let mark = offset + found.start - start..offset + found.end - start;
    (passage, mark)
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
        assert!(find(text, "   ").is_empty());
        assert!(find(text, "hội đồng").is_empty());
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
    }
}
