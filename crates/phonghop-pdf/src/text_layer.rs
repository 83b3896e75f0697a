//! A page's text layer: its characters as PDFium places them, grouped into runs along each line,
//! each run with its box as fractions of the page (top-left origin, as the page image is drawn),
//! so the viewer lays selectable text over the page image and marks search hits where they stand.

use pdfium_render::prelude::{PdfPage, PdfPoints};
use serde::Serialize;
use ts_rs::TS;

use crate::error::PdfError;
use crate::page_frame::PageFrame;

/// The text of one page, run by run in reading order.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct PageText {
    pub runs: Vec<TextRun>,
}

/// Characters that stand together on one line, and the box they fill, as fractions (0–1) of the
/// page's width and height from its top-left corner.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct TextRun {
    pub text: String,
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

impl From<TextRun> for phonghop_protocol::PageRect {
    /// The run's box, as an annotation holds it.
    fn from(run: TextRun) -> Self {
        phonghop_protocol::PageRect {
            left: run.left,
            top: run.top,
            width: run.width,
            height: run.height,
        }
    }
}

/// A run ends where the next character is further away than this many line heights.
const GAP_IN_LINE_HEIGHTS: f32 = 1.5;

/// A box being filled, in fractions of the page.
#[derive(Clone, Copy)]
struct Span {
    left: f32,
    top: f32,
    right: f32,
    bottom: f32,
}

impl Span {
    fn height(&self) -> f32 {
        self.bottom - self.top
    }

    /// Whether `next` goes on this line, right after it.
    fn continues_with(&self, next: &Span) -> bool {
        let overlap = self.bottom.min(next.bottom) - self.top.max(next.top);
        let line = self.height().min(next.height()).max(f32::EPSILON);
        let gap = next.left - self.right;
        overlap > line / 2.0 && gap > -line && gap < line * GAP_IN_LINE_HEIGHTS
    }

    fn extend(&mut self, other: &Span) {
        self.left = self.left.min(other.left);
        self.top = self.top.min(other.top);
        self.right = self.right.max(other.right);
        self.bottom = self.bottom.max(other.bottom);
    }
}

/// Reads `page`'s text layer: every character PDFium finds, its spaces and line breaks, grouped
/// into runs. Rotated pages and pages whose box does not start at 0,0 come out as drawn, because
/// the boxes are mapped with PDFium's own page-to-device transform.
pub(crate) fn read_text_layer(page: &PdfPage<'_>) -> Result<PageText, PdfError> {
    read_runs(page, None)
}

/// The boxes, line by line, of the characters `range` of `page`'s text — character indices of
/// the text PDFium extracts for the whole page (`PdfPageText::all`), which is what the server
/// stores and annotations are re-anchored in.
pub(crate) fn read_text_boxes(page: &PdfPage<'_>, range: std::ops::Range<usize>) -> Result<PageText, PdfError> {
    read_runs(page, Some(range))
}

fn read_runs(page: &PdfPage<'_>, only: Option<std::ops::Range<usize>>) -> Result<PageText, PdfError> {
    let Some(frame) = PageFrame::of(page) else {
        return Ok(PageText { runs: vec![] });
    };
    let to_fraction = |x: PdfPoints, y: PdfPoints| frame.fraction(page, x, y);
    let text = page
        .text()
        .map_err(|error| PdfError::Render(format!("the page's text cannot be read: {error:?}")))?;

    let mut runs: Vec<TextRun> = Vec::new();
    let mut current: Option<(String, Span)> = None;
    for (index, character) in text.chars().iter().enumerate() {
        if only.as_ref().is_some_and(|range| !range.contains(&index)) {
            continue;
        }
        let Some(string) = character.unicode_string() else {
            continue;
        };
        if string.chars().any(|c| c == '\r' || c == '\n') {
            finish(&mut current, &mut runs);
            continue;
        }
        if string.chars().all(char::is_whitespace) {
            if let Some((text, _)) = current.as_mut() {
                if !text.ends_with(' ') {
                    text.push(' ');
                }
            }
            continue;
        }
        let Ok(bounds) = character.loose_bounds() else {
            continue;
        };
        let (Some(a), Some(b)) = (
            to_fraction(bounds.left(), bounds.top()),
            to_fraction(bounds.right(), bounds.bottom()),
        ) else {
            continue;
        };
        let span = Span {
            left: a.0.min(b.0),
            top: a.1.min(b.1),
            right: a.0.max(b.0),
            bottom: a.1.max(b.1),
        };
        if span.height() <= 0.0 {
            continue;
        }
        match current.as_mut() {
            Some((text, run)) if run.continues_with(&span) => {
                text.push_str(&string);
                run.extend(&span);
            }
            _ => {
                finish(&mut current, &mut runs);
                current = Some((string, span));
            }
        }
    }
    finish(&mut current, &mut runs);
    Ok(PageText { runs })
}

/// Ends the run being filled, if it holds more than spaces.
fn finish(current: &mut Option<(String, Span)>, runs: &mut Vec<TextRun>) {
    if let Some((text, span)) = current.take() {
        let text = text.trim_end().to_owned();
        if !text.is_empty() {
            runs.push(TextRun {
                text,
                left: span.left,
                top: span.top,
                width: span.right - span.left,
                height: span.height(),
            });
        }
    }
}
