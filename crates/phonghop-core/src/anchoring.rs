//! Carrying annotations onto a document's next revision: for each, which characters of which page
//! of the new revision its quoted words are, or why it cannot be placed with confidence. The app
//! turns those characters into places on the page from PDFium's character boxes; nothing here
//! reads a PDF.
//!
//! Texts are compared as PDFium's extraction of the same words may differ between two revisions
//! (`comparable.rs`): line breaks, spaces, a word hyphenated at a line's end and an accent written
//! as a separate mark do not count; case and Vietnamese marks do. [`locate`] places a quote by
//! these rules, in order:
//! 1. Its words found as they were: there, if only once in the revision. Found several times:
//!    where the text around them is most like the quote's prefix and suffix, then on the page
//!    nearest the annotation's own.
//! 2. Not found as they were, and at least [`MIN_FUZZY_CHARS`] long: the stretch of text nearest
//!    to them by edit distance, if at least [`FUZZY_SIMILARITY`] alike; the nearest stretches are
//!    sought only where pieces of the quote (four characters) stand in line, never by comparing
//!    the quote with every stretch of the revision.
//! 3. A short quote (under [`SHORT_QUOTE_CHARS`], a few words, as ink and notes have for the text
//!    nearest them) is placed only where the text around it is still at least
//!    [`SHORT_QUOTE_CONTEXT`] alike: a few words alone are found in too many places.
//!
//! What none of these places is [`Placement::Unplaced`] with an [`UnplacedReason`]: [`carry_over`]
//! lists it, so the app shows it with its old page beside the new revision; nothing is dropped.

mod comparable;
mod edit_distance;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use phonghop_protocol::{Annotation, AnnotationBody, AnnotationId, TextQuote};
use serde::Serialize;
use similar::{capture_diff_slices, get_diff_ratio, Algorithm};
use ts_rs::TS;

use comparable::ComparableText;
use edit_distance::{nearest_stretch, similarity};

/// Characters of the page's text [`quote_at`] keeps before and after the quoted words: about five
/// Vietnamese words, enough to tell apart the same words in two places of a resolution ("Ủy ban
/// nhân dân thành phố" stands in most of its articles).
pub const CONTEXT_CHARS: usize = 32;

/// How alike (1 less the edit distance over the longer length) the words found must be to the
/// quoted words when they are not found as they were: one character in five may differ, about
/// one syllable in five, or a tone mark in most syllables. A highlight whose wording changed more
/// than that goes to the list for its author to judge rather than onto words they did not mark.
pub const FUZZY_SIMILARITY: f32 = 0.8;

/// Quotes shorter than this (compared characters: letters and marks, without spaces) are placed
/// only where found as they were: with one character in five allowed to differ, a shorter quote
/// is near to too much.
pub const MIN_FUZZY_CHARS: usize = 12;

/// Quotes shorter than this (compared characters, about three words) need the text around them.
pub const SHORT_QUOTE_CHARS: usize = 16;

/// How alike the text around a short quote must still be to its prefix and suffix.
pub const SHORT_QUOTE_CONTEXT: f32 = 0.5;

/// An annotation without quoted text stays on its page when the new revision's page of the same
/// number is at least this alike to the old one (the share of characters that match in order):
/// the same page with a word or two changed, not another page.
pub const UNCHANGED_PAGE_SIMILARITY: f32 = 0.95;

/// Where a cut of the context may move to fall between two words, at most.
const WORD_CUT_CHARS: usize = 10;
/// The pieces of a quote that are sought to find where it may stand, in compared characters.
const PIECE_CHARS: usize = 4;
/// Pieces found at about the same place (within this many characters) count together.
const PIECE_BUCKET_CHARS: usize = 8;
/// The places with the most pieces in line compared with the quote, at most.
const MAX_FUZZY_CANDIDATES: usize = 32;

