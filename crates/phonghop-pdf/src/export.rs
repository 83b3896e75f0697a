//! "My annotated copy": a document written again with its reader's annotations as real PDF
//! annotations — Highlight, Underline and StrikeOut with one quad per marked line, Ink with an
//! /InkList, Text (a sticky note) and FreeText — that any PDF reader shows, lists and prints;
//! optionally flattened into the pages for a printer that ignores annotations. Underlines,
//! strike-outs and text boxes carry appearances drawn here (`appearance.rs`): along the lines as
//! read on a turned page, and with every Vietnamese letter.
//!
//! Places arrive as fractions of the page as drawn (after /Rotate and the crop box, from the
//! top-left), the frame of the text layer; they are mapped back to the page's own points with
//! PDFium's device-to-page transform, the inverse of the one the text layer uses. Only the pages
//! that carry annotations are loaded, so a long report with a few notes exports quickly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use pdfium_render::prelude::{
    PdfColor, PdfDocument, PdfPage, PdfPageAnnotationAttachmentPoints, PdfPageAnnotationCommon,
    PdfPageContentRegenerationStrategy, PdfPageHighlightAnnotation, PdfPageStrikeoutAnnotation,
    PdfPageUnderlineAnnotation, PdfPoints, PdfQuadPoints, PdfRect, PdfRenderConfig, PdfiumError,
};
use phonghop_protocol::{Annotation, AnnotationBody, PagePoint, PageRect, TextQuote};

use crate::appearance::{self, DrawnToPage, LineMark, Quad, Rgb};
use crate::error::PdfError;
use crate::library::bound_pdfium;
use crate::page_frame::PageFrame;
use crate::raw;

/// Who the annotations are by and whether they are burnt into the pages.
#[derive(Debug, Clone, Copy)]
pub struct ExportOptions<'a> {
    /// Written as each annotation's author (/T), e.g. the councillor's full name.
    pub author: &'a str,
    /// Draw the annotations into the page content and remove them as annotations, so a printer
    /// or reader without annotation support shows them too.
    pub flatten: bool,
    /// A line written at the foot of every page (a printed Stamp annotation, flattened with the
    /// others), such as whose copy it is and when it was made.
    pub watermark: Option<&'a str>,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    pub annotations: usize,
    /// Pages that carry at least one of them.
    pub pages: usize,
}

/// Opacity of a highlight and of a highlighter stroke, as the app draws them.
const MARKER_ALPHA: u8 = 97; // 0.38 × 255
/// A sticky note's icon is this many points square, centred where the note is.
const NOTE_SIZE: f32 = 20.0;

/// Writes `pdf` with `annotations` (those not deleted; all on this revision of the document) to
/// `out`, through a file beside it that is renamed into place once complete.
pub fn export_annotated(
    pdf: &Path,
    annotations: &[Annotation],
    options: &ExportOptions<'_>,
    out: &Path,
) -> Result<ExportSummary, PdfError> {
    let mut by_page: BTreeMap<u32, Vec<&Annotation>> = BTreeMap::new();
    for annotation in annotations.iter().filter(|annotation| !annotation.deleted) {
        by_page.entry(annotation.page).or_default().push(annotation);
    }
    let pdfium = bound_pdfium()?;
    let document = pdfium
        .load_pdf_from_file(pdf, None)
        .map_err(|error| PdfError::Open(format!("{}: {error:?}", pdf.display())))?;
    let count = u32::try_from(document.pages().len()).unwrap_or(0);
    if let Some(&index) = by_page.keys().find(|&&index| index >= count) {
        return Err(PdfError::NoSuchPage { index, count });
    }
    if options.watermark.is_some() {
        // Every page carries the watermark, those without annotations too.
        for index in 0..count {
            let on_page = by_page.get(&index).map_or(&[][..], Vec::as_slice);
            annotate_page(&document, index, on_page, options)?;
        }
    } else {
        for (&index, on_page) in &by_page {
            annotate_page(&document, index, on_page, options)?;
        }
    }
    save_beside(&document, out)?;
    Ok(ExportSummary {
        annotations: by_page.values().map(Vec::len).sum(),
        pages: by_page.len(),
    })
}

