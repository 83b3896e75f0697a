//! What changed between two revisions of a document, from the text PDFium extracted of each page.
//!
//! [`revision_changes`] compares two ways:
//! - Pages: a diff of the pages' text lists the pages of one revision whose text is nowhere in the
//!   other. A page that was only edited resembles a page of the other revision (more than half of
//!   its words in order) and is neither added nor removed.
//! - Passages: each revision's text is cut into passages (paragraphs; in a resolution, each
//!   article starts one), the two sequences are diffed, and a removed passage and an added one that
//!   resemble each other, or start with the same heading, are paired as one changed passage.
//!
//! PDFium gives a page's text as lines broken where the page broke them, seldom with a blank line
//! between paragraphs. The pages are read as one run of lines (a page break joins like a line
//! break; a bare page number at the top or bottom of a page is dropped), and a line starts a new
//! passage when:
//! - it is a heading: "Điều 4." or "Điều 4:", "Chương II", "Mục 2", "Phần I" (in capitals too);
//! - it starts a numbered clause or an item: "1.", "1.2.", "2)", "a)", "đ)", "- ", "+ ", "• ";
//! - the line before it was blank;
//! - it changes between capitals and ordinary text ("QUYẾT NGHỊ:" after the preamble, the title
//!   after the letterhead);
//! - the line before it is short (under 70% of the page's full lines) and it starts with a capital:
//!   a paragraph's last line.
//!
//! Nothing counts as changed that only moves whitespace, line or page breaks, hyphenates a word at
//! the end of a line, or writes an accent as a separate combining mark: passages are compared in
//! NFC without whitespace, soft hyphens, invisible characters or hyphens inside words, and a run of
//! passages cut differently but with the same text is no change.

use std::collections::{HashMap, HashSet};

use phonghop_protocol::{ChangedPassage, PassageChange, RevisionChanges};
use similar::{capture_diff_slices, get_diff_ratio, Algorithm, DiffTag};
use unicode_normalization::UnicodeNormalization;

/// Most passages listed; [`RevisionChanges::more_passages`] says there were more.
pub const MAX_PASSAGES: usize = 200;
/// Longest passage text given, in characters, before it is cut and ends in "…".
pub const MAX_PASSAGE_CHARS: usize = 2000;

/// Two passages (or pages) are one edited when more than this share of their words match in order.
const SIMILAR_ENOUGH: f32 = 0.5;
/// A line shorter than this share of the page's full lines ends its paragraph.
const SHORT_LINE: f32 = 0.7;
/// How far from the diagonal of a replaced run two passages are compared, beyond how much the
/// run's two sides differ in length.
const PAIRING_BAND: usize = 8;
/// A replaced run larger than this (old passages × new ones) is listed as removed and added
/// without pairing: the document was rewritten.
const MAX_PAIRING_CELLS: usize = 250_000;
/// Two texts longer than this, in words together, are compared by their words regardless of order:
/// diffing them in order could take long.
const MAX_ORDERED_WORDS: usize = 1000;
const SOFT_HYPHEN: char = '\u{AD}';

/// What changed from the revision whose pages' text is `before` to the one whose pages' text is
/// `after` (one string a page, in order).
pub fn revision_changes(before: &[String], after: &[String]) -> RevisionChanges {
    let before: Vec<Vec<String>> = before.iter().map(|text| page_lines(text)).collect();
    let after: Vec<Vec<String>> = after.iter().map(|text| page_lines(text)).collect();
    let (pages_added, pages_removed) = changed_pages(&before, &after);
    let old = passages(&before);
    let new = passages(&after);
    let mut changed = align(&old, &new).into_iter().filter_map(|step| match step {
        Step::Removed(i) => listed(PassageChange::Removed, Some(&old[i]), None),
        Step::Added(j) => listed(PassageChange::Added, None, Some(&new[j])),
        Step::Paired(i, j) if old[i].key == new[j].key => None,
        Step::Paired(i, j) => listed(PassageChange::Changed, Some(&old[i]), Some(&new[j])),
    });
    let passages: Vec<ChangedPassage> = changed.by_ref().take(MAX_PASSAGES).collect();
    RevisionChanges {
        pages_before: page_count(before.len()),
        pages_after: page_count(after.len()),
        pages_added,
        pages_removed,
        passages,
        more_passages: changed.next().is_some(),
    }
}