/// The quote of the characters `range` (indices of characters, not bytes) of a page's text: the
/// words themselves and about [`CONTEXT_CHARS`] characters before and after them, cut between two
/// words where one is near (so starting and ending with a word, not a space); each with every run
/// of whitespace (PDFium's line breaks) as one space.
pub fn quote_at(page_text: &str, range: Range<usize>) -> TextQuote {
    let chars: Vec<char> = page_text.chars().collect();
    let end = range.end.min(chars.len());
    let start = range.start.min(end);
    let mut prefix_start = start.saturating_sub(CONTEXT_CHARS);
    if inside_a_word(&chars, prefix_start) {
        let near = &chars[prefix_start..start.min(prefix_start + WORD_CUT_CHARS)];
        if let Some(space) = near.iter().position(|c| c.is_whitespace()) {
            prefix_start += space;
        }
    }
    while prefix_start < start && chars[prefix_start].is_whitespace() {
        prefix_start += 1;
    }
    let mut suffix_end = (end + CONTEXT_CHARS).min(chars.len());
    if inside_a_word(&chars, suffix_end) {
        let from = end.max(suffix_end.saturating_sub(WORD_CUT_CHARS));
        if let Some(space) = chars[from..suffix_end].iter().rposition(|c| c.is_whitespace()) {
            suffix_end = from + space;
        }
    }
    while suffix_end > end && chars[suffix_end - 1].is_whitespace() {
        suffix_end -= 1;
    }
    TextQuote {
        exact: one_line(&chars[start..end]),
        prefix: one_line(&chars[prefix_start..start]),
        suffix: one_line(&chars[end..suffix_end]),
    }
}

/// Whether a cut before the character at `at` falls inside a word.
fn inside_a_word(chars: &[char], at: usize) -> bool {
    at > 0 && at < chars.len() && !chars[at - 1].is_whitespace() && !chars[at].is_whitespace()
}

/// `chars` with every run of whitespace as one space.
fn one_line(chars: &[char]) -> String {
    let mut line = String::with_capacity(chars.len());
    for &c in chars {
        if !c.is_whitespace() {
            line.push(c);
        } else if !line.ends_with(' ') {
            line.push(' ');
        }
    }
    line
}

/// Where a quote stands in a revision, or why it cannot be placed.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    Placed(QuotePlace),
    Unplaced(UnplacedReason),
}

/// The words of a quote in a revision.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotePlace {
    /// 0-based.
    pub page: u32,
    /// Characters of the page's text (indices of characters, not bytes), from the first word's
    /// first to the last word's last, with the line breaks between them.
    pub range: Range<usize>,
    /// The words are the quote's, but for spacing, line breaks and hyphenation.
    pub exact: bool,
    /// How alike they are to the quote's: 1 when exact, at least [`FUZZY_SIMILARITY`] otherwise.
    pub score: f32,
}

/// Why an annotation could not be placed on the new revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../app-views/")]
pub enum UnplacedReason {
    /// No text of the new revision is near enough to the quoted words: they were rewritten or
    /// removed.
    TextGone,
    /// The quoted words are a few only and stand nowhere with the text that was around them.
    ContextChanged,
    /// Without quoted text, kept by its page: the new revision has no such page.
    PageGone,
    /// Without quoted text, kept by its page: that page's text changed.
    PageChanged,
}

/// Where `quote` stands in a revision whose pages' text is `pages` (one string a page, as PDFium
/// extracts it), by the rules of this module; `hint_page` is the page it was on (0-based), which
/// is preferred between equally good places.
pub fn locate(quote: &TextQuote, pages: &[String], hint_page: u32) -> Placement {
    RevisionText::new(pages).locate(&ComparableQuote::new(quote), hint_page)
}

/// What an annotation holds on to in its revision: its page and, for text marked or ink and notes
/// near text, the quoted words.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub id: AnnotationId,
    /// 0-based.
    pub page: u32,
    pub quote: Option<TextQuote>,
}

/// The words an annotation holds on to: the marked words, or those ink and notes were near.
pub fn quote_of(body: &AnnotationBody) -> Option<&TextQuote> {
    match body {
        AnnotationBody::Highlight { quote, .. }
        | AnnotationBody::Underline { quote, .. }
        | AnnotationBody::StrikeOut { quote, .. } => Some(quote),
        AnnotationBody::Ink { near, .. }
        | AnnotationBody::Note { near, .. }
        | AnnotationBody::FreeText { near, .. } => near.as_ref(),
    }
}

impl From<&Annotation> for Anchor {
    fn from(annotation: &Annotation) -> Anchor {
        Anchor {
            id: annotation.id.clone(),
            page: annotation.page,
            quote: quote_of(&annotation.body).cloned(),
        }
    }
}

/// A revision's annotations carried onto the next: each either placed or unplaced, never both,
/// never neither.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CarryOver {
    pub placed: Vec<PlacedAnnotation>,
    pub unplaced: Vec<UnplacedAnnotation>,
}

