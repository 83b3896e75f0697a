//! A councillor's annotations in the followed meeting, as the app uses them: saved on the laptop
//! at once (the server need not be there), listed per document with whose they are, and synced
//! with the server — the outbox sent in batches, what changed elsewhere merged in.

use phonghop_protocol::http::AnnotationSync;
use phonghop_protocol::{Annotation, AnnotationId, DocumentId, MeetingId, UserId};
use serde::Serialize;
use ts_rs::TS;

use crate::cache::AnnotationScope;
use crate::error::{ClientError, Result};
use crate::seat::Seat;
use crate::session::Session;

/// Changes sent in one sync at most: well under the server's limit on a request's size.
const SYNC_BATCH: usize = 100;

/// An annotation as the viewer draws it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct AnnotationShown {
    pub annotation: Annotation,
    pub author: UserId,
    /// Shown beside another member's shared annotation.
    pub author_name: String,
    /// The reader's own (they may change it); else another member shares it, read-only.
    pub mine: bool,
}

/// What a sync did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnnotationsSynced {
    pub sent: usize,
    pub received: usize,
    pub refused: usize,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_millis() as i64)
        .unwrap_or(0)
}

impl Seat {
    /// Who annotates, in which followed meeting.
    fn annotating(&self) -> Result<(Session, MeetingId)> {
        Ok((self.session()?, self.followed_state()?.meeting.id))
    }

    /// Saves a change of one of the reader's annotations (new, edited, shared or not, deleted):
    /// kept on the laptop before this returns, sent to the server by the next sync. The app's
    /// clock and device are stamped here, later than any change kept of it.
    pub async fn save_annotation(&self, mut annotation: Annotation) -> Result<Annotation> {
        let (session, meeting) = self.annotating()?;
        let cache = self.cache().await?;
        let scope = AnnotationScope::of(&session, meeting);
        let kept = cache.own_annotation(scope, &annotation.id).await?;
        annotation.device = cache.device().await?;
        annotation.changed_at = now_ms().max(kept.map_or(0, |kept| kept.changed_at + 1));
        cache.save_own_annotation(scope, &annotation).await?;
        Ok(annotation)
    }

    /// Deletes one of the reader's annotations (kept as a deletion until every laptop knows).
    pub async fn delete_annotation(&self, id: &AnnotationId) -> Result<()> {
        let (session, meeting) = self.annotating()?;
        let scope = AnnotationScope::of(&session, meeting);
        let Some(mut annotation) = self.cache().await?.own_annotation(scope, id).await? else {
            return Err(ClientError::NotCached);
        };
        annotation.deleted = true;
        self.save_annotation(annotation).await.map(|_| ())
    }

    /// The annotations on `document` the reader sees: their own, and those others share.
    pub async fn annotations(&self, document: DocumentId) -> Result<Vec<AnnotationShown>> {
        let (session, meeting) = self.annotating()?;
        let scope = AnnotationScope::of(&session, meeting);
        let kept = self.cache().await?.annotations_of(scope, document).await?;
        Ok(kept
            .into_iter()
            .map(|kept| AnnotationShown {
                mine: kept.author == session.user.id,
                author: kept.author,
                author_name: kept.author_name,
                annotation: kept.annotation,
            })
            .collect())
    }

    /// Syncs after a change, but never two syncs at once: a change made while one runs makes it
    /// go round once more instead (a burst of strokes is one or two syncs, not one each).
    pub async fn sync_annotations_soon(&self) -> Result<()> {
        self.annotations_changed
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let Ok(_running) = self.annotation_sync.try_lock() else {
            return Ok(());
        };
        while self
            .annotations_changed
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            self.sync_annotations().await?;
        }
        Ok(())
    }

    /// Whether the annotations were synced less than `within` ago.
    pub(crate) fn annotations_synced_within(&self, within: std::time::Duration) -> bool {
        self.annotations_synced_at
            .lock()
            .expect("seat lock")
            .is_some_and(|at| at.elapsed() < within)
    }

    /// Sends the reader's waiting changes and merges what changed on the server, until nothing
    /// waits. The server unreachable: what was not sent stays queued.
    pub async fn sync_annotations(&self) -> Result<AnnotationsSynced> {
        let (session, meeting) = self.annotating()?;
        let cache = self.cache().await?;
        let scope = AnnotationScope::of(&session, meeting);
        let mut synced = AnnotationsSynced::default();
        loop {
            let changes = cache.annotation_outbox(scope, SYNC_BATCH).await?;
            let request = AnnotationSync {
                since: cache.annotation_cursor(scope).await?,
                changes,
            };
            let answer = session.sync_annotations(meeting, &request).await?;
            // Refused changes will never be taken: out of the outbox with the sent ones.
            cache.annotations_sent(scope, &request.changes).await?;
            for refused in &answer.refused {
                tracing::warn!(annotation = %refused.id, reason = %refused.reason, "annotation refused by the server");
            }
            cache
                .merge_annotations(scope, &answer.annotations, answer.cursor)
                .await?;
            synced.sent += request.changes.len() - answer.refused.len();
            synced.refused += answer.refused.len();
            synced.received += answer.annotations.len();
            if request.changes.len() < SYNC_BATCH {
                *self.annotations_synced_at.lock().expect("seat lock") = Some(std::time::Instant::now());
                return Ok(synced);
            }
        }
    }
}