fn annotate_page(
    document: &PdfDocument<'_>,
    index: u32,
    annotations: &[&Annotation],
    options: &ExportOptions<'_>,
) -> Result<(), PdfError> {
    let failed = |detail: String| PdfError::Export(format!("page {}: {detail}", index + 1));
    // `index` was checked against the page count, which pdfium-render keeps in an i32.
    let page_index = i32::try_from(index).map_err(|_| failed("beyond the pages PDFium reads".into()))?;
    let mut page = document
        .pages()
        .get(page_index)
        .map_err(|error| failed(format!("cannot be loaded: {error:?}")))?;
    // Annotations live beside the page's content: it is never rewritten, unless flattened.
    page.set_content_regeneration_strategy(PdfPageContentRegenerationStrategy::Manual);
    let frame = PageFrame::of(&page).ok_or_else(|| failed("the page has no size".into()))?;
    for annotation in annotations {
        write(&mut page, &frame, annotation, options.author)
            .map_err(|detail| failed(format!("annotation {}: {detail}", annotation.id)))?;
    }
    if let Some(watermark) = options.watermark {
        write_watermark(&mut page, &frame, watermark, options.author)
            .map_err(|detail| failed(format!("the watermark: {detail}")))?;
    }
    if !annotations.is_empty() {
        generate_appearances(&page).map_err(failed)?;
    }
    if options.flatten {
        page.flatten()
            .map_err(|error| failed(format!("cannot be flattened: {error:?}")))?;
    }
    Ok(())
}

/// Where annotations go on a page: the shared frame, with what export needs of it.
impl PageFrame {
    /// A box's corners in the page's points, in the order the page shows them: top-left,
    /// top-right, bottom-left, bottom-right — the order of a QuadPoints entry, so that on a
    /// rotated page the underline still runs under the words as they are read.
    pub(crate) fn corners(&self, page: &PdfPage<'_>, rect: &PageRect) -> Result<[(f32, f32); 4], String> {
        let (right, bottom) = (rect.left + rect.width, rect.top + rect.height);
        Ok([
            self.point(page, rect.left, rect.top)?,
            self.point(page, right, rect.top)?,
            self.point(page, rect.left, bottom)?,
            self.point(page, right, bottom)?,
        ])
    }

    /// The length of a fraction of the page's drawn width, in points.
    pub(crate) fn length(&self, page: &PdfPage<'_>, fraction: f32) -> Result<f32, String> {
        let (width, _, _) = self.drawn_in_points(page)?;
        Ok(fraction * width)
    }

    /// The page as drawn in points (its width and height), and how those points map onto the
    /// page's own: the frame's mapping measured at three corners.
    pub(crate) fn drawn_in_points(&self, page: &PdfPage<'_>) -> Result<(f32, f32, DrawnToPage), String> {
        let origin = self.point(page, 0.0, 0.0)?;
        let right = self.point(page, 1.0, 0.0)?;
        let below = self.point(page, 0.0, 1.0)?;
        let width = (right.0 - origin.0).hypot(right.1 - origin.1);
        let height = (below.0 - origin.0).hypot(below.1 - origin.1);
        if !(width > 0.0 && height > 0.0) {
            return Err("the page has no size".into());
        }
        let onto_page = DrawnToPage {
            origin,
            across: ((right.0 - origin.0) / width, (right.1 - origin.1) / width),
            down: ((below.0 - origin.0) / height, (below.1 - origin.1) / height),
        };
        Ok((width, height, onto_page))
    }
}

/// The smallest upright box around `points`.
fn bounds(points: impl IntoIterator<Item = (f32, f32)>) -> Option<PdfRect> {
    let mut points = points.into_iter();
    let (x, y) = points.next()?;
    let (mut left, mut bottom, mut right, mut top) = (x, y, x, y);
    for (x, y) in points {
        left = left.min(x);
        right = right.max(x);
        bottom = bottom.min(y);
        top = top.max(y);
    }
    Some(PdfRect::new_from_values(bottom, left, top, right))
}