/// An annotation placed on the new revision.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedAnnotation {
    pub id: AnnotationId,
    pub old_page: u32,
    pub page: u32,
    /// The characters of the new page's text its quote was found at; `None` for one without
    /// quoted text, kept where it was on its page because the page's text did not change.
    pub range: Option<Range<usize>>,
    /// Found as it was: the quote's very words, or a page with the very same text.
    pub exact: bool,
    /// How alike what it holds on to is to what it held on to (1 when exact).
    pub score: f32,
}

impl PlacedAnnotation {
    fn by_quote(anchor: &Anchor, place: QuotePlace) -> PlacedAnnotation {
        PlacedAnnotation {
            id: anchor.id.clone(),
            old_page: anchor.page,
            page: place.page,
            range: Some(place.range),
            exact: place.exact,
            score: place.score,
        }
    }

    /// Kept on its page, whose text is `similarity` alike to the old page's.
    fn by_page(anchor: &Anchor, similarity: f32) -> PlacedAnnotation {
        PlacedAnnotation {
            id: anchor.id.clone(),
            old_page: anchor.page,
            page: anchor.page,
            range: None,
            exact: similarity == 1.0,
            score: similarity,
        }
    }
}

/// An annotation that could not be placed on the new revision, shown in a list with its old page.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct UnplacedAnnotation {
    pub id: AnnotationId,
    /// The page it was on in the old revision, 0-based.
    pub old_page: u32,
    pub reason: UnplacedReason,
}

/// Every annotation of `anchors` carried from the revision whose pages' text is `old_pages` onto
/// the one whose pages' text is `new_pages`: one with quoted text by [`locate`], near its old
/// page; one without (ink on a page with no text, or a quote of nothing but spaces) onto the page
/// of the same number if its text is at least [`UNCHANGED_PAGE_SIMILARITY`] alike.
pub fn carry_over(anchors: &[Anchor], old_pages: &[String], new_pages: &[String]) -> CarryOver {
    let revision = RevisionText::new(new_pages);
    // Each page is compared with its old text once, however many annotations it holds.
    let mut pages_unchanged: HashMap<u32, Result<f32, UnplacedReason>> = HashMap::new();
    let mut carried = CarryOver::default();
    for anchor in anchors {
        let quote = anchor.quote.as_ref().map(ComparableQuote::new);
        let placed = match quote.filter(|quote| !quote.exact.is_empty()) {
            Some(quote) => match revision.locate(&quote, anchor.page) {
                Placement::Placed(place) => Ok(PlacedAnnotation::by_quote(anchor, place)),
                Placement::Unplaced(reason) => Err(reason),
            },
            None => pages_unchanged
                .entry(anchor.page)
                .or_insert_with(|| revision.page_unchanged(old_pages, anchor.page))
                .map(|similarity| PlacedAnnotation::by_page(anchor, similarity)),
        };
        match placed {
            Ok(placed) => carried.placed.push(placed),
            Err(reason) => carried.unplaced.push(UnplacedAnnotation {
                id: anchor.id.clone(),
                old_page: anchor.page,
                reason,
            }),
        }
    }
    carried
}

/// A quote's prefix, words and suffix as they are compared. They are made from the three joined,
/// so that a word hyphenated across two of them is taken as the page's text takes it.
#[derive(Debug)]
struct ComparableQuote {
    prefix: Vec<char>,
    exact: Vec<char>,
    suffix: Vec<char>,
}

impl ComparableQuote {
    fn new(quote: &TextQuote) -> ComparableQuote {
        let joined = ComparableText::new(&format!("{}{}{}", quote.prefix, quote.exact, quote.suffix));
        let exact_start = quote.prefix.chars().count();
        let exact_end = exact_start + quote.exact.chars().count();
        let [prefix, exact, suffix] = joined.split_at_original([exact_start, exact_end]);
        ComparableQuote {
            prefix: prefix.to_vec(),
            exact: exact.to_vec(),
            suffix: suffix.to_vec(),
        }
    }

    fn context_len(&self) -> usize {
        self.prefix.len() + self.suffix.len()
    }
}

/// One place a quote may stand, weighed.
#[derive(Debug, Clone)]
struct Candidate {
    page: usize,
    /// Of the page's compared characters.
    range: Range<usize>,
    /// How alike the words there are to the quote's.
    similarity: f32,
    /// How alike the text around them is to the quote's prefix and suffix.
    context: f32,
}

/// The pages of a revision as quotes are compared with them.
#[derive(Debug)]
struct RevisionText {
    pages: Vec<ComparableText>,
}

impl RevisionText {
    fn new(pages: &[String]) -> RevisionText {
        RevisionText {
            pages: pages.iter().map(|text| ComparableText::new(text)).collect(),
        }
    }

