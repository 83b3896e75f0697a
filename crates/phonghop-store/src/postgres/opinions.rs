//! Written opinions (góp ý): kept apart from the public log, read by who prepares the meeting,
//! each member's own by them.

use phonghop_protocol::http::OpinionView;
use phonghop_protocol::{DocumentId, ItemId, MeetingId, UserId, UserView};
use sqlx::{PgPool, Row};

use super::{id, unix_now};
use crate::{NewOpinion, Result, StoreError};

/// Keeps an opinion, or finds the one this member sent with the same id before. A document must
/// be of the item named; the item of the meeting.
pub(super) async fn add(pool: &PgPool, opinion: &NewOpinion) -> Result<OpinionView> {
    if let Some(document) = opinion.document_id {
        let of_item: Option<i64> =
            sqlx::query_scalar("SELECT item_id FROM documents WHERE meeting_id = $1 AND id = $2")
                .bind(id(opinion.meeting_id.0))
                .bind(id(document.0))
                .fetch_optional(pool)
                .await?;
        if of_item != Some(id(opinion.item_id.0)) {
            return Err(StoreError::NotFound("document of this item"));
        }
    }
    let item: Option<i64> = sqlx::query_scalar("SELECT id FROM agenda_items WHERE meeting_id = $1 AND id = $2")
        .bind(id(opinion.meeting_id.0))
        .bind(id(opinion.item_id.0))
        .fetch_optional(pool)
        .await?;
    if item.is_none() {
        return Err(StoreError::NotFound("agenda item"));
    }
    sqlx::query(
        "INSERT INTO opinions (meeting_id, user_id, client_id, item_id, document_id, text, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (user_id, client_id) DO NOTHING",
    )
    .bind(id(opinion.meeting_id.0))
    .bind(id(opinion.user_id.0))
    .bind(&opinion.client_id)
    .bind(id(opinion.item_id.0))
    .bind(opinion.document_id.map(|document| id(document.0)))
    .bind(&opinion.text)
    .bind(unix_now())
    .execute(pool)
    .await?;
    let row = sqlx::query(&format!(
        "{SELECT} WHERE o.user_id = $1 AND o.client_id = $2 AND o.meeting_id = $3"
    ))
    .bind(id(opinion.user_id.0))
    .bind(&opinion.client_id)
    .bind(id(opinion.meeting_id.0))
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| StoreError::Refused("this id was used for an opinion of another meeting".into()))?;
    Ok(view(&row))
}

/// The meeting's opinions, oldest first: everyone's, or only `of`'s.
pub(super) async fn list(pool: &PgPool, meeting: MeetingId, of: Option<UserId>) -> Result<Vec<OpinionView>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE o.meeting_id = $1 AND ($2::BIGINT IS NULL OR o.user_id = $3) ORDER BY o.id"
    ))
    .bind(id(meeting.0))
    .bind(of.map(|user| id(user.0)))
    .bind(of.map(|user| id(user.0)))
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(view).collect())
}

const SELECT: &str = "SELECT o.id, o.item_id, o.document_id, o.text, o.sent_at,
        u.id AS user_id, u.username, u.full_name, u.position
    FROM opinions o JOIN users u ON u.id = o.user_id";

fn view(row: &sqlx::postgres::PgRow) -> OpinionView {
    OpinionView {
        id: row.get::<i64, _>("id") as u32,
        user: UserView {
            id: UserId(row.get::<i64, _>("user_id") as u32),
            username: row.get("username"),
            full_name: row.get("full_name"),
            position: row.get("position"),
        },
        item_id: ItemId(row.get::<i64, _>("item_id") as u32),
        document_id: row
            .get::<Option<i64>, _>("document_id")
            .map(|document| DocumentId(document as u32)),
        text: row.get("text"),
        sent_at: row.get("sent_at"),
    }
}