fn grown(rect: PdfRect, by: f32) -> PdfRect {
    PdfRect::new_from_values(
        rect.bottom().value - by,
        rect.left().value - by,
        rect.top().value + by,
        rect.right().value + by,
    )
}

/// `#rrggbb` with `alpha`.
fn colour(text: &str, alpha: u8) -> Result<PdfColor, String> {
    let channel = |at: usize| {
        text.get(at..at + 2)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .ok_or_else(|| format!("the colour {text:?} is not #rrggbb"))
    };
    if text.len() != 7 || !text.starts_with('#') {
        return Err(format!("the colour {text:?} is not #rrggbb"));
    }
    Ok(PdfColor::new(channel(1)?, channel(3)?, channel(5)?, alpha))
}

/// `#rrggbb` as the three channels from 0 to 1 an appearance stream takes.
fn rgb(text: &str) -> Result<Rgb, String> {
    let colour = colour(text, 255)?;
    Ok([colour.red(), colour.green(), colour.blue()].map(|channel| f32::from(channel) / 255.0))
}

/// Writes one annotation onto the page it belongs to.
fn write(page: &mut PdfPage<'_>, frame: &PageFrame, annotation: &Annotation, author: &str) -> Result<(), String> {
    let about = About {
        author,
        changed_at: annotation.changed_at,
        colour: &annotation.color,
    };
    match &annotation.body {
        AnnotationBody::Highlight { rects, quote } => {
            let quads = quads(page, frame, rects)?;
            let highlight = page.annotations_mut().create_highlight_annotation().map_err(created)?;
            let colour = colour(about.colour, MARKER_ALPHA)?;
            write_mark(
                highlight,
                PdfPageHighlightAnnotation::attachment_points_mut,
                &quads,
                colour,
                &about,
                quote,
            )
        }
        AnnotationBody::Underline { rects, quote } => {
            let quads = quads(page, frame, rects)?;
            let underline = page.annotations_mut().create_underline_annotation().map_err(created)?;
            let colour = colour(about.colour, 255)?;
            write_mark(
                underline,
                PdfPageUnderlineAnnotation::attachment_points_mut,
                &quads,
                colour,
                &about,
                quote,
            )?;
            raw::set_appearance(
                page,
                &appearance::line_marks(&quads, LineMark::Underline, rgb(about.colour)?),
            )
        }
        AnnotationBody::StrikeOut { rects, quote } => {
            let quads = quads(page, frame, rects)?;
            let strike_out = page.annotations_mut().create_strikeout_annotation().map_err(created)?;
            let colour = colour(about.colour, 255)?;
            write_mark(
                strike_out,
                PdfPageStrikeoutAnnotation::attachment_points_mut,
                &quads,
                colour,
                &about,
                quote,
            )?;
            raw::set_appearance(
                page,
                &appearance::line_marks(&quads, LineMark::StrikeOut, rgb(about.colour)?),
            )
        }
        AnnotationBody::Ink {
            strokes,
            width,
            highlighter,
            near: _,
        } => write_ink(page, frame, &about, strokes, *width, *highlighter),
        AnnotationBody::Note { at, text, near: _ } => write_note(page, frame, &about, at, text),
        AnnotationBody::FreeText { rect, text, near: _ } => write_free_text(page, frame, &about, rect, text),
    }
}

fn created(error: PdfiumError) -> String {
    format!("cannot be created: {error:?}")
}

fn placed(error: PdfiumError) -> String {
    format!("cannot place it: {error:?}")
}

fn coloured(error: PdfiumError) -> String {
    format!("cannot colour it: {error:?}")
}

/// What every annotation of one export carries besides its place.
struct About<'a> {
    author: &'a str,
    /// Unix milliseconds, written as /M.
    changed_at: i64,
    /// `#rrggbb`.
    colour: &'a str,
}

