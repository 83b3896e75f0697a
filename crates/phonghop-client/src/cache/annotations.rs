//! Annotations kept on the laptop first: every change is committed here before the app answers,
//! works without the server, and waits in an outbox (the latest change of each annotation) until
//! the server has taken it. What the server sends back — the person's own annotations from their
//! other laptops, others' shared ones — is merged in by the same rule: the later change wins.

use phonghop_protocol::{Annotation, AnnotationId, AnnotationView, DocumentId, MeetingId, UserId};
use sqlx::{Row, Sqlite, Transaction};

use super::DocumentCache;
use crate::error::Result;
use crate::session::Session;

/// Whose annotations, on which server and meeting: a laptop may be shared by councillors.
#[derive(Debug, Clone, Copy)]
pub struct AnnotationScope<'a> {
    pub server: &'a str,
    pub user: UserId,
    pub meeting: MeetingId,
}

impl<'a> AnnotationScope<'a> {
    /// `session`'s person in `meeting`, on the session's server.
    pub fn of(session: &'a Session, meeting: MeetingId) -> AnnotationScope<'a> {
        AnnotationScope {
            server: &session.server,
            user: session.user.id,
            meeting,
        }
    }
}

/// An annotation as the app shows it: whose it is, and whether the reader may change it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptAnnotation {
    pub author: UserId,
    /// Empty for the reader's own annotations made on this laptop.
    pub author_name: String,
    pub annotation: Annotation,
}

