//! A page's text as quotes are compared in: what PDFium's extraction changes between two
//! revisions of the same words (line breaks, spaces, a word hyphenated at a line's end, an accent
//! written as a separate mark) is taken out, and each character kept remembers where it stood.

use std::ops::Range;

use unicode_normalization::char::{canonical_combining_class, decompose_canonical};

/// Text canonically decomposed (NFD: "ệ" is e, U+0323, U+0302), without whitespace, invisible
/// characters (soft hyphens, PDFium's end-of-line hyphen U+0002, zero-width spaces, controls) or
/// hyphens between two letters ("Inter-\r\nnet" and "Internet" are one). Case and Vietnamese marks
/// stay: "Ủy ban" and "uy ban" differ.
#[derive(Debug, Clone, Default)]
pub(super) struct ComparableText {
    pub(super) chars: Vec<char>,
    /// For each of `chars`, the index of the character of the original text it comes from.
    origins: Vec<usize>,
}

impl ComparableText {
    pub(super) fn new(text: &str) -> ComparableText {
        let original: Vec<char> = text.chars().collect();
        let mut comparable = ComparableText {
            chars: Vec::with_capacity(original.len()),
            origins: Vec::with_capacity(original.len()),
        };
        for (index, &c) in original.iter().enumerate() {
            if c.is_whitespace() || is_invisible(c) || (is_hyphen(c) && joins_a_word(&original, index)) {
                continue;
            }
            decompose_canonical(c, |part| {
                comparable.chars.push(part);
                comparable.origins.push(index);
            });
        }
        comparable
    }

    pub(super) fn len(&self) -> usize {
        self.chars.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The characters of the original text that `range` (of `chars`, not empty) comes from, from
    /// the first to the last, with what was taken out between them.
    pub(super) fn original_range(&self, range: Range<usize>) -> Range<usize> {
        self.origins[range.start]..self.origins[range.end - 1] + 1
    }

    /// `chars` cut where the original text is cut at `cuts` (character indices of the original
    /// text, in order).
    pub(super) fn split_at_original(&self, cuts: [usize; 2]) -> [&[char]; 3] {
        let [first, second] = cuts.map(|cut| self.origins.partition_point(|&origin| origin < cut));
        [&self.chars[..first], &self.chars[first..second], &self.chars[second..]]
    }

    /// Whether `range` starts and ends on whole characters: not inside a letter and its marks (a
    /// quote "e" is not in "ệ").
    pub(super) fn on_whole_characters(&self, range: &Range<usize>) -> bool {
        let is_mark = |at: usize| self.chars.get(at).is_some_and(|&c| canonical_combining_class(c) != 0);
        !is_mark(range.start) && !is_mark(range.end)
    }

    /// `range` widened to whole characters.
    pub(super) fn widened_to_whole_characters(&self, range: Range<usize>) -> Range<usize> {
        let is_mark = |at: usize| self.chars.get(at).is_some_and(|&c| canonical_combining_class(c) != 0);
        let (mut start, mut end) = (range.start, range.end);
        while start > 0 && is_mark(start) {
            start -= 1;
        }
        while end < self.chars.len() && is_mark(end) {
            end += 1;
        }
        start..end
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
    ) || c.is_control()
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Whether the hyphen at `index` stands between two letters, maybe with a line break after it: a
/// word hyphenated at the end of a line, or written with a hyphen in one revision and without in
/// the other.
fn joins_a_word(text: &[char], index: usize) -> bool {
    let before = index.checked_sub(1).map(|before| text[before]);
    let after = text[index + 1..].iter().find(|c| !c.is_whitespace());
    before.is_some_and(char::is_alphabetic) && after.is_some_and(|c| c.is_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparable(text: &str) -> String {
        ComparableText::new(text).chars.into_iter().collect()
    }

    #[test]
    fn what_extraction_changes_is_taken_out() {
        let table = [
            ("Phòng họp\r\nkhông  giấy", "Phònghọpkhônggiấy"),
            ("qua Inter-\r\nnet", "quaInternet"),
            ("e-mail", "email"),
            ("hi\u{2}\r\nện", "hiện"),
            ("hi\u{AD}ện", "hiện"),
            ("Kinh tế - Xã hội", "Kinhtế-Xãhội"),
            ("COVID-\r\n19", "COVID-19"),
            ("Pho\u{300}ng", "Phòng"),
        ];
        for (text, expected) in table {
            let expected: String = expected
                .chars()
                .flat_map(|c| {
                    let mut parts = Vec::new();
                    decompose_canonical(c, |part| parts.push(part));
                    parts
                })
                .collect();
            assert_eq!(comparable(text), expected, "{text:?}");
        }
        assert_ne!(comparable("Ủy ban"), comparable("uy ban"));
        assert_ne!(comparable("Ủy ban"), comparable("Uy ban"));
    }

    #[test]
    fn characters_remember_where_they_stood() {
        let text = ComparableText::new("ab\r\ncd-\r\nef");
        assert_eq!(text.len(), 6);
        assert_eq!(text.original_range(1..3), 1..5, "b, the line break, c");
        assert_eq!(text.original_range(3..5), 5..10, "d, the hyphen and line break, e");
        let marked = ComparableText::new("ệ");
        assert_eq!(marked.len(), 3);
        assert!(!marked.on_whole_characters(&(0..1)));
        assert!(marked.on_whole_characters(&(0..3)));
        assert_eq!(marked.widened_to_whole_characters(1..2), 0..3);
    }
}