impl About<'_> {
    /// The contents, who wrote it and when; printed with the page.
    fn describe(&self, annotation: &mut impl PdfPageAnnotationCommon, contents: &str) -> Result<(), String> {
        fn set(what: &'static str) -> impl Fn(PdfiumError) -> String {
            move |error| format!("cannot set {what}: {error:?}")
        }
        if !contents.is_empty() {
            annotation.set_contents(contents).map_err(set("the contents"))?;
        }
        annotation.set_creator(self.author).map_err(set("the author"))?;
        annotation.set_is_printed(true).map_err(set("the print flag"))?;
        // Last: pdfium-render stamps /M with the time of every text it sets.
        match DateTime::<Utc>::from_timestamp_millis(self.changed_at) {
            Some(changed) => annotation.set_modification_date(changed).map_err(set("the date")),
            None => Ok(()),
        }
    }
}

/// Pen or highlighter strokes: an /InkList of the points, the width in points, a highlighter
/// translucent.
fn write_ink(
    page: &mut PdfPage<'_>,
    frame: &PageFrame,
    about: &About<'_>,
    strokes: &[Vec<PagePoint>],
    width: f32,
    highlighter: bool,
) -> Result<(), String> {
    let strokes: Vec<Vec<(f32, f32)>> = strokes
        .iter()
        .map(|stroke| stroke.iter().map(|at| frame.point(page, at.x, at.y)).collect())
        .collect::<Result<_, _>>()?;
    let width = frame.length(page, width)?.max(0.5);
    let area = bounds(strokes.iter().flatten().copied()).ok_or("an ink annotation without points")?;
    let alpha = if highlighter { MARKER_ALPHA } else { 255 };
    {
        let mut ink = page.annotations_mut().create_ink_annotation().map_err(created)?;
        ink.set_bounds(grown(area, width)).map_err(placed)?;
        ink.set_stroke_color(colour(about.colour, alpha)?).map_err(coloured)?;
        about.describe(&mut ink, "")?;
    }
    raw::add_ink_strokes(page, &strokes, width)
}

/// A sticky note: PDFium's note icon where the note is, upright, the note's words as /Contents.
fn write_note(
    page: &mut PdfPage<'_>,
    frame: &PageFrame,
    about: &About<'_>,
    at: &PagePoint,
    text: &str,
) -> Result<(), String> {
    let area = note_area(page, frame, at)?;
    let mut note = page.annotations_mut().create_text_annotation(text).map_err(created)?;
    note.set_bounds(area).map_err(placed)?;
    note.set_stroke_color(colour(about.colour, 255)?).map_err(coloured)?;
    // An icon stays upright on a turned page, as a reader shows a note's icon anyway.
    note.set_is_rotatable(false)
        .map_err(|error| format!("cannot keep it upright: {error:?}"))?;
    about.describe(&mut note, text)
}

/// A text box: its words as /Contents, laid out and drawn as the app shows them (from the box's
/// top-left corner, letters sized from its height, wrapped at the page's right edge) in the
/// bundled font's outlines, and a /DA in its colour for a reader that redraws it.
fn write_free_text(
    page: &mut PdfPage<'_>,
    frame: &PageFrame,
    about: &About<'_>,
    rect: &PageRect,
    text: &str,
) -> Result<(), String> {
    let (width, height, onto_page) = frame.drawn_in_points(page)?;
    let ink = rgb(about.colour)?;
    let laid_out = appearance::text_box(
        text,
        rect.left * width,
        rect.top * height,
        rect.height * height,
        width,
        ink,
    )?;
    let [left, top, right, bottom] = laid_out.drawn;
    let corners = [(left, top), (right, top), (left, bottom), (right, bottom)].map(|at| onto_page.apply(at));
    let area = bounds(corners).ok_or("a text box without a place")?;
    {
        let mut free_text = page
            .annotations_mut()
            .create_free_text_annotation(text)
            .map_err(created)?;
        free_text.set_bounds(area).map_err(placed)?;
        about.describe(&mut free_text, text)?;
    }
    let [red, green, blue] = ink;
    let default_appearance = format!("{red:.3} {green:.3} {blue:.3} rg /Helv {:.1} Tf", laid_out.letters);
    raw::set_default_appearance(page, &default_appearance)?;
    raw::set_appearance(page, &laid_out.appearance(&onto_page))
}

