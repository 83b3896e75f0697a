//! `POST /api/meetings/{id}/annotations/sync`: a member's laptop sends its annotation changes and
//! gets back what changed since its last sync that it may see. Annotations belong to their author:
//! a change is stored under the caller only, others receive an annotation only while it is
//! shared, and its content never reaches the meeting's log, an event or a log line.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use phonghop_core::annotations::{check, MAX_CHANGES_PER_SYNC};
use phonghop_protocol::http::{AnnotationSync, AnnotationSyncAnswer, RefusedAnnotation};
use phonghop_protocol::{Document, DocumentId, ErrorCode, MeetingId};

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::App;

/// Stores the caller's valid changes (last writer wins) and answers what changed since `since`.
pub async fn sync(
    app: &App,
    user: &AuthUser,
    meeting_id: MeetingId,
    sync: AnnotationSync,
) -> ApiResult<AnnotationSyncAnswer> {
    if sync.changes.len() > MAX_CHANGES_PER_SYNC {
        return Err(ApiError::new(
            ErrorCode::InvalidMessage,
            format!("at most {MAX_CHANGES_PER_SYNC} annotation changes in one sync"),
        ));
    }
    let mut documents: HashMap<DocumentId, Option<Document>> = HashMap::new();
    let mut taken = Vec::with_capacity(sync.changes.len());
    let mut refused = Vec::new();
    for change in sync.changes {
        if let Entry::Vacant(slot) = documents.entry(change.document_id) {
            slot.insert(app.store.document(meeting_id, change.document_id).await?);
        }
        let verdict = match documents.get(&change.document_id).and_then(Option::as_ref) {
            Some(document) => check(document, &change),
            None => Err(format!("the meeting has no document {}", change.document_id)),
        };
        match verdict {
            Ok(()) => taken.push(change),
            // The reason names the place, never the annotation's words.
            Err(reason) => refused.push(RefusedAnnotation { id: change.id, reason }),
        }
    }
    let stored = app.store.store_annotations(meeting_id, user.id(), &taken).await?;
    tracing::debug!(meeting = %meeting_id, user = %user.id(), sent = taken.len() + refused.len(), stored, "annotations synced");
    let (cursor, annotations) = app.store.annotations_since(meeting_id, user.id(), sync.since).await?;
    Ok(AnnotationSyncAnswer {
        cursor,
        annotations,
        refused,
    })
}
