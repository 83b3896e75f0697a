//! Carrying the reader's annotations onto a document's new revision, on the laptop: which words
//! they hold on to are found again by `phonghop_core::anchoring`, and where those words now stand
//! on the page by PDFium (through [`PageGeometry`], which the app provides). What cannot be placed
//! is kept in a list for the reader, never dropped; the annotations on the old revision stay.
//!
//! A carried annotation's id is made from the old one's and the revision it goes to, so two
//! laptops of the same person carrying the same annotation make the same one, and syncing merges
//! them instead of doubling them.

use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use phonghop_core::anchoring::{self, quote_of, Anchor, Placement, UnplacedReason};
use phonghop_protocol::{Annotation, AnnotationBody, AnnotationId, Document, PageRect, Revision};
use serde::Serialize;
use sha2::Digest;
use ts_rs::TS;

use crate::cache::{AnnotationScope, CarryOutcome, DocumentCache};
use crate::error::{ClientError, Result};
use crate::seat::Seat;
use crate::session::Session;

/// Where characters of a page's text stand on the page: the app answers with PDFium.
pub trait PageGeometry: Send + Sync {
    /// The boxes, line by line, of characters `range` (of the page's text as PDFium extracts it)
    /// of page `page` of the PDF `pdf`, as fractions of the page.
    fn text_boxes<'a>(
        &'a self,
        pdf: &'a Path,
        page: u32,
        range: std::ops::Range<usize>,
    ) -> BoxFuture<'a, std::result::Result<Vec<PageRect>, String>>;
}

/// What a round of carrying did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Carried {
    pub placed: usize,
    pub unplaced: usize,
}

/// One of the reader's annotations that could not be placed on the current revision, as the
/// reader is shown it: the annotation on its old revision and page, and why.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct UnplacedShown {
    pub annotation: Annotation,
    pub reason: UnplacedReason,
}

/// The id of `old` carried onto revision `to_revision`: the same on every laptop.
pub fn carried_id(old: &AnnotationId, to_revision: u32) -> AnnotationId {
    let digest = sha2::Sha256::digest(format!("{old}>{to_revision}").as_bytes());
    AnnotationId::parse(&hex::encode(&digest[..12])).expect("hex is a valid id")
}