/// The watermark: a Stamp annotation, printed, its words as /Contents and drawn in grey outlines
/// at the foot of the page as it is read.
fn write_watermark(page: &mut PdfPage<'_>, frame: &PageFrame, text: &str, author: &str) -> Result<(), String> {
    let (width, height, onto_page) = frame.drawn_in_points(page)?;
    let line = appearance::watermark_line(text, width, height)?;
    let [left, top, right, bottom] = line.drawn;
    let corners = [(left, top), (right, top), (left, bottom), (right, bottom)].map(|at| onto_page.apply(at));
    let area = bounds(corners).ok_or("a watermark without a place")?;
    {
        let mut stamp = page.annotations_mut().create_stamp_annotation().map_err(created)?;
        stamp.set_bounds(area).map_err(placed)?;
        let about = About {
            author,
            changed_at: Utc::now().timestamp_millis(),
            colour: "#737373",
        };
        about.describe(&mut stamp, text)?;
    }
    raw::set_appearance(page, &line.appearance(&onto_page))
}

/// One quad per marked line.
fn quads(page: &PdfPage<'_>, frame: &PageFrame, rects: &[PageRect]) -> Result<Vec<Quad>, String> {
    if rects.is_empty() {
        return Err("a mark without lines".into());
    }
    rects.iter().map(|rect| frame.corners(page, rect)).collect()
}

/// A text mark: its box around every line, its colour, one quad per line (reached through
/// `points`, which each kind of mark has but no common trait), the quoted words.
fn write_mark<'a, Mark: PdfPageAnnotationCommon>(
    mut mark: Mark,
    points: impl FnOnce(&mut Mark) -> &mut PdfPageAnnotationAttachmentPoints<'a>,
    quads: &[Quad],
    colour: PdfColor,
    about: &About<'_>,
    quote: &TextQuote,
) -> Result<(), String> {
    let area = bounds(quads.iter().flatten().copied()).ok_or("a mark without lines")?;
    mark.set_bounds(area).map_err(placed)?;
    mark.set_stroke_color(colour).map_err(coloured)?;
    let points = points(&mut mark);
    for &[a, b, c, d] in quads {
        points
            .create_attachment_point_at_end(PdfQuadPoints::new_from_values(a.0, a.1, b.0, b.1, c.0, c.1, d.0, d.1))
            .map_err(|error| format!("cannot add a line: {error:?}"))?;
    }
    about.describe(&mut mark, &quote.exact)
}

/// The note's icon: a square centred where the note is.
fn note_area(page: &PdfPage<'_>, frame: &PageFrame, at: &PagePoint) -> Result<PdfRect, String> {
    let (x, y) = frame.point(page, at.x, at.y)?;
    let half = NOTE_SIZE / 2.0;
    Ok(PdfRect::new(
        PdfPoints::new(y - half),
        PdfPoints::new(x - half),
        PdfPoints::new(y + half),
        PdfPoints::new(x + half),
    ))
}

/// PDFium writes an annotation's appearance stream (/AP) the first time it draws it; drawing
/// the page once, tiny, puts one in every new annotation, which flattening needs and which
/// readers that do not make their own appearances show.
fn generate_appearances(page: &PdfPage<'_>) -> Result<(), String> {
    let config = PdfRenderConfig::new().set_target_width(8).render_annotations(true);
    page.render_with_config(&config)
        .map(|_| ())
        .map_err(|error| format!("cannot be drawn: {error:?}"))
}

/// Saves `document` to a file beside `out`, then renames it to `out`, so `out` is never half
/// written.
fn save_beside(document: &PdfDocument<'_>, out: &Path) -> Result<(), PdfError> {
    let failed = |detail: String| PdfError::Export(format!("{}: {detail}", out.display()));
    let name = out
        .file_name()
        .ok_or_else(|| failed("not a file name".into()))?
        .to_string_lossy();
    let partial: PathBuf = out.with_file_name(format!(".{name}.{}.partial", std::process::id()));
    let saved = document
        .save_to_file(&partial)
        .map_err(|error| failed(format!("cannot be written: {error:?}")))
        .and_then(|()| std::fs::rename(&partial, out).map_err(|error| failed(format!("cannot be written: {error}"))));
    if saved.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    saved
}
