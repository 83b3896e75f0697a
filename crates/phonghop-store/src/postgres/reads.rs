//! What clients read besides the model: a replay of the log, their own ballots, whether a blob
//! is theirs to read, and the results of commands already carried out.

use std::collections::HashMap;

use phonghop_protocol::{CommandResult, MeetingEvent, MeetingId, MyBallot, PollId, Sha256, UserId, Vote};
use sqlx::{PgPool, QueryBuilder, Row};

use super::{corrupt, id, parse_vote};
use crate::{Receipt, Result};

pub(super) async fn events_after(
    pool: &PgPool,
    meeting: MeetingId,
    seq: u32,
    limit: u32,
) -> Result<Vec<(u32, MeetingEvent)>> {
    let rows = sqlx::query("SELECT seq, payload FROM events WHERE meeting_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
        .bind(id(meeting.0))
        .bind(id(seq))
        .bind(id(limit))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            let event = serde_json::from_str(row.get("payload")).map_err(corrupt)?;
            Ok((row.get::<i64, _>("seq") as u32, event))
        })
        .collect()
}

pub(super) async fn last_seq(pool: &PgPool, meeting: MeetingId) -> Result<u32> {
    let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE meeting_id = $1")
        .bind(id(meeting.0))
        .fetch_one(pool)
        .await?;
    Ok(row.get::<i64, _>("seq") as u32)
}

pub(super) async fn my_ballots(pool: &PgPool, meeting: MeetingId, user: UserId) -> Result<Vec<MyBallot>> {
    // A secret poll's ballot is known only as cast: its choice is sealed apart, unlinked.
    let rows = sqlx::query(
        "SELECT poll_id, choice, marks, 1::BIGINT AS named FROM ballots WHERE meeting_id = $1 AND user_id = $2
         UNION ALL
         SELECT poll_id, NULL AS choice, NULL AS marks, 0::BIGINT AS named FROM secret_voters
         WHERE meeting_id = $1 AND user_id = $2
         ORDER BY poll_id",
    )
    .bind(id(meeting.0))
    .bind(id(user.0))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let vote = match row.get::<i64, _>("named") {
                0 => None,
                _ => Some(parse_vote(row.get("choice"), row.get("marks"))?),
            };
            Ok(MyBallot {
                poll_id: PollId(row.get::<i64, _>("poll_id") as u32),
                choice: vote.as_ref().and_then(Vote::choice),
                marks: vote.as_ref().and_then(Vote::marks),
            })
        })
        .collect()
}

pub(super) async fn blob_visible_to(pool: &PgPool, sha256: &Sha256, user: UserId) -> Result<bool> {
    let row = sqlx::query(
        "SELECT 1 FROM document_revisions r JOIN meeting_members mm ON mm.meeting_id = r.meeting_id
         WHERE (r.sha256 = $1 OR r.original_sha256 = $1) AND mm.user_id = $2 LIMIT 1",
    )
    .bind(sha256.as_str())
    .bind(id(user.0))
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

/// PostgreSQL allows 65 535 bound values per statement; two per receipt, with room to spare.
const RECEIPTS_PER_QUERY: usize = 4096;

pub(super) async fn processed(pool: &PgPool, receipts: &[Receipt]) -> Result<Vec<Option<CommandResult>>> {
    let mut found: HashMap<(u32, String), CommandResult> = HashMap::new();
    for chunk in receipts.chunks(RECEIPTS_PER_QUERY) {
        // A row-value IN over a VALUES list: flat however many receipts (a chain of ORs would
        // grow the query's expression depth), and each looked up by the primary key.
        let mut query = QueryBuilder::new(
            "SELECT user_id, command_id, result FROM processed_commands WHERE (user_id, command_id) IN (VALUES ",
        );
        let mut rows = query.separated(", ");
        for receipt in chunk {
            rows.push("(")
                .push_bind_unseparated(id(receipt.user.0))
                .push_unseparated(", ")
                .push_bind_unseparated(receipt.command_id.as_str())
                .push_unseparated(")");
        }
        query.push(")");
        for row in query.build().fetch_all(pool).await? {
            let user = row.get::<i64, _>("user_id") as u32;
            let result: CommandResult = serde_json::from_str(row.get("result")).map_err(corrupt)?;
            found.insert((user, row.get("command_id")), result);
        }
    }
    Ok(receipts
        .iter()
        .map(|receipt| found.get(&(receipt.user.0, receipt.command_id.clone())).cloned())
        .collect())
}
