//! Annotations kept per author: a change is stored only if it is later than the one kept (last
//! writer wins by `(changed_at, device)`), and each stored change takes the meeting's next
//! annotation `seq`; a member reads back their own and those others share.

use phonghop_protocol::{Annotation, AnnotationId, AnnotationView, MeetingId, UserId};
use sqlx::{PgPool, Row};

use super::id;
use crate::{Result, StoreError};

/// Stores `changes` by `author` that are later than what is kept, in one transaction; how many
/// were stored.
pub(super) async fn store(pool: &PgPool, meeting: MeetingId, author: UserId, changes: &[Annotation]) -> Result<usize> {
    let mut transaction = pool.begin().await?;
    let mut stored = 0;
    for change in changes {
        let json = serde_json::to_string(change).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO annotation_clocks (meeting_id, seq) VALUES ($1, 1)
             ON CONFLICT (meeting_id) DO UPDATE SET seq = annotation_clocks.seq + 1
             RETURNING seq",
        )
        .bind(id(meeting.0))
        .fetch_one(&mut *transaction)
        .await?;
        let written = sqlx::query(
            "INSERT INTO annotations
                 (meeting_id, author_id, id, document_id, shared, ever_shared, deleted, changed_at, device,
                  annotation, seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (meeting_id, author_id, id) DO UPDATE SET
                 document_id = excluded.document_id,
                 shared = excluded.shared,
                 ever_shared = GREATEST(annotations.ever_shared, excluded.shared),
                 deleted = excluded.deleted,
                 changed_at = excluded.changed_at,
                 device = excluded.device,
                 annotation = excluded.annotation,
                 seq = excluded.seq
             WHERE excluded.changed_at > annotations.changed_at
                OR (excluded.changed_at = annotations.changed_at AND excluded.device > annotations.device)",
        )
        .bind(id(meeting.0))
        .bind(id(author.0))
        .bind(change.id.as_str())
        .bind(id(change.document_id.0))
        .bind(i64::from(change.shared))
        .bind(i64::from(change.shared))
        .bind(i64::from(change.deleted))
        .bind(change.changed_at)
        .bind(&change.device)
        .bind(json)
        .bind(seq)
        .execute(&mut *transaction)
        .await?;
        stored += written.rows_affected() as usize;
    }
    transaction.commit().await?;
    Ok(stored)
}

/// What `reader` may see of the meeting's annotations changed after `since`, in the order they
/// changed, and the meeting's annotation `seq` now: their own in full (deletions too), and those
/// of others that are shared — or were, then `annotation` is `None` — never one never shared.
pub(super) async fn visible_since(
    pool: &PgPool,
    meeting: MeetingId,
    reader: UserId,
    since: u64,
) -> Result<(u64, Vec<AnnotationView>)> {
    let mut transaction = super::snapshot(pool).await?;
    let cursor: Option<i64> = sqlx::query_scalar("SELECT seq FROM annotation_clocks WHERE meeting_id = $1")
        .bind(id(meeting.0))
        .fetch_optional(&mut *transaction)
        .await?;
    let rows = sqlx::query(
        "SELECT a.author_id, a.id, a.shared, a.deleted, a.annotation, u.full_name
         FROM annotations a JOIN users u ON u.id = a.author_id
         WHERE a.meeting_id = $1 AND a.seq > $2 AND (a.author_id = $3 OR a.ever_shared = 1)
         ORDER BY a.seq",
    )
    .bind(id(meeting.0))
    .bind(i64::try_from(since).unwrap_or(i64::MAX))
    .bind(id(reader.0))
    .fetch_all(&mut *transaction)
    .await?;
    transaction.commit().await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let author = UserId(row.get::<i64, _>("author_id") as u32);
        let annotation_id =
            AnnotationId::parse(row.get("id")).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let readable = author == reader || (row.get::<i64, _>("shared") != 0 && row.get::<i64, _>("deleted") == 0);
        let annotation = if readable {
            Some(
                serde_json::from_str(row.get("annotation"))
                    .map_err(|error| StoreError::Corrupt(format!("annotation {annotation_id}: {error}")))?,
            )
        } else {
            None
        };
        views.push(AnnotationView {
            id: annotation_id,
            author,
            author_name: row.get("full_name"),
            annotation,
        });
    }
    Ok((cursor.unwrap_or(0) as u64, views))
}
