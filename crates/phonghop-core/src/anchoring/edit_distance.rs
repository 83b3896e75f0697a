//! Edit distances between runs of characters (Levenshtein: an insertion, a deletion or a
//! substitution costs 1), of two whole runs and of a pattern against the nearest stretch of a
//! longer text (Sellers' variant), in two columns of memory.

use std::ops::Range;

/// How alike `a` and `b` are: 1 less their edit distance over the longer one's length (1 when
/// equal, 0 when nothing is shared). Two empty runs are alike.
pub(super) fn similarity(a: &[char], b: &[char]) -> f32 {
    let longer = a.len().max(b.len());
    if longer == 0 {
        return 1.0;
    }
    1.0 - distance(a, b) as f32 / longer as f32
}

/// The edit distance between `a` and `b`.
pub(super) fn distance(a: &[char], b: &[char]) -> usize {
    distances_by_end(a, b, Start::AtTheStart)[b.len()]
}

/// The stretch of `text` nearest to `pattern`, as a range of `text`, and its edit distance to
/// `pattern`. Of equally near stretches, the earliest; where a character at either end may as well
/// be left out as replaced ("năm 202" or "năm 2028" for "năm 2027"), replaced.
pub(super) fn nearest_stretch(pattern: &[char], text: &[char]) -> (Range<usize>, usize) {
    let (end, distance) = nearest_end(pattern, text, Start::Anywhere);
    // The stretch read backwards from its end finds where it starts.
    let backwards_pattern: Vec<char> = pattern.iter().rev().copied().collect();
    let backwards_text: Vec<char> = text[..end].iter().rev().copied().collect();
    let (length, _) = nearest_end(&backwards_pattern, &backwards_text, Start::AtTheStart);
    (end - length..end, distance)
}

/// Where a stretch of the text compared with a pattern may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    AtTheStart,
    Anywhere,
}

/// The end of the stretch of `text` nearest to `pattern` and its distance: the first of the
/// nearest, moved on while the next end is as near (a character replaced rather than left out).
fn nearest_end(pattern: &[char], text: &[char], start: Start) -> (usize, usize) {
    let distances = distances_by_end(pattern, text, start);
    let nearest = distances.iter().copied().min().unwrap_or(pattern.len());
    let mut end = distances.iter().position(|&distance| distance == nearest).unwrap_or(0);
    while distances.get(end + 1) == Some(&nearest) {
        end += 1;
    }
    (end, nearest)
}

/// For each end from 0 to `text.len()`, the edit distance of `pattern` to the nearest stretch of
/// `text` that ends there and starts where `start` says.
fn distances_by_end(pattern: &[char], text: &[char], start: Start) -> Vec<usize> {
    // column[i]: the distance of pattern[..i] to the nearest stretch ending at the current end.
    let mut column: Vec<usize> = (0..=pattern.len()).collect();
    let mut distances = Vec::with_capacity(text.len() + 1);
    distances.push(pattern.len());
    for (end, &c) in (1..).zip(text) {
        let mut diagonal = column[0];
        column[0] = match start {
            Start::AtTheStart => end,
            Start::Anywhere => 0,
        };
        for (i, &p) in pattern.iter().enumerate() {
            let substituted = diagonal + usize::from(p != c);
            diagonal = column[i + 1];
            column[i + 1] = substituted.min(column[i] + 1).min(diagonal + 1);
        }
        distances.push(column[pattern.len()]);
    }
    distances
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    #[test]
    fn distance_counts_insertions_deletions_and_substitutions() {
        let table = [
            ("", "", 0),
            ("abc", "", 3),
            ("", "abc", 3),
            ("kitten", "sitting", 3),
            ("thành phố", "thành phô", 1),
            ("Điều 1", "Điều 1", 0),
            ("flaw", "lawn", 2),
        ];
        for (a, b, expected) in table {
            assert_eq!(distance(&chars(a), &chars(b)), expected, "{a} / {b}");
            assert_eq!(distance(&chars(b), &chars(a)), expected, "{b} / {a}");
        }
        assert_eq!(similarity(&chars("abcd"), &chars("abcx")), 0.75);
        assert_eq!(similarity(&[], &[]), 1.0);
    }

    #[test]
    fn the_nearest_stretch_is_found_anywhere_in_the_text() {
        let table = [
            ("họp", "phòng họp không", 6..9, 0),
            ("phòng hop", "các phòng họp", 4..13, 1),
            ("abc", "xxabxcxx", 2..6, 1),
            ("năm 2027", "năm 2028.", 0..8, 1),
            ("năm 2027", "ngày năm 027", 5..12, 1),
            ("abc", "", 0..0, 3),
        ];
        for (pattern, text, range, distance) in table {
            assert_eq!(
                nearest_stretch(&chars(pattern), &chars(text)),
                (range, distance),
                "{pattern} in {text}"
            );
        }
    }
}
