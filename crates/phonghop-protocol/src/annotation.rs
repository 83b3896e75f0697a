//! Annotations: a councillor's highlights, ink and notes on one revision of a document. They
//! belong to their author (private unless shared with the meeting), are kept on the laptop first
//! and synced with the server outside the meeting's log (`docs/protocol.md` §3.17).
//!
//! Places on a page are fractions (0–1) of the page as drawn — its width and height from the
//! top-left corner, after the page's rotation and crop box — the same frame as the app's text
//! layer, so an annotation is independent of zoom and screen; an exported PDF maps them back to
//! the page's own coordinates.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{DocumentId, UserId};

/// An annotation's id, made by the app that creates it (so a laptop offline can make one): 1–64
/// characters of `A–Z a–z 0–9 - _`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, TS)]
#[ts(export, type = "string")]
pub struct AnnotationId(String);

/// Why a text is not an [`AnnotationId`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnAnnotationId;

impl std::fmt::Display for NotAnAnnotationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an annotation id is 1–64 characters of A–Z, a–z, 0–9, - and _")
    }
}

impl std::error::Error for NotAnAnnotationId {}

impl AnnotationId {
    pub fn parse(text: &str) -> Result<AnnotationId, NotAnAnnotationId> {
        let valid = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
        if valid {
            Ok(AnnotationId(text.to_owned()))
        } else {
            Err(NotAnAnnotationId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AnnotationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AnnotationId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        AnnotationId::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A point on a page, as fractions of its width (`x`) and height (`y`) from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PagePoint {
    pub x: f32,
    pub y: f32,
}

/// A box on a page, as fractions of its width and height from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageRect {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

/// Words of a page that an annotation holds on to: the words themselves and a little of the text
/// before and after them, so the same words are found again on a later revision even where they
/// moved or the wording around them changed a little.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TextQuote {
    pub exact: String,
    pub prefix: String,
    pub suffix: String,
}

/// What an annotation is and where it stands on its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum AnnotationBody {
    /// Text marked with colour; `rects` are the lines of the marked words.
    Highlight {
        rects: Vec<PageRect>,
        quote: TextQuote,
    },
    Underline {
        rects: Vec<PageRect>,
        quote: TextQuote,
    },
    StrikeOut {
        rects: Vec<PageRect>,
        quote: TextQuote,
    },
    /// Freehand strokes; `width` is a fraction of the page's width; a highlighter is drawn
    /// translucent under the text. `near` is the text closest to the strokes, for carrying them
    /// onto a later revision.
    Ink {
        strokes: Vec<Vec<PagePoint>>,
        width: f32,
        highlighter: bool,
        near: Option<TextQuote>,
    },
    /// A sticky note at a point of the page.
    Note {
        at: PagePoint,
        text: String,
        near: Option<TextQuote>,
    },
    /// Text written on the page in a box.
    FreeText {
        rect: PageRect,
        text: String,
        near: Option<TextQuote>,
    },
}

/// One annotation as its author's apps and the server keep it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Annotation {
    pub id: AnnotationId,
    pub document_id: DocumentId,
    /// The revision of the document it is on.
    pub revision: u32,
    /// 0-based.
    pub page: u32,
    /// `#rrggbb`.
    pub color: String,
    pub body: AnnotationBody,
    /// Shown to the other members of the meeting (read-only, with the author's name).
    pub shared: bool,
    /// A deletion, kept so that every laptop of the author learns of it.
    pub deleted: bool,
    /// When its author last changed it, unix milliseconds by the app's clock; the latest change
    /// wins, a tie going to the greater `device`.
    #[ts(type = "number")]
    pub changed_at: i64,
    /// The app that made that change (random, one per installation).
    pub device: String,
    /// The annotation of an earlier revision this one was carried over from, when a new revision
    /// of the document arrived.
    #[serde(default)]
    pub carried_from: Option<AnnotationId>,
}

/// An annotation as a member receives it from the server: their own, or one another member
/// shares (then `author` is that member and it is read-only). `annotation` is `None` when one
/// shared before is no longer visible to this member (deleted or made private again).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AnnotationView {
    pub id: AnnotationId,
    pub author: UserId,
    /// The author's full name, shown beside a shared annotation.
    pub author_name: String,
    pub annotation: Option<Annotation>,
}