/// The pages added (in the new revision) and removed (in the old one), from each page's lines.
fn changed_pages(before: &[Vec<String>], after: &[Vec<String>]) -> (Vec<u32>, Vec<u32>) {
    let old = page_units(before);
    let new = page_units(after);
    let old_keys: HashSet<&str> = old.iter().map(|page| page.key.as_str()).collect();
    let new_keys: HashSet<&str> = new.iter().map(|page| page.key.as_str()).collect();
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    for step in align(&old, &new) {
        match step {
            Step::Added(j) if !old_keys.contains(new[j].key.as_str()) => added.push(new[j].page),
            Step::Removed(i) if !new_keys.contains(old[i].key.as_str()) => removed.push(old[i].page),
            _ => {}
        }
    }
    (added, removed)
}

/// A passage as listed: its texts `before` and `after`, where it is in the new revision (in the old
/// one when removed).
fn listed(change: PassageChange, before: Option<&Unit>, after: Option<&Unit>) -> Option<ChangedPassage> {
    let place = after.or(before)?;
    let text = |unit: Option<&Unit>| unit.map_or_else(String::new, |unit| clip(&unit.text));
    Some(ChangedPassage {
        section: place.section.clone(),
        change,
        before: text(before),
        after: text(after),
        page: place.page,
    })
}

/// `text` cut to [`MAX_PASSAGE_CHARS`] characters, with "…" when cut.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_PASSAGE_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn page_count(pages: usize) -> u32 {
    u32::try_from(pages).unwrap_or(u32::MAX)
}

/// A passage or a page.
#[derive(Debug)]
struct Unit {
    /// Its lines joined: whitespace collapsed, hyphenation at line ends undone.
    text: String,
    /// What is compared: `text` without whitespace or hyphens inside words.
    key: String,
    /// The label of the heading it starts with ("Điều 4").
    heading: Option<String>,
    /// The label of the nearest heading at or above it.
    section: Option<String>,
    /// The page it starts on.
    page: u32,
}

impl Unit {
    fn new(lines: &[String], heading: Option<String>, section: Option<String>, page: u32) -> Unit {
        let text = join_lines(lines);
        let key = key_of(&text);
        Unit {
            text,
            key,
            heading,
            section,
            page,
        }
    }
}

/// One difference between two sequences of units, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Removed(usize),
    Added(usize),
    /// An old unit and the new one it became.
    Paired(usize, usize),
}

impl Step {
    /// The step with its indices counted from `old` and `new` on.
    fn after(self, old: usize, new: usize) -> Step {
        match self {
            Step::Removed(i) => Step::Removed(old + i),
            Step::Added(j) => Step::Added(new + j),
            Step::Paired(i, j) => Step::Paired(old + i, new + j),
        }
    }
}

/// The differences from `old` to `new`, in order.
fn align(old: &[Unit], new: &[Unit]) -> Vec<Step> {
    let old_keys: Vec<&str> = old.iter().map(|unit| unit.key.as_str()).collect();
    let new_keys: Vec<&str> = new.iter().map(|unit| unit.key.as_str()).collect();
    let mut steps = Vec::new();
    for op in capture_diff_slices(Algorithm::Patience, &old_keys, &new_keys) {
        let (tag, olds, news) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {}
            DiffTag::Delete => steps.extend(olds.map(Step::Removed)),
            DiffTag::Insert => steps.extend(news.map(Step::Added)),
            DiffTag::Replace => {
                let old_text = old_keys[olds.clone()].iter().flat_map(|key| key.chars());
                if old_text.eq(new_keys[news.clone()].iter().flat_map(|key| key.chars())) {
                    continue; // the same text, cut into passages differently
                }
                let run = pair(&old[olds.clone()], &new[news.clone()]);
                steps.extend(run.into_iter().map(|step| step.after(olds.start, news.start)));
            }
        }
    }
    steps
}