    fn locate(&self, quote: &ComparableQuote, hint_page: u32) -> Placement {
        if quote.exact.is_empty() {
            return Placement::Unplaced(UnplacedReason::TextGone);
        }
        let mut candidates = self.exact_matches(quote);
        let exact = !candidates.is_empty();
        if !exact && quote.exact.len() >= MIN_FUZZY_CHARS {
            candidates = self.near_matches(quote, hint_page);
        }
        let Some(best) = best(candidates, quote, hint_page) else {
            return Placement::Unplaced(UnplacedReason::TextGone);
        };
        let short = quote.exact.len() < SHORT_QUOTE_CHARS && quote.context_len() > 0;
        if short && best.context < SHORT_QUOTE_CONTEXT {
            return Placement::Unplaced(UnplacedReason::ContextChanged);
        }
        Placement::Placed(QuotePlace {
            page: best.page as u32,
            range: self.pages[best.page].original_range(best.range),
            exact,
            score: best.similarity,
        })
    }

    /// Every place the quote's words stand as they were, on whole characters.
    fn exact_matches(&self, quote: &ComparableQuote) -> Vec<Candidate> {
        let words = &quote.exact;
        let mut found = Vec::new();
        for (page_index, page) in self.pages.iter().enumerate() {
            let chars = &page.chars;
            for start in 0..(chars.len() + 1).saturating_sub(words.len()) {
                let range = start..start + words.len();
                if chars[start] == words[0] && chars[range.clone()] == words[..] && page.on_whole_characters(&range) {
                    found.push(self.candidate(page_index, range, 1.0, quote));
                }
            }
        }
        found
    }

    /// The places nearest to the quote's words, at least [`FUZZY_SIMILARITY`] alike, among those
    /// where pieces of the quote stand in line.
    fn near_matches(&self, quote: &ComparableQuote, hint_page: u32) -> Vec<Candidate> {
        let words = &quote.exact;
        // An insertion moves the rest of the words along: look that far around where they may start.
        let slack = words.len() / 4 + 2 * PIECE_BUCKET_CHARS;
        let mut found: Vec<Candidate> = Vec::new();
        for (page_index, start) in self.places_with_pieces(quote, hint_page) {
            let page = &self.pages[page_index];
            let window = start.saturating_sub(slack)..(start + words.len() + slack).min(page.len());
            let (stretch, _) = nearest_stretch(words, &page.chars[window.clone()]);
            let range = page.widened_to_whole_characters(window.start + stretch.start..window.start + stretch.end);
            let alike = similarity(words, &page.chars[range.clone()]);
            let known = found
                .iter()
                .any(|other| other.page == page_index && other.range == range);
            if !range.is_empty() && alike >= FUZZY_SIMILARITY && !known {
                found.push(self.candidate(page_index, range, alike, quote));
            }
        }
        found
    }

    /// Where the quote's words may start (page, compared character), best first: the places
    /// where most pieces of [`PIECE_CHARS`] characters of the quote, its prefix and suffix
    /// included, stand as far apart as in the quote. At most [`MAX_FUZZY_CANDIDATES`].
    fn places_with_pieces(&self, quote: &ComparableQuote, hint_page: u32) -> Vec<(usize, usize)> {
        let whole: Vec<char> = [&quote.prefix[..], &quote.exact, &quote.suffix].concat();
        // For each piece, where it stands in the whole quote.
        let mut pieces: HashMap<u64, Vec<usize>, BuildHasherDefault<PieceHasher>> = HashMap::default();
        for (offset, piece) in whole.windows(PIECE_CHARS).enumerate() {
            pieces.entry(piece_key(piece)).or_default().push(offset);
        }
        // Pieces found, counted by where the whole quote would then start, in buckets of
        // PIECE_BUCKET_CHARS; counted from one quote's length before the page's start.
        let mut places: Vec<(u32, usize, usize)> = Vec::new();
        let mut in_line: Vec<u32> = Vec::new();
        for (page_index, page) in self.pages.iter().enumerate() {
            in_line.clear();
            in_line.resize((page.len() + whole.len()) / PIECE_BUCKET_CHARS + 1, 0);
            for (at, piece) in page.chars.windows(PIECE_CHARS).enumerate() {
                for offset in pieces.get(&piece_key(piece)).into_iter().flatten() {
                    in_line[(at + whole.len() - offset) / PIECE_BUCKET_CHARS] += 1;
                }
            }
            // A bucket counts with its neighbours: an insertion or deletion moves the rest along.
            for bucket in 0..in_line.len() {
                let around = &in_line[bucket.saturating_sub(1)..(bucket + 2).min(in_line.len())];
                let count = around.iter().sum::<u32>();
                if in_line[bucket] > 0 {
                    places.push((count, page_index, bucket));
                }
            }
        }
        let order = |&(count, page, bucket): &(u32, usize, usize)| {
            (
                std::cmp::Reverse(count),
                page.abs_diff(hint_page as usize),
                page,
                bucket,
            )
        };
        // Neighbouring buckets are one place: only the best of each is looked at, so keep enough.
        let keep = MAX_FUZZY_CANDIDATES * 8;
        if places.len() > keep {
            places.select_nth_unstable_by_key(keep, order);
            places.truncate(keep);
        }
        places.sort_unstable_by_key(order);
        let mut chosen: Vec<(usize, usize)> = Vec::new();
        for (_, page, bucket) in places {
            if chosen
                .iter()
                .any(|&(other_page, other)| other_page == page && other.abs_diff(bucket) <= 2)
            {
                continue;
            }
            chosen.push((page, bucket));
            if chosen.len() == MAX_FUZZY_CANDIDATES {
                break;
            }
        }
        let before_page = whole.len() - quote.prefix.len();
        chosen
            .into_iter()
            .map(|(page, bucket)| (page, (bucket * PIECE_BUCKET_CHARS).saturating_sub(before_page)))
            .collect()
    }