fn reason_name(reason: UnplacedReason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn reason_from(name: &str) -> UnplacedReason {
    match name {
        "context_changed" => UnplacedReason::ContextChanged,
        "page_gone" => UnplacedReason::PageGone,
        "page_changed" => UnplacedReason::PageChanged,
        _ => UnplacedReason::TextGone,
    }
}

/// `body` as it stands over the words now at `boxes` (the first line's place gives the move),
/// its quote now `quote`; `None` when the words have no box on the page.
fn placed_body(
    body: &AnnotationBody,
    old_boxes: Option<&[PageRect]>,
    boxes: &[PageRect],
    quote: phonghop_protocol::TextQuote,
) -> Option<AnnotationBody> {
    let first = boxes.first()?;
    Some(match body {
        AnnotationBody::Highlight { .. } => AnnotationBody::Highlight {
            rects: boxes.to_vec(),
            quote,
        },
        AnnotationBody::Underline { .. } => AnnotationBody::Underline {
            rects: boxes.to_vec(),
            quote,
        },
        AnnotationBody::StrikeOut { .. } => AnnotationBody::StrikeOut {
            rects: boxes.to_vec(),
            quote,
        },
        other => {
            // Ink, notes and text boxes keep their place beside the words they were near.
            let old = old_boxes?.first()?;
            let mut moved = phonghop_core::annotations::moved(other, first.left - old.left, first.top - old.top);
            match &mut moved {
                AnnotationBody::Ink { near, .. }
                | AnnotationBody::Note { near, .. }
                | AnnotationBody::FreeText { near, .. } => *near = Some(quote),
                _ => {}
            }
            moved
        }
    })
}

impl Seat {
    /// Carries the reader's annotations of earlier revisions of every document of the followed
    /// meeting onto its current revision, where not done yet. Needs the revisions' PDFs and texts
    /// (fetched if missing; the server unreachable, a document waits for the next round).
    pub async fn carry_annotations(&self, geometry: &dyn PageGeometry) -> Result<Carried> {
        let session = self.session()?;
        let state = self.followed_state()?;
        let cache = self.cache().await?;
        let scope = AnnotationScope::of(&session, state.meeting.id);
        let mut carried = Carried::default();
        for document in state.documents().filter(|document| document.current.revision > 1) {
            match self.carry_document(&session, cache, scope, document, geometry).await {
                Ok(done) => {
                    carried.placed += done.placed;
                    carried.unplaced += done.unplaced;
                }
                Err(ClientError::Unreachable(_)) | Err(ClientError::NotCached) => continue,
                Err(other) => return Err(other),
            }
        }
        Ok(carried)
    }

    async fn carry_document(
        &self,
        session: &Session,
        cache: &DocumentCache,
        scope: AnnotationScope<'_>,
        document: &Document,
        geometry: &dyn PageGeometry,
    ) -> Result<Carried> {
        let target = document.current.revision;
        let kept = cache.annotations_of(scope, document.id).await?;
        let mut pending: Vec<Annotation> = Vec::new();
        'annotations: for item in kept {
            let annotation = item.annotation;
            if item.author != scope.user || annotation.revision >= target {
                continue;
            }
            if cache.carried(scope, document.id, target, &annotation.id).await? {
                continue;
            }
            // Carried already (here or on another laptop), onto this revision or one between,
            // whose copy is then the one to carry.
            for revision in annotation.revision + 1..=target {
                if cache
                    .own_annotation(scope, &carried_id(&annotation.id, revision))
                    .await?
                    .is_some()
                {
                    continue 'annotations;
                }
            }
            pending.push(annotation);
        }
        let mut carried = Carried::default();
        if pending.is_empty() {
            return Ok(carried);
        }
        let new_pages = self.revision_pages(session, cache, document, &document.current).await?;
        let new_pdf = self.revision_file(session, cache, &document.current).await?;
        let mut from_revisions: Vec<u32> = pending.iter().map(|annotation| annotation.revision).collect();
        from_revisions.sort_unstable();
        from_revisions.dedup();
        for from in from_revisions {
            let Some(old_revision) = document.earlier.iter().find(|revision| revision.revision == from) else {
                continue;
            };
            let old_pages = self.revision_pages(session, cache, document, old_revision).await?;
            let old_pdf = self.revision_file(session, cache, old_revision).await?;
            let old: Vec<&Annotation> = pending
                .iter()
                .filter(|annotation| annotation.revision == from)
                .collect();
            let anchors: Vec<Anchor> = old.iter().map(|annotation| Anchor::from(*annotation)).collect();
            let outcome = anchoring::carry_over(&anchors, &old_pages, &new_pages);
            let record = |annotation: &Annotation, unplaced: Option<UnplacedReason>| {
                let outcome = CarryOutcome {
                    document: document.id,
                    to_revision: target,
                    old: annotation.clone(),
                    unplaced: unplaced.map(reason_name),
                };
                async move { cache.record_carry(scope, &outcome).await }
            };
            for placed in outcome.placed {
                let Some(annotation) = old.iter().find(|annotation| annotation.id == placed.id) else {
                    continue;
                };
                let body = match (&placed.range, quote_of(&annotation.body)) {
                    (Some(range), Some(old_quote)) => {
                        let page_text = new_pages.get(placed.page as usize).map(String::as_str).unwrap_or("");
                        let quote = anchoring::quote_at(page_text, range.clone());
                        let boxes = geometry
                            .text_boxes(&new_pdf, placed.page, range.clone())
                            .await
                            .map_err(ClientError::Protocol)?;
                        let old_boxes = match anchoring::locate(old_quote, &old_pages, annotation.page) {
                            Placement::Placed(place) => geometry
                                .text_boxes(&old_pdf, place.page, place.range)
                                .await
                                .map_err(ClientError::Protocol)?,
                            Placement::Unplaced(_) => vec![],
                        };
                        placed_body(&annotation.body, Some(&old_boxes), &boxes, quote)
                    }
                    // Kept by its page: the same place on the same page.
                    _ => Some(annotation.body.clone()),
                };
                let Some(body) = body else {
                    record(annotation, Some(UnplacedReason::TextGone)).await?;
                    carried.unplaced += 1;
                    continue;
                };
                let copy = Annotation {
                    id: carried_id(&annotation.id, target),
                    revision: target,
                    page: placed.page,
                    body,
                    carried_from: Some(annotation.id.clone()),
                    ..(*annotation).clone()
                };
                self.save_annotation(copy).await?;
                record(annotation, None).await?;
                carried.placed += 1;
            }
            for unplaced in outcome.unplaced {
                let Some(annotation) = old.iter().find(|annotation| annotation.id == unplaced.id) else {
                    continue;
                };
                record(annotation, Some(unplaced.reason)).await?;
                carried.unplaced += 1;
            }
        }
        Ok(carried)
    }

    /// The reader's annotations that could not be placed on `document`'s current revision.
    pub async fn unplaced_annotations(&self, document: phonghop_protocol::DocumentId) -> Result<Vec<UnplacedShown>> {
        let session = self.session()?;
        let state = self.followed_state()?;
        let Some(current) = state.document(document).map(|document| document.current.revision) else {
            return Ok(vec![]);
        };
        let scope = AnnotationScope::of(&session, state.meeting.id);
        let outcomes = self.cache().await?.unplaced(scope, document, current).await?;
        Ok(outcomes
            .into_iter()
            .map(|outcome| UnplacedShown {
                reason: reason_from(outcome.unplaced.as_deref().unwrap_or("")),
                annotation: outcome.old,
            })
            .collect())
    }

    /// The page texts of a revision: kept on the laptop, else asked of the server (and kept).
    async fn revision_pages(
        &self,
        session: &Session,
        cache: &DocumentCache,
        document: &Document,
        revision: &Revision,
    ) -> Result<Vec<String>> {
        if let Some(pages) = cache.text(&revision.sha256).await? {
            return Ok(pages);
        }
        let meeting = self.followed_state()?.meeting.id;
        let text = session.revision_text(meeting, document.id, revision.revision).await?;
        cache.keep_text(&text.sha256, &text.pages).await?;
        Ok(text.pages)
    }

    /// The PDF of a revision on the laptop, downloaded if needed.
    async fn revision_file(&self, session: &Session, cache: &DocumentCache, revision: &Revision) -> Result<PathBuf> {
        cache
            .download(session, &revision.sha256, revision.size, &mut |_| {})
            .await?;
        cache.cached(&revision.sha256).await?.ok_or(ClientError::NotCached)
    }
}