impl DocumentCache {
    /// This installation's device name (random, made once): the tie-breaker of two changes made
    /// in the same millisecond on two laptops.
    pub async fn device(&self) -> Result<String> {
        let made = hex::encode(rand::random::<[u8; 8]>());
        sqlx::query("INSERT OR IGNORE INTO settings (name, value) VALUES ('device', ?)")
            .bind(made)
            .execute(&self.index)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE name = 'device'")
            .fetch_one(&self.index)
            .await?)
    }

    /// The kept version of one of the person's own annotations.
    pub async fn own_annotation(&self, scope: AnnotationScope<'_>, id: &AnnotationId) -> Result<Option<Annotation>> {
        kept(&self.index, scope, scope.user, id)
            .await?
            .flatten()
            .map(|stored| self.open_json(&stored))
            .transpose()
    }

    /// Keeps a change of one of the person's own annotations and queues it for the server, in one
    /// commit; false (nothing kept) when a later change of it is already kept.
    pub async fn save_own_annotation(&self, scope: AnnotationScope<'_>, annotation: &Annotation) -> Result<bool> {
        let mut transaction = self.index.begin().await?;
        if !keep(
            self,
            &mut transaction,
            scope,
            scope.user,
            None,
            &annotation.id,
            Some(annotation),
        )
        .await?
        {
            return Ok(false);
        }
        sqlx::query(
            "INSERT OR REPLACE INTO annotation_outbox (server, user_id, meeting_id, id, annotation)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(scope.server)
        .bind(i64::from(scope.user.0))
        .bind(i64::from(scope.meeting.0))
        .bind(annotation.id.as_str())
        .bind(self.seal_json(annotation)?)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(true)
    }

    /// The annotations of `document` the person sees, their own first (deleted ones left out).
    pub async fn annotations_of(
        &self,
        scope: AnnotationScope<'_>,
        document: DocumentId,
    ) -> Result<Vec<KeptAnnotation>> {
        let rows = sqlx::query(
            "SELECT author_id, author_name, annotation FROM annotations
             WHERE server = ? AND user_id = ? AND meeting_id = ? AND document_id = ? AND annotation IS NOT NULL
             ORDER BY author_id != user_id, rowid",
        )
        .bind(scope.server)
        .bind(i64::from(scope.user.0))
        .bind(i64::from(scope.meeting.0))
        .bind(i64::from(document.0))
        .fetch_all(&self.index)
        .await?;
        let mut kept = Vec::with_capacity(rows.len());
        for row in rows {
            let annotation: Annotation = self.open_json(row.get::<&[u8], _>("annotation"))?;
            if !annotation.deleted {
                kept.push(KeptAnnotation {
                    author: UserId(row.get::<i64, _>("author_id") as u32),
                    author_name: row.get("author_name"),
                    annotation,
                });
            }
        }
        Ok(kept)
    }

    /// Up to `limit` of the person's changes waiting for the server.
    pub async fn annotation_outbox(&self, scope: AnnotationScope<'_>, limit: usize) -> Result<Vec<Annotation>> {
        let rows = sqlx::query(
            "SELECT annotation FROM annotation_outbox WHERE server = ? AND user_id = ? AND meeting_id = ?
             ORDER BY rowid LIMIT ?",
        )
        .bind(scope.server)
        .bind(i64::from(scope.user.0))
        .bind(i64::from(scope.meeting.0))
        .bind(limit as i64)
        .fetch_all(&self.index)
        .await?;
        rows.iter()
            .map(|row| self.open_json(row.get::<&[u8], _>("annotation")))
            .collect()
    }

    /// Takes `sent` out of the outbox, each only if no later change was queued meanwhile.
    pub async fn annotations_sent(&self, scope: AnnotationScope<'_>, sent: &[Annotation]) -> Result<()> {
        let mut transaction = self.index.begin().await?;
        for annotation in sent {
            // Sealed values differ each time they are sealed: the one queued is opened and
            // compared, in the same transaction as the delete.
            let queued: Option<Vec<u8>> = sqlx::query_scalar(
                "SELECT annotation FROM annotation_outbox WHERE server = ? AND user_id = ? AND meeting_id = ? AND id = ?",
            )
            .bind(scope.server)
            .bind(i64::from(scope.user.0))
            .bind(i64::from(scope.meeting.0))
            .bind(annotation.id.as_str())
            .fetch_optional(&mut *transaction)
            .await?;
            let Some(queued) = queued else { continue };
            if &self.open_json::<Annotation>(&queued)? != annotation {
                continue;
            }
            sqlx::query("DELETE FROM annotation_outbox WHERE server = ? AND user_id = ? AND meeting_id = ? AND id = ?")
                .bind(scope.server)
                .bind(i64::from(scope.user.0))
                .bind(i64::from(scope.meeting.0))
                .bind(annotation.id.as_str())
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Merges what the server sent, and remembers where to ask from next time.
    pub async fn merge_annotations(
        &self,
        scope: AnnotationScope<'_>,
        views: &[AnnotationView],
        cursor: u64,
    ) -> Result<()> {
        let mut transaction = self.index.begin().await?;
        for view in views {
            keep(
                self,
                &mut transaction,
                scope,
                view.author,
                Some(&view.author_name),
                &view.id,
                view.annotation.as_ref(),
            )
            .await?;
        }
        sqlx::query(
            "INSERT OR REPLACE INTO annotation_cursors (server, user_id, meeting_id, cursor) VALUES (?, ?, ?, ?)",
        )
        .bind(scope.server)
        .bind(i64::from(scope.user.0))
        .bind(i64::from(scope.meeting.0))
        .bind(i64::try_from(cursor).unwrap_or(i64::MAX))
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Where the last sync of the person's annotations in the meeting ended (0: never synced).
    pub async fn annotation_cursor(&self, scope: AnnotationScope<'_>) -> Result<u64> {
        let cursor: Option<i64> = sqlx::query_scalar(
            "SELECT cursor FROM annotation_cursors WHERE server = ? AND user_id = ? AND meeting_id = ?",
        )
        .bind(scope.server)
        .bind(i64::from(scope.user.0))
        .bind(i64::from(scope.meeting.0))
        .fetch_optional(&self.index)
        .await?;
        Ok(cursor.unwrap_or(0) as u64)
    }
}

/// What became of one annotation carried onto a later revision.
#[derive(Debug, Clone, PartialEq)]
pub struct CarryOutcome {
    pub document: DocumentId,
    pub to_revision: u32,
    /// The annotation as it was on its old revision.
    pub old: Annotation,
    /// `None`: placed; else why not (`phonghop_core::anchoring::UnplacedReason`, snake case).
    pub unplaced: Option<String>,
}

impl DocumentCache {
    /// Whether the person's annotation `id` has been carried onto `to_revision` here.
    pub async fn carried(
        &self,
        scope: AnnotationScope<'_>,
        document: DocumentId,
        to_revision: u32,
        id: &AnnotationId,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM carry_outcomes
             WHERE server = ? AND user_id = ? AND meeting_id = ? AND document_id = ? AND to_revision = ? AND annotation_id = ?",
        )
        .bind(scope.server)
        .bind(i64::from(scope.user.0))
        .bind(i64::from(scope.meeting.0))
        .bind(i64::from(document.0))
        .bind(i64::from(to_revision))
        .bind(id.as_str())
        .fetch_optional(&self.index)
        .await?;
        Ok(row.is_some())
    }

    /// Remembers what became of an annotation carried onto a later revision.
    pub async fn record_carry(&self, scope: AnnotationScope<'_>, outcome: &CarryOutcome) -> Result<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO carry_outcomes
                 (server, user_id, meeting_id, document_id, to_revision, annotation_id, placed, reason, old_annotation)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(scope.server)
        .bind(i64::from(scope.user.0))
        .bind(i64::from(scope.meeting.0))
        .bind(i64::from(outcome.document.0))
        .bind(i64::from(outcome.to_revision))
        .bind(outcome.old.id.as_str())
        .bind(outcome.unplaced.is_none())
        .bind(outcome.unplaced.as_deref())
        .bind(self.seal_json(&outcome.old)?)
        .execute(&self.index)
        .await?;
        Ok(())
    }

    /// The person's annotations that could not be placed on `to_revision` of `document`.
    pub async fn unplaced(
        &self,
        scope: AnnotationScope<'_>,
        document: DocumentId,
        to_revision: u32,
    ) -> Result<Vec<CarryOutcome>> {
        let rows = sqlx::query(
            "SELECT reason, old_annotation FROM carry_outcomes
             WHERE server = ? AND user_id = ? AND meeting_id = ? AND document_id = ? AND to_revision = ? AND NOT placed
             ORDER BY rowid",
        )
        .bind(scope.server)
        .bind(i64::from(scope.user.0))
        .bind(i64::from(scope.meeting.0))
        .bind(i64::from(document.0))
        .bind(i64::from(to_revision))
        .fetch_all(&self.index)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CarryOutcome {
                    document,
                    to_revision,
                    old: self.open_json(row.get::<&[u8], _>("old_annotation"))?,
                    unplaced: row.get("reason"),
                })
            })
            .collect()
    }
}