/// A run of old units replaced by a run of new ones: which old one each new one was. Units pair
/// in order when they resemble each other or start with the same heading, choosing the pairs that
/// resemble each other most in all (so an article renumbered pairs with its own text, not with the
/// new article that took its number); the rest are removed or added.
fn pair(old: &[Unit], new: &[Unit]) -> Vec<Step> {
    let (m, k) = (old.len(), new.len());
    if m.saturating_mul(k) > MAX_PAIRING_CELLS {
        return (0..m).map(Step::Removed).chain((0..k).map(Step::Added)).collect();
    }
    let (old_words, new_words) = (words(old), words(new));
    let band = PAIRING_BAND + m.abs_diff(k);
    let score = |i: usize, j: usize| -> Option<f32> {
        let same_heading = old[i].heading.is_some() && old[i].heading == new[j].heading;
        let near = (i * k / m).abs_diff(j) <= band;
        let ratio = if near {
            similarity(&old_words[i], &new_words[j])
        } else {
            0.0
        };
        (ratio > SIMILAR_ENOUGH || same_heading).then_some(ratio)
    };
    // best[i][j]: the most similarity pairing old[i..] with new[j..] can reach.
    let width = k + 1;
    let mut best = vec![0.0f32; (m + 1) * width];
    let mut scores = vec![None; m * k];
    for i in (0..m).rev() {
        for j in (0..k).rev() {
            let skip = best[(i + 1) * width + j].max(best[i * width + j + 1]);
            scores[i * k + j] = score(i, j);
            best[i * width + j] = match scores[i * k + j] {
                Some(score) => skip.max(score + best[(i + 1) * width + j + 1]),
                None => skip,
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut steps = Vec::with_capacity(m + k);
    while i < m && j < k {
        let here = best[i * width + j];
        if scores[i * k + j].is_some_and(|score| score + best[(i + 1) * width + j + 1] == here) {
            steps.push(Step::Paired(i, j));
            (i, j) = (i + 1, j + 1);
        } else if best[(i + 1) * width + j] == here {
            steps.push(Step::Removed(i));
            i += 1;
        } else {
            steps.push(Step::Added(j));
            j += 1;
        }
    }
    steps.extend((i..m).map(Step::Removed));
    steps.extend((j..k).map(Step::Added));
    steps
}

/// Each unit's words.
fn words(units: &[Unit]) -> Vec<Vec<&str>> {
    units
        .iter()
        .map(|unit| unit.text.split_whitespace().collect())
        .collect()
}

/// The share of the two texts' words that match in order (similar's ratio). Cheaper first: 0 when
/// even their words regardless of order could not reach [`SIMILAR_ENOUGH`]; the share regardless
/// of order when they are longer than [`MAX_ORDERED_WORDS`] (whole pages).
fn similarity(old: &[&str], new: &[&str]) -> f32 {
    let total = old.len() + new.len();
    if total == 0 {
        return 1.0;
    }
    let mut counts: HashMap<&str, isize> = HashMap::new();
    for word in old {
        *counts.entry(word).or_default() += 1;
    }
    let mut common = 0;
    for word in new {
        if let Some(count) = counts.get_mut(word).filter(|count| **count > 0) {
            *count -= 1;
            common += 1;
        }
    }
    let unordered = (2 * common) as f32 / total as f32;
    if unordered <= SIMILAR_ENOUGH {
        return 0.0;
    }
    if total > MAX_ORDERED_WORDS {
        return unordered;
    }
    let ops = capture_diff_slices(Algorithm::Myers, old, new);
    get_diff_ratio(&ops, old.len(), new.len())
}

/// Each page as one unit, from its lines, to tell pages added and removed.
fn page_units(pages: &[Vec<String>]) -> Vec<Unit> {
    pages
        .iter()
        .zip(0..)
        .map(|(lines, page)| {
            let lines: Vec<String> = lines.iter().filter(|line| !line.is_empty()).cloned().collect();
            Unit::new(&lines, None, None, page)
        })
        .collect()
}

/// The passages of a revision, in order, from each page's lines.
fn passages(pages: &[Vec<String>]) -> Vec<Unit> {
    let mut cutter = Cutter::default();
    for (lines, page) in pages.iter().zip(0..) {
        for (line, short) in lines.iter().zip(short_lines(lines)) {
            cutter.line(line.clone(), short, page);
        }
    }
    cutter.close();
    cutter.passages
}

/// Cuts a run of lines into passages.
#[derive(Debug, Default)]
struct Cutter {
    passages: Vec<Unit>,
    /// The passage being read: its lines, heading and page.
    open: Option<(Vec<String>, Option<String>, u32)>,
    /// The label of the last heading read.
    section: Option<String>,
    /// Whether the last line with letters was in capitals.
    capitals: Option<bool>,
    /// Whether the line before was short (a paragraph's last line).
    short: bool,
}

impl Cutter {
    fn line(&mut self, line: String, short: bool, page: u32) {
        if line.is_empty() {
            self.close();
            self.capitals = None;
            self.short = false;
            return;
        }
        let heading = heading_label(&line);
        let capitals = in_capitals(&line);
        let starts = self.open.is_none()
            || heading.is_some()
            || starts_clause(&line)
            || matches!((self.capitals, capitals), (Some(before), Some(now)) if before != now)
            || (self.short && line.starts_with(char::is_uppercase));
        if starts {
            self.close();
            if heading.is_some() {
                self.section.clone_from(&heading);
            }
            self.open = Some((Vec::new(), heading, page));
        }
        if let Some((lines, _, _)) = &mut self.open {
            lines.push(line);
        }
        self.capitals = capitals.or(self.capitals);
        self.short = short;
    }

    fn close(&mut self) {
        if let Some((lines, heading, page)) = self.open.take() {
            let passage = Unit::new(&lines, heading, self.section.clone(), page);
            if !passage.key.is_empty() {
                self.passages.push(passage);
            }
        }
    }
}

/// A page's lines, in NFC, cleaned (see [`clean_line`]), without blank lines or bare page numbers
/// at the top or bottom. Blank lines inside stay, empty.
fn page_lines(text: &str) -> Vec<String> {
    let text: String = text.replace("\r\n", "\n").nfc().collect();
    let mut lines: Vec<String> = text.split(['\n', '\r']).map(clean_line).collect();
    for _ in 0..2 {
        while lines.last().is_some_and(|line| line.is_empty() || is_page_number(line)) {
            lines.pop();
        }
        lines.reverse();
    }
    lines
}

/// `line` with runs of whitespace as one space, no whitespace at the ends, and no control or
/// invisible characters; PDFium's mark for a hyphen at a line's end (U+0002) as a soft hyphen.
fn clean_line(line: &str) -> String {
    let mut cleaned = String::with_capacity(line.len());
    for word in line.split_whitespace() {
        let word: String = word
            .chars()
            .filter_map(|c| match c {
                '\u{2}' => Some(SOFT_HYPHEN),
                '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}' => None,
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect();
        if !word.is_empty() {
            if !cleaned.is_empty() {
                cleaned.push(' ');
            }
            cleaned.push_str(&word);
        }
    }
    cleaned
}

/// A page number alone on a line: "3", "- 3 -".
fn is_page_number(line: &str) -> bool {
    let number = line.trim_matches(|c: char| c == ' ' || is_hyphen(c) || c == '–' || c == '—');
    (1..=3).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit())
}

/// For each line, whether it is short of the page's full lines (the longest but a tenth).
fn short_lines(lines: &[String]) -> Vec<bool> {
    let lengths: Vec<usize> = lines.iter().map(|line| line.chars().count()).collect();
    let mut sorted: Vec<usize> = lengths.iter().copied().filter(|&length| length > 0).collect();
    sorted.sort_unstable();
    let full = sorted
        .get(sorted.len() * 9 / 10)
        .or(sorted.last())
        .copied()
        .unwrap_or(0);
    lengths
        .iter()
        .map(|&length| (length as f32) < full as f32 * SHORT_LINE)
        .collect()
}

/// Lines joined with a space, except where a line ends in a hyphen that splits a word: then with
/// nothing, and without the hyphen when it is soft or the next line goes on in lower case.
fn join_lines(lines: &[String]) -> String {
    let mut text = String::new();
    for line in lines {
        let next = line.chars().next();
        let hyphen = ends_in_word_hyphen(&text);
        if text.ends_with(SOFT_HYPHEN) || (hyphen && next.is_some_and(char::is_lowercase)) {
            text.pop();
        } else if !(text.is_empty() || (hyphen && next.is_some_and(char::is_alphanumeric))) {
            text.push(' ');
        }
        text.push_str(line);
    }
    text.retain(|c| c != SOFT_HYPHEN);
    text
}

/// Whether `text` ends in a hyphen right after a letter ("Inter-").
fn ends_in_word_hyphen(text: &str) -> bool {
    let mut end = text.chars().rev();
    end.next().is_some_and(is_hyphen) && end.next().is_some_and(char::is_alphabetic)
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// What two passages are compared by: `text` without whitespace, and without hyphens between two
/// letters ("e-mail" and "email" are one).
fn key_of(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let inside_word =
        |i: usize| i > 0 && chars[i - 1].is_alphabetic() && chars.get(i + 1).is_some_and(|c| c.is_alphabetic());
    chars
        .iter()
        .enumerate()
        .filter(|&(i, &c)| !(c.is_whitespace() || (is_hyphen(c) && inside_word(i))))
        .map(|(_, &c)| c)
        .collect()
}

/// Whether a line is in capitals (`Some(true)`), in ordinary text (`Some(false)`), or has too few
/// letters to tell (`None`).
fn in_capitals(line: &str) -> Option<bool> {
    let mut letters = line.chars().filter(|c| c.is_alphabetic());
    let (first, second) = (letters.next()?, letters.next()?);
    Some(![first, second].into_iter().chain(letters).any(char::is_lowercase))
}

/// The label of the heading `line` starts with: "Điều 4" for "Điều 4. Hiệu lực thi hành",
/// "Chương II" for "CHƯƠNG II" or "Chương II. QUY ĐỊNH CHUNG".
fn heading_label(line: &str) -> Option<String> {
    let (word, rest) = line.split_once(' ')?;
    let kind = match word {
        "Điều" | "ĐIỀU" => "Điều",
        "Chương" | "CHƯƠNG" => "Chương",
        "Mục" | "MỤC" => "Mục",
        "Phần" | "PHẦN" => "Phần",
        _ => return None,
    };
    let number_end = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
    let (number, after) = rest.split_at(number_end);
    let arabic = (1..=3).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit());
    let roman = (1..=7).contains(&number.len()) && number.chars().all(|c| "IVXLC".contains(c));
    let after = after.trim_start();
    let ends = if kind == "Điều" {
        arabic && after.starts_with(['.', ':'])
    } else {
        (arabic || roman)
            && (after.is_empty()
                || after.starts_with(['.', ':', '-', '–', '—'])
                || after.starts_with(char::is_uppercase))
    };
    ends.then(|| format!("{kind} {number}"))
}

/// Whether `line` starts a numbered clause or an item: "1. …", "1.2. …", "2) …", "a) …", "- …".
fn starts_clause(line: &str) -> bool {
    let Some((marker, _)) = line.split_once(' ') else {
        return false;
    };
    if matches!(marker, "-" | "–" | "+" | "•") {
        return true;
    }
    let Some(body) = marker.strip_suffix(['.', ')']) else {
        return false;
    };
    let numbered = body
        .split('.')
        .all(|part| (1..=2).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit()));
    let mut letters = body.chars();
    let lettered = marker.ends_with(')') && letters.next().is_some_and(char::is_lowercase) && letters.next().is_none();
    numbered || lettered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_known_by_their_label() {
        let table = [
            ("Điều 4. Văn phòng HĐND và UBND thành phố", Some("Điều 4")),
            ("Điều 12: Hiệu lực thi hành", Some("Điều 12")),
            ("ĐIỀU 3. HIỆU LỰC", Some("Điều 3")),
            ("Chương II", Some("Chương II")),
            ("CHƯƠNG IV QUY ĐỊNH CHUNG", Some("Chương IV")),
            ("Chương 2. Tổ chức thực hiện", Some("Chương 2")),
            ("Mục 1. Kỳ họp", Some("Mục 1")),
            ("Phần I", Some("Phần I")),
            // References and ordinary words are not headings.
            ("Điều 5 của Luật Tổ chức chính quyền địa phương", None),
            ("Chương trình kỳ họp thứ mười", None),
            ("Mục tiêu của Nghị quyết", None),
            ("Mục 2 của Chương II", None),
            ("Điều", None),
        ];
        for (line, label) in table {
            assert_eq!(heading_label(line).as_deref(), label, "{line}");
        }
    }

    #[test]
    fn clauses_and_items_start_passages() {
        for line in [
            "1. Thông qua",
            "12) Giao",
            "1.2. Nội dung",
            "a) Ủy ban",
            "đ) Các ban",
            "- Ủy ban",
            "+ Các ban",
        ] {
            assert!(starts_clause(line), "{line}");
        }
        for line in [
            "2027.",
            "2027. Hội đồng",
            "A. Nguyễn",
            "ab) Hai chữ",
            "-Liền",
            "thành phố",
        ] {
            assert!(!starts_clause(line), "{line}");
        }
    }

    #[test]
    fn lines_join_undoing_hyphenation() {
        let lines = |lines: &[&str]| lines.iter().map(|line| line.to_string()).collect::<Vec<_>>();
        assert_eq!(join_lines(&lines(&["Kinh tế -", "Xã hội"])), "Kinh tế - Xã hội");
        assert_eq!(join_lines(&lines(&["qua Inter-", "net"])), "qua Internet");
        assert_eq!(join_lines(&lines(&["COVID-", "19"])), "COVID-19");
        assert_eq!(join_lines(&lines(&["hi\u{AD}", "ện"])), "hiện");
        assert_eq!(key_of("e-mail và Kinh tế - Xã hội"), key_of("email và Kinh tế -Xã hội"));
        assert_ne!(key_of("Kinh tế - Xã hội"), key_of("Kinh tế Xã hội"));
    }

    #[test]
    fn long_text_is_cut_on_a_character() {
        let text = "ầ".repeat(MAX_PASSAGE_CHARS + 1);
        let clipped = clip(&text);
        assert_eq!(clipped.chars().count(), MAX_PASSAGE_CHARS + 1);
        assert!(clipped.ends_with("ầ…"));
        assert_eq!(clip("Điều 1."), "Điều 1.");
    }
}
