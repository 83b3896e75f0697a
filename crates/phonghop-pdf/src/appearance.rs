//! Appearance streams the export draws itself where PDFium's own would be wrong: an underline or
//! a strike-out along each marked line as it is read (PDFium draws it under the line's upright
//! box, so on a page turned a quarter it stands beside the words), and a text box's words as the
//! outlines of a bundled font that has every Vietnamese letter (PDFium, poppler and mupdf draw a
//! /DA's Helvetica, which lacks đ, ơ, ư and every letter with a dot below or two marks).
//!
//! Outlines need no font resource, so each stream is plain path operators set through
//! `FPDFAnnot_SetAP`, which takes no resources. The words stay readable and searchable as the
//! annotation's /Contents; only their drawing is outlines.

use std::fmt::Write as _;

use ttf_parser::{Face, GlyphId, OutlineBuilder};
use unicode_normalization::UnicodeNormalization;

/// DejaVu Sans Bold: the sans-serif the app's webview draws text boxes with (bold, as there), with
/// the whole Vietnamese alphabet. Its licence is `assets/fonts/DejaVu.LICENSE`.
const FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// A box's size of letters is this share of its height, as the app draws it.
const LETTERS_PER_BOX_HEIGHT: f32 = 0.45;
/// The smallest letters a text box is drawn with, in points.
const SMALLEST_LETTERS: f32 = 6.0;
/// Space between lines, as a multiple of the letters' size.
const LINE_HEIGHT: f32 = 1.2;
/// Space inside the box's dashed border, as a multiple of the letters' size.
const PADDING: f32 = 0.25;

/// The page as drawn, in points from its top-left corner, y down (`x`, `y`) → the page's own
/// points: `origin + x·across + y·down`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DrawnToPage {
    pub origin: (f32, f32),
    /// Where one drawn point to the right goes on the page.
    pub across: (f32, f32),
    /// Where one drawn point downwards goes on the page.
    pub down: (f32, f32),
}

impl DrawnToPage {
    pub(crate) fn apply(&self, (x, y): (f32, f32)) -> (f32, f32) {
        (
            self.origin.0 + x * self.across.0 + y * self.down.0,
            self.origin.1 + x * self.across.1 + y * self.down.1,
        )
    }

    /// The same mapping as a PDF `cm` operator.
    fn cm(&self) -> String {
        format!(
            "{} {} {} {} {} {} cm\n",
            num(self.across.0),
            num(self.across.1),
            num(self.down.0),
            num(self.down.1),
            num(self.origin.0),
            num(self.origin.1)
        )
    }
}

/// A number as PDF content writes it: few decimals, no exponent.
fn num(value: f32) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// `#rrggbb` → the three channels from 0 to 1.
pub(crate) type Rgb = [f32; 3];

fn colour_operands([r, g, b]: Rgb) -> String {
    format!("{} {} {}", num(r), num(g), num(b))
}

/// A marked line's corners on the page in the order it is read: top-left, top-right,
/// bottom-left, bottom-right.
pub(crate) type Quad = [(f32, f32); 4];

fn between(a: (f32, f32), b: (f32, f32), share: f32) -> (f32, f32) {
    (a.0 + (b.0 - a.0) * share, a.1 + (b.1 - a.1) * share)
}

fn line_height(&[top_left, _, bottom_left, _]: &Quad) -> f32 {
    (top_left.0 - bottom_left.0).hypot(top_left.1 - bottom_left.1)
}

/// Where along each line's height, from its top, the stroke runs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LineMark {
    /// Near the foot of the letters.
    Underline,
    /// Through their middle.
    StrikeOut,
}

/// One stroke along each line as read, in `colour`, its width a fifteenth of the line's height.
pub(crate) fn line_marks(quads: &[Quad], mark: LineMark, colour: Rgb) -> String {
    let along = match mark {
        LineMark::Underline => 0.9,
        LineMark::StrikeOut => 0.55,
    };
    let mut content = format!("{} RG 0 J\n", colour_operands(colour));
    for quad @ &[top_left, top_right, bottom_left, bottom_right] in quads {
        let start = between(top_left, bottom_left, along);
        let end = between(top_right, bottom_right, along);
        let width = (line_height(quad) / 15.0).max(0.5);
        let _ = writeln!(
            content,
            "{} w {} {} m {} {} l S",
            num(width),
            num(start.0),
            num(start.1),
            num(end.0),
            num(end.1)
        );
    }
    content
}

