//! The rules for annotations a member sends: on a revision of a document of the meeting, on one of
//! its pages, within the page, of a size the server keeps; and which of two changes of the same
//! annotation wins (the later by the author's apps, a tie to the greater device).

use phonghop_protocol::{Annotation, AnnotationBody, Document, PagePoint, PageRect, TextQuote};

/// Longest note, free text or quoted passage, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Most points of one ink annotation (all its strokes).
pub const MAX_INK_POINTS: usize = 20_000;
/// Most boxes of one text mark (lines of marked text).
pub const MAX_RECTS: usize = 1000;
/// Most annotation changes in one sync.
pub const MAX_CHANGES_PER_SYNC: usize = 500;

/// A little outside the page is allowed: a stroke that runs off the edge is still a stroke.
const MARGIN: f32 = 0.25;

/// Whether `annotation` may be kept on `document`; the reason if not.
pub fn check(document: &Document, annotation: &Annotation) -> Result<(), String> {
    let revision = std::iter::once(&document.current)
        .chain(&document.earlier)
        .find(|revision| revision.revision == annotation.revision)
        .ok_or_else(|| format!("document {} has no revision {}", document.id, annotation.revision))?;
    if annotation.page >= revision.page_count {
        return Err(format!(
            "revision {} has {} pages; there is no page {}",
            revision.revision,
            revision.page_count,
            annotation.page + 1
        ));
    }
    if !is_colour(&annotation.color) {
        return Err("a colour is written #rrggbb".into());
    }
    if annotation.device.is_empty() || annotation.device.len() > 64 {
        return Err("a device is named by 1–64 characters".into());
    }
    match &annotation.body {
        AnnotationBody::Highlight { rects, quote }
        | AnnotationBody::Underline { rects, quote }
        | AnnotationBody::StrikeOut { rects, quote } => {
            if rects.is_empty() || rects.len() > MAX_RECTS {
                return Err(format!("a text mark has 1–{MAX_RECTS} boxes"));
            }
            rects.iter().try_for_each(check_rect)?;
            check_quote(quote)
        }
        AnnotationBody::Ink {
            strokes, width, near, ..
        } => {
            let points: usize = strokes.iter().map(Vec::len).sum();
            if strokes.is_empty() || strokes.iter().any(Vec::is_empty) || points > MAX_INK_POINTS {
                return Err(format!(
                    "ink has strokes of at least one point, {MAX_INK_POINTS} points at most"
                ));
            }
            if !(width.is_finite() && *width > 0.0 && *width <= 0.1) {
                return Err("a stroke is wider than nothing and at most a tenth of the page".into());
            }
            strokes.iter().flatten().try_for_each(check_point)?;
            near.as_ref().map_or(Ok(()), check_quote)
        }
        AnnotationBody::Note { at, text, near } => {
            check_point(at)?;
            check_text(text)?;
            near.as_ref().map_or(Ok(()), check_quote)
        }
        AnnotationBody::FreeText { rect, text, near } => {
            check_rect(rect)?;
            check_text(text)?;
            near.as_ref().map_or(Ok(()), check_quote)
        }
    }
}

/// `body` moved by `dx`, `dy` (fractions of the page's width and height).
pub fn moved(body: &AnnotationBody, dx: f32, dy: f32) -> AnnotationBody {
    let point = |point: &PagePoint| PagePoint {
        x: point.x + dx,
        y: point.y + dy,
    };
    let rect = |rect: &PageRect| PageRect {
        left: rect.left + dx,
        top: rect.top + dy,
        ..*rect
    };
    match body {
        AnnotationBody::Highlight { rects, quote } => AnnotationBody::Highlight {
            rects: rects.iter().map(rect).collect(),
            quote: quote.clone(),
        },
        AnnotationBody::Underline { rects, quote } => AnnotationBody::Underline {
            rects: rects.iter().map(rect).collect(),
            quote: quote.clone(),
        },
        AnnotationBody::StrikeOut { rects, quote } => AnnotationBody::StrikeOut {
            rects: rects.iter().map(rect).collect(),
            quote: quote.clone(),
        },
        AnnotationBody::Ink {
            strokes,
            width,
            highlighter,
            near,
        } => AnnotationBody::Ink {
            strokes: strokes
                .iter()
                .map(|stroke| stroke.iter().map(point).collect())
                .collect(),
            width: *width,
            highlighter: *highlighter,
            near: near.clone(),
        },
        AnnotationBody::Note { at, text, near } => AnnotationBody::Note {
            at: point(at),
            text: text.clone(),
            near: near.clone(),
        },
        AnnotationBody::FreeText {
            rect: place,
            text,
            near,
        } => AnnotationBody::FreeText {
            rect: rect(place),
            text: text.clone(),
            near: near.clone(),
        },
    }
}

/// Whether `candidate` is a later change of an annotation than `kept`.
pub fn is_later(candidate: &Annotation, kept: &Annotation) -> bool {
    (candidate.changed_at, candidate.device.as_str()) > (kept.changed_at, kept.device.as_str())
}

fn is_colour(colour: &str) -> bool {
    colour.len() == 7 && colour.starts_with('#') && colour[1..].bytes().all(|byte| byte.is_ascii_hexdigit())
}

fn on_page(value: f32) -> bool {
    value.is_finite() && (-MARGIN..=1.0 + MARGIN).contains(&value)
}

fn check_point(point: &PagePoint) -> Result<(), String> {
    if on_page(point.x) && on_page(point.y) {
        Ok(())
    } else {
        Err("a point lies far outside the page".into())
    }
}

fn check_rect(rect: &PageRect) -> Result<(), String> {
    let sized = rect.width.is_finite() && rect.height.is_finite() && rect.width >= 0.0 && rect.height >= 0.0;
    if sized
        && on_page(rect.left)
        && on_page(rect.top)
        && on_page(rect.left + rect.width)
        && on_page(rect.top + rect.height)
    {
        Ok(())
    } else {
        Err("a box lies outside the page or has no size".into())
    }
}

fn check_text(text: &str) -> Result<(), String> {
    if text.chars().count() > MAX_TEXT_CHARS {
        Err(format!("a note is at most {MAX_TEXT_CHARS} characters"))
    } else {
        Ok(())
    }
}

fn check_quote(quote: &TextQuote) -> Result<(), String> {
    [&quote.exact, &quote.prefix, &quote.suffix]
        .into_iter()
        .try_for_each(|text| check_text(text))
}