/// The kept (sealed) JSON of `author`'s annotation `id`: `None` if unknown, `Some(None)` if it is another
/// member's that is no longer shared.
async fn kept<'e>(
    executor: impl sqlx::Executor<'e, Database = Sqlite>,
    scope: AnnotationScope<'_>,
    author: UserId,
    id: &AnnotationId,
) -> Result<Option<Option<Vec<u8>>>> {
    Ok(sqlx::query_scalar(
        "SELECT annotation FROM annotations
         WHERE server = ? AND user_id = ? AND meeting_id = ? AND author_id = ? AND id = ?",
    )
    .bind(scope.server)
    .bind(i64::from(scope.user.0))
    .bind(i64::from(scope.meeting.0))
    .bind(i64::from(author.0))
    .bind(id.as_str())
    .fetch_optional(executor)
    .await?)
}

/// Keeps `annotation` of `author` (named `author_name`, when the server says) unless a later change
/// of it is kept (`None`: another member's annotation no longer shared, which is forgotten);
/// whether it was kept.
async fn keep(
    cache: &DocumentCache,
    transaction: &mut Transaction<'_, Sqlite>,
    scope: AnnotationScope<'_>,
    author: UserId,
    author_name: Option<&str>,
    id: &AnnotationId,
    annotation: Option<&Annotation>,
) -> Result<bool> {
    let kept = kept(&mut **transaction, scope, author, id).await?;
    if let (Some(candidate), Some(Some(kept))) = (annotation, &kept) {
        let kept: Annotation = cache.open_json(kept)?;
        if !phonghop_core::annotations::is_later(candidate, &kept) {
            return Ok(false);
        }
    }
    sqlx::query(
        "INSERT INTO annotations (server, user_id, meeting_id, author_id, id, document_id, annotation, author_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, COALESCE(?, ''))
         ON CONFLICT (server, user_id, meeting_id, author_id, id) DO UPDATE SET
             document_id = excluded.document_id,
             annotation = excluded.annotation,
             author_name = COALESCE(?, author_name)",
    )
    .bind(scope.server)
    .bind(i64::from(scope.user.0))
    .bind(i64::from(scope.meeting.0))
    .bind(i64::from(author.0))
    .bind(id.as_str())
    .bind(annotation.map(|annotation| i64::from(annotation.document_id.0)))
    .bind(annotation.map(|annotation| cache.seal_json(annotation)).transpose()?)
    .bind(author_name)
    .bind(author_name)
    .execute(&mut **transaction)
    .await?;
    Ok(true)
}