/// A text box laid out as the app shows it: its words in lines, the box around them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextBox {
    /// The box's corners as drawn (left, top, right, bottom), in points of the page as drawn.
    pub drawn: [f32; 4],
    /// Path operators drawing the border and the letters, in points of the page as drawn
    /// (to be mapped onto the page with a `cm`).
    content: String,
    /// Size of the letters in points.
    pub letters: f32,
    /// Characters drawn as a question mark because the font lacks them.
    pub missing: Vec<char>,
}

impl TextBox {
    /// The appearance stream: the mapping onto the page, then the box.
    pub(crate) fn appearance(&self, onto_page: &DrawnToPage) -> String {
        format!("q\n{}{}Q\n", onto_page.cm(), self.content)
    }
}

/// Lays `text` out from the box's top-left corner (`left`, `top`, points as drawn), its letters
/// sized from the box's `height`, wrapped at the page's right edge (`page_width`) as the app
/// wraps it.
pub(crate) fn text_box(
    text: &str,
    left: f32,
    top: f32,
    height: f32,
    page_width: f32,
    colour: Rgb,
) -> Result<TextBox, String> {
    let face = Face::parse(FONT, 0).map_err(|error| format!("the bundled font cannot be read: {error}"))?;
    let letters = (height * LETTERS_PER_BOX_HEIGHT).max(SMALLEST_LETTERS);
    let scale = letters / f32::from(face.units_per_em());
    let padding = letters * PADDING;
    let room = (page_width - left - 2.0 * padding).max(letters * 4.0);
    let (glyphs, missing) = glyphs_of(&face, text, scale);
    let lines = wrap(&glyphs, room);
    let widest = lines
        .iter()
        .map(|line| line.iter().map(|&(_, _, advance)| advance).sum::<f32>())
        .fold(0.0_f32, f32::max);
    let (right, bottom) = (
        left + widest + 2.0 * padding,
        top + lines.len().max(1) as f32 * letters * LINE_HEIGHT + 2.0 * padding,
    );

    let mut content = format!(
        "{} RG {} w [{} {}] 0 d {} {} {} {} re S\n{} rg\n",
        colour_operands(colour),
        num((letters / 16.0).max(0.5)),
        num(letters / 4.0),
        num(letters / 6.0),
        num(left),
        num(top),
        num(right - left),
        num(bottom - top),
        colour_operands(colour)
    );
    let ascent = f32::from(face.ascender()) * scale;
    let gap = (letters * LINE_HEIGHT - (ascent - f32::from(face.descender()) * scale)) / 2.0;
    for (number, line) in lines.iter().enumerate() {
        let baseline = top + padding + number as f32 * letters * LINE_HEIGHT + gap + ascent;
        draw_line(&face, &mut content, line, (left + padding, baseline), scale);
    }
    Ok(TextBox {
        drawn: [left, top, right, bottom],
        content,
        letters,
        missing,
    })
}

/// A watermark's one line, in grey, centred near the bottom of a page `page_width` by
/// `page_height` points as drawn: letters of `LETTERS_OF_WATERMARK` points, smaller if the line
/// would not fit across the page.
pub(crate) fn watermark_line(text: &str, page_width: f32, page_height: f32) -> Result<TextBox, String> {
    let face = Face::parse(FONT, 0).map_err(|error| format!("the bundled font cannot be read: {error}"))?;
    let one_point = 1.0 / f32::from(face.units_per_em());
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let (at_one_point, _) = glyphs_of(&face, &text, one_point);
    let width_at_one_point: f32 = at_one_point.iter().map(|&(_, _, advance)| advance).sum();
    let room = page_width * 0.9;
    let letters = LETTERS_OF_WATERMARK.min(room / width_at_one_point.max(f32::EPSILON));
    let scale = letters * one_point;
    let (glyphs, missing) = glyphs_of(&face, &text, scale);
    let width: f32 = glyphs.iter().map(|&(_, _, advance)| advance).sum();
    let left = (page_width - width) / 2.0;
    let baseline = page_height - (page_height * 0.02).max(letters);
    let top = baseline - f32::from(face.ascender()) * scale;
    let bottom = baseline - f32::from(face.descender()) * scale;
    let mut content = format!("{} rg\n", colour_operands(WATERMARK_GREY));
    draw_line(&face, &mut content, &glyphs, (left, baseline), scale);
    Ok(TextBox {
        drawn: [left, top, left + width, bottom],
        content,
        letters,
        missing,
    })
}