    fn candidate(&self, page: usize, range: Range<usize>, alike: f32, quote: &ComparableQuote) -> Candidate {
        let chars = &self.pages[page].chars;
        let before = &chars[range.start.saturating_sub(quote.prefix.len())..range.start];
        let after = &chars[range.end..(range.end + quote.suffix.len()).min(chars.len())];
        let context = match quote.context_len() {
            0 => 1.0,
            length => {
                (quote.prefix.len() as f32 * similarity(&quote.prefix, before)
                    + quote.suffix.len() as f32 * similarity(&quote.suffix, after))
                    / length as f32
            }
        };
        Candidate {
            page,
            range,
            similarity: alike,
            context,
        }
    }

    /// How alike page `page` of this revision is to the same page of `old_pages`, if at least
    /// [`UNCHANGED_PAGE_SIMILARITY`].
    fn page_unchanged(&self, old_pages: &[String], page: u32) -> Result<f32, UnplacedReason> {
        let new = self.pages.get(page as usize).ok_or(UnplacedReason::PageGone)?;
        let old = ComparableText::new(old_pages.get(page as usize).map_or("", String::as_str));
        let alike = if old.is_empty() && new.is_empty() {
            1.0
        } else {
            let diff = capture_diff_slices(Algorithm::Myers, &old.chars, &new.chars);
            get_diff_ratio(&diff, old.len(), new.len())
        };
        if alike >= UNCHANGED_PAGE_SIMILARITY {
            Ok(alike)
        } else {
            Err(UnplacedReason::PageChanged)
        }
    }
}

/// The best of `candidates`: the words and the text around them most like the quote's
/// (weighed by their lengths), then the nearest page to `hint_page`, then the first.
fn best(candidates: Vec<Candidate>, quote: &ComparableQuote, hint_page: u32) -> Option<Candidate> {
    let (words, context) = (quote.exact.len() as f32, quote.context_len() as f32);
    let fit = |candidate: &Candidate| (words * candidate.similarity + context * candidate.context) / (words + context);
    candidates.into_iter().min_by(|a, b| {
        fit(b)
            .total_cmp(&fit(a))
            .then(
                a.page
                    .abs_diff(hint_page as usize)
                    .cmp(&b.page.abs_diff(hint_page as usize)),
            )
            .then(a.page.cmp(&b.page))
            .then(a.range.start.cmp(&b.range.start))
    })
}

/// A piece of [`PIECE_CHARS`] characters as one number: 16 bits a character (Vietnamese is all
/// in the first 65,536; two pieces of other scripts alike in those bits only cost a comparison).
fn piece_key(piece: &[char]) -> u64 {
    piece
        .iter()
        .fold(0, |key, &c| key << 16 | u64::from(u32::from(c) & 0xFFFF))
}

/// Hashes a piece's key by a multiplication: the keys are a quote's pieces, not chosen to
/// collide, and SipHash cost most of the time spent looking for near places in a long document.
#[derive(Debug, Default)]
struct PieceHasher(u64);

impl Hasher for PieceHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = (self.0 ^ key ^ (key >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}
