//! The audit trail in PostgreSQL: entries appended to the hash chain inside the caller's transaction
//! (a meeting's append, or one of their own), read back a page at a time, and the whole chain
//! checked from its first entry.

use futures_util::TryStreamExt;
use phonghop_core::audit::{entry_hash, ChainCheck};
use phonghop_protocol::http::AuditEntry;
use phonghop_protocol::{MeetingId, UserId};
use sqlx::{PgConnection, PgPool, Row};

use super::{corrupt, hash_bytes, id};
use crate::{AuditRecord, AuditVerdict, Result};

/// Appends `records` to the chain. The first statement writes, so the transaction holds the
/// write lock before it reads the chain's head and nobody else can append in between.
pub(super) async fn append(connection: &mut PgConnection, records: &[AuditRecord]) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let row = sqlx::query("UPDATE audit_chain SET written = written + $1 WHERE id = 1 RETURNING written, head")
        .bind(records.len() as i64)
        .fetch_one(&mut *connection)
        .await?;
    let written: i64 = row.try_get("written")?;
    let head: String = row.try_get("head")?;
    let mut previous = hash_bytes(&head)?;
    let first = written as u64 - records.len() as u64 + 1;
    for (offset, record) in records.iter().enumerate() {
        let mut entry = AuditEntry {
            seq: first + offset as u64,
            at_ms: record.at_ms,
            meeting_id: record.meeting_id,
            user_id: record.user_id,
            who: record.who.clone(),
            address: record.address.clone(),
            action: record.action.clone(),
            detail: record.detail.clone(),
            hash: String::new(),
        };
        previous = entry_hash(&previous, &entry);
        entry.hash = hex::encode(previous);
        sqlx::query(
            "INSERT INTO audit_log (seq, at_ms, meeting_id, user_id, who, address, action, detail, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry.seq as i64)
        .bind(entry.at_ms)
        .bind(entry.meeting_id.map(|meeting| id(meeting.0)))
        .bind(entry.user_id.map(|user| id(user.0)))
        .bind(&entry.who)
        .bind(&entry.address)
        .bind(&entry.action)
        .bind(&entry.detail)
        .bind(&entry.hash)
        .execute(&mut *connection)
        .await?;
    }
    sqlx::query("UPDATE audit_chain SET head = $1 WHERE id = 1")
        .bind(hex::encode(previous))
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Writes `records` in a transaction of their own.
pub(super) async fn record(pool: &PgPool, records: &[AuditRecord]) -> Result<()> {
    let mut tx = pool.begin().await?;
    append(&mut tx, records).await?;
    tx.commit().await?;
    Ok(())
}

const COLUMNS: &str = "seq, at_ms, meeting_id, user_id, who, address, action, detail, hash";

pub(super) async fn entries(
    pool: &PgPool,
    meeting: Option<MeetingId>,
    after: u64,
    limit: u32,
) -> Result<Vec<AuditEntry>> {
    let rows = match meeting {
        Some(meeting) => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE meeting_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
            ))
            .bind(id(meeting.0))
            .bind(after as i64)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
            ))
            .bind(after as i64)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }
    };
    rows.iter().map(entry_of).collect()
}

/// Reads the whole trail in order, checking each entry against the one before, then that it ends
/// where the server last wrote.
pub(super) async fn verify(pool: &PgPool) -> Result<AuditVerdict> {
    let mut connection = pool.acquire().await?;
    let written: i64 = sqlx::query_scalar("SELECT written FROM audit_chain WHERE id = 1")
        .fetch_one(&mut *connection)
        .await?;
    let mut check = ChainCheck::default();
    let mut broken = None;
    {
        let all = format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq");
        let mut rows = sqlx::query(&all).fetch(&mut *connection);
        while let Some(row) = rows.try_next().await? {
            if let Err(breaks) = check.feed(&entry_of(&row)?) {
                broken = Some(breaks);
                break;
            }
        }
    }
    if broken.is_none() {
        broken = check.finish(written.max(0) as u64).err();
    }
    Ok(AuditVerdict {
        entries: check.entries(),
        head: hex::encode(check.head()),
        broken,
    })
}

fn entry_of(row: &sqlx::postgres::PgRow) -> Result<AuditEntry> {
    let optional_id = |column: &str| -> Result<Option<u32>> {
        let value: Option<i64> = row.try_get(column)?;
        value.map(|value| u32::try_from(value).map_err(corrupt)).transpose()
    };
    Ok(AuditEntry {
        seq: row.try_get::<i64, _>("seq")? as u64,
        at_ms: row.try_get("at_ms")?,
        meeting_id: optional_id("meeting_id")?.map(MeetingId),
        user_id: optional_id("user_id")?.map(UserId),
        who: row.try_get("who")?,
        address: row.try_get("address")?,
        action: row.try_get("action")?,
        detail: row.try_get("detail")?,
        hash: row.try_get("hash")?,
    })
}