/// A watermark's letters, in points, when the line fits across the page.
const LETTERS_OF_WATERMARK: f32 = 8.0;
/// A mid grey: seen on a printed page, not in the way of its text.
const WATERMARK_GREY: Rgb = [0.45, 0.45, 0.45];

/// Each character of `text` (NFC, a tab as a space) as the font's glyph and its advance at
/// `scale`; a letter the font lacks is drawn as a question mark and named in the second list.
fn glyphs_of(face: &Face<'_>, text: &str, scale: f32) -> (Vec<(char, GlyphId, f32)>, Vec<char>) {
    let fallback = face.glyph_index('?').unwrap_or(GlyphId(0));
    let mut missing = Vec::new();
    let glyphs = text
        .nfc()
        .map(|character| {
            let character = if character == '\t' { ' ' } else { character };
            let glyph = match face.glyph_index(character) {
                Some(glyph) => glyph,
                None if character == '\n' || character.is_control() => GlyphId(0),
                None => {
                    missing.push(character);
                    fallback
                }
            };
            let advance = f32::from(face.glyph_hor_advance(glyph).unwrap_or(0)) * scale;
            (character, glyph, if character.is_control() { 0.0 } else { advance })
        })
        .collect();
    (glyphs, missing)
}

/// Fills the outlines of one line of glyphs, the first at `pen` on its baseline.
fn draw_line(
    face: &Face<'_>,
    content: &mut String,
    line: &[(char, GlyphId, f32)],
    (mut pen, baseline): (f32, f32),
    scale: f32,
) {
    for &(_, glyph, advance) in line {
        let mut outline = Outline {
            content: &mut *content,
            at: (pen, baseline),
            scale,
            current: (pen, baseline),
        };
        if face.outline_glyph(glyph, &mut outline).is_some() {
            content.push_str("f\n");
        }
        pen += advance;
    }
}

/// Breaks the glyphs into lines at each newline and, greedily, at spaces so no line is wider
/// than `room`; a word wider than `room` is broken between letters. Spaces at a break are
/// dropped.
fn wrap(glyphs: &[(char, GlyphId, f32)], room: f32) -> Vec<Vec<(char, GlyphId, f32)>> {
    let mut lines = Vec::new();
    for paragraph in glyphs.split(|&(character, _, _)| character == '\n') {
        let mut line: Vec<(char, GlyphId, f32)> = Vec::new();
        let mut width = 0.0;
        for word in paragraph.split_inclusive(|&(character, _, _)| character == ' ') {
            let word_width: f32 = word.iter().map(|&(_, _, advance)| advance).sum();
            let trailing_space = word.last().map_or(
                0.0,
                |&(character, _, advance)| {
                    if character == ' ' {
                        advance
                    } else {
                        0.0
                    }
                },
            );
            if !line.is_empty() && width + word_width - trailing_space > room {
                lines.push(trimmed(std::mem::take(&mut line)));
                width = 0.0;
            }
            for &glyph in word {
                if !line.is_empty() && width + glyph.2 > room && glyph.0 != ' ' {
                    lines.push(trimmed(std::mem::take(&mut line)));
                    width = 0.0;
                }
                line.push(glyph);
                width += glyph.2;
            }
        }
        lines.push(trimmed(line));
    }
    lines
}

fn trimmed(mut line: Vec<(char, GlyphId, f32)>) -> Vec<(char, GlyphId, f32)> {
    while line.last().is_some_and(|&(character, _, _)| character == ' ') {
        line.pop();
    }
    line
}

/// Writes a glyph's outline as path operators: font units scaled to points, y turned downwards,
/// TrueType's quadratic curves raised to the cubic ones PDF draws.
struct Outline<'a> {
    content: &'a mut String,
    /// The pen on the baseline, in points as drawn.
    at: (f32, f32),
    scale: f32,
    /// Where the path stands, which a quadratic curve starts from.
    current: (f32, f32),
}

impl Outline<'_> {
    fn point(&self, x: f32, y: f32) -> (f32, f32) {
        (self.at.0 + x * self.scale, self.at.1 - y * self.scale)
    }

    fn curve(&mut self, first: (f32, f32), second: (f32, f32), end: (f32, f32)) {
        self.current = end;
        let _ = writeln!(
            self.content,
            "{} {} {} {} {} {} c",
            num(first.0),
            num(first.1),
            num(second.0),
            num(second.1),
            num(end.0),
            num(end.1)
        );
    }
}

impl OutlineBuilder for Outline<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.point(x, y);
        self.current = (x, y);
        let _ = writeln!(self.content, "{} {} m", num(x), num(y));
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.point(x, y);
        self.current = (x, y);
        let _ = writeln!(self.content, "{} {} l", num(x), num(y));
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (control, end) = (self.point(x1, y1), self.point(x, y));
        let first = between(self.current, control, 2.0 / 3.0);
        let second = between(end, control, 2.0 / 3.0);
        self.curve(first, second, end);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (first, second, end) = (self.point(x1, y1), self.point(x2, y2), self.point(x, y));
        self.curve(first, second, end);
    }

    fn close(&mut self) {
        self.content.push_str("h\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLACK: Rgb = [0.0, 0.0, 0.0];

    #[test]
    fn every_vietnamese_letter_has_its_own_glyph() {
        let alphabet = "aăâbcdđeêghiklmnoôơpqrstuưvxy";
        let marked = "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ";
        let text: String = [alphabet, marked].concat();
        let both = format!("{text} {}", text.to_uppercase());
        let drawn = text_box(&both, 0.0, 0.0, 20.0, 2000.0, BLACK).expect("laid out");
        assert!(drawn.missing.is_empty(), "{:?}", drawn.missing);
    }

    #[test]
    fn decomposed_marks_are_joined_into_their_letters() {
        // "ệ" typed as e + circumflex + dot below, as some keyboards send it.
        let drawn = text_box("e\u{0302}\u{0323}", 0.0, 0.0, 20.0, 500.0, BLACK).expect("laid out");
        let single = text_box("ệ", 0.0, 0.0, 20.0, 500.0, BLACK).expect("laid out");
        assert_eq!(drawn, single);
    }

    #[test]
    fn a_letter_the_font_lacks_is_named() {
        let drawn = text_box("ý kiến 中", 0.0, 0.0, 20.0, 500.0, BLACK).expect("laid out");
        assert_eq!(drawn.missing, vec!['中']);
    }

    #[test]
    fn words_wrap_at_the_page_edge_and_at_newlines() {
        let one_line = text_box("Đồng ý với dự thảo", 100.0, 50.0, 20.0, 10_000.0, BLACK).expect("laid out");
        let narrow = text_box("Đồng ý với dự thảo", 100.0, 50.0, 20.0, 200.0, BLACK).expect("laid out");
        let two_paragraphs = text_box("Đồng ý\nvới dự thảo", 100.0, 50.0, 20.0, 10_000.0, BLACK).expect("laid out");
        let line = 20.0 * LETTERS_PER_BOX_HEIGHT * LINE_HEIGHT;
        let height = |drawn: &TextBox| drawn.drawn[3] - drawn.drawn[1];
        assert!((height(&two_paragraphs) - height(&one_line) - line).abs() < 0.01);
        assert!(height(&narrow) >= height(&one_line) + line - 0.01);
        assert!(narrow.drawn[2] <= 200.0 + 0.01, "{:?}", narrow.drawn);
        assert_eq!(one_line.drawn[..2], [100.0, 50.0]);
        assert!(one_line.drawn[2] > narrow.drawn[2]);
    }

    #[test]
    fn a_word_wider_than_the_room_is_broken_between_letters() {
        let lines = {
            let face = Face::parse(FONT, 0).expect("the font");
            let glyphs: Vec<(char, GlyphId, f32)> = "abcdefgh"
                .chars()
                .map(|character| (character, face.glyph_index(character).expect("a glyph"), 10.0))
                .collect();
            wrap(&glyphs, 35.0)
        };
        let texts: Vec<String> = lines
            .iter()
            .map(|line| line.iter().map(|glyph| glyph.0).collect())
            .collect();
        assert_eq!(texts, ["abc", "def", "gh"]);
    }

    #[test]
    fn an_underline_runs_along_the_line_as_read_on_a_turned_page() {
        // A line read upwards on the page (a page turned a quarter): its foot is at the right.
        let quad: Quad = [(100.0, 100.0), (100.0, 300.0), (120.0, 100.0), (120.0, 300.0)];
        let content = line_marks(&[quad], LineMark::Underline, BLACK);
        assert!(content.contains("118 100 m 118 300 l S"), "{content}");
        let content = line_marks(&[quad], LineMark::StrikeOut, BLACK);
        assert!(content.contains("111 100 m 111 300 l S"), "{content}");
    }

    #[test]
    fn numbers_are_written_short() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(12.3456), "12.346");
        assert_eq!(num(0.5), "0.5");
    }
}
