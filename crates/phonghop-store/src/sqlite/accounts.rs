//! Users and session tokens (stored only as their SHA-256).

use phonghop_protocol::{MeetingId, UserId};
use sqlx::{Row, SqlitePool};

use super::{id, is_unique_violation, unix_now};
use crate::{NewUser, Result, SessionFound, StoreError, UserRecord};

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> UserRecord {
    UserRecord {
        id: UserId(row.get::<i64, _>("id") as u32),
        username: row.get("username"),
        full_name: row.get("full_name"),
        position: row.get("position"),
        password_hash: row.get("password_hash"),
        is_admin: row.get::<i64, _>("is_admin") != 0,
        may_create_meetings: row.get::<i64, _>("may_create_meetings") != 0,
    }
}

pub(super) async fn create_user(pool: &SqlitePool, user: &NewUser) -> Result<UserId> {
    let mut connection = pool.acquire().await?;
    insert_user(&mut connection, user).await
}

pub(super) async fn create_users(pool: &SqlitePool, users: &[NewUser]) -> Result<Vec<UserId>> {
    let mut tx = pool.begin().await?;
    let mut ids = Vec::with_capacity(users.len());
    for user in users {
        ids.push(insert_user(&mut tx, user).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

async fn insert_user(connection: &mut sqlx::SqliteConnection, user: &NewUser) -> Result<UserId> {
    let result = sqlx::query(
        "INSERT INTO users (username, full_name, position, password_hash, is_admin, may_create_meetings, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&user.username)
    .bind(&user.full_name)
    .bind(&user.position)
    .bind(&user.password_hash)
    .bind(user.is_admin as i64)
    .bind((user.is_admin || user.may_create_meetings) as i64)
    .bind(unix_now())
    .fetch_one(connection)
    .await;
    match result {
        Ok(row) => Ok(UserId(row.get::<i64, _>("id") as u32)),
        Err(err) if is_unique_violation(&err) => Err(StoreError::Duplicate("username")),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn user_by_username(pool: &SqlitePool, username: &str) -> Result<Option<UserRecord>> {
    let row =
        sqlx::query("SELECT id, username, full_name, position, password_hash, is_admin, may_create_meetings FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(pool)
            .await?;
    Ok(row.as_ref().map(user_from_row))
}

/// Sets an account's council-office flag and its permission to create meetings (the office may
/// always); `false` when there is no such account.
pub(super) async fn set_permissions(
    pool: &SqlitePool,
    username: &str,
    is_admin: bool,
    may_create_meetings: bool,
) -> Result<bool> {
    let changed = sqlx::query("UPDATE users SET is_admin = ?, may_create_meetings = ? WHERE username = ?")
        .bind(is_admin as i64)
        .bind((is_admin || may_create_meetings) as i64)
        .bind(username)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(changed == 1)
}

pub(super) async fn create_session(
    pool: &SqlitePool,
    token_hash: &[u8; 32],
    user: UserId,
    expires_at: i64,
    device: Option<&str>,
) -> Result<()> {
    sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at, created_at, device_id) VALUES (?, ?, ?, ?, ?)")
        .bind(&token_hash[..])
        .bind(id(user.0))
        .bind(expires_at)
        .bind(unix_now())
        .bind(device)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn session_user(pool: &SqlitePool, token_hash: &[u8; 32]) -> Result<Option<SessionFound>> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.full_name, u.position, u.password_hash, u.is_admin, u.may_create_meetings,
                s.expires_at, s.device_id, d.revoked_at
         FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN devices d ON d.id = s.device_id
         WHERE s.token_hash = ?",
    )
    .bind(&token_hash[..])
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| SessionFound {
        user: user_from_row(&row),
        expires_at: row.get("expires_at"),
        device: row.get("device_id"),
        device_revoked: row.get::<Option<i64>, _>("revoked_at").is_some(),
    }))
}

pub(super) async fn create_hall_link(
    pool: &SqlitePool,
    code_hash: &[u8; 32],
    meeting: MeetingId,
    by: UserId,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO hall_links (code_hash, meeting_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&code_hash[..])
    .bind(id(meeting.0))
    .bind(id(by.0))
    .bind(unix_now())
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The meeting a code shows and when it expires, unless it has expired or was revoked.
pub(super) async fn hall_link(pool: &SqlitePool, code_hash: &[u8; 32]) -> Result<Option<(MeetingId, i64)>> {
    let row = sqlx::query("SELECT meeting_id, expires_at FROM hall_links WHERE code_hash = ? AND expires_at > ?")
        .bind(&code_hash[..])
        .bind(unix_now())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|row| {
        (
            MeetingId(row.get::<i64, _>("meeting_id") as u32),
            row.get::<i64, _>("expires_at"),
        )
    }))
}

/// Forgets every code of a meeting's hall screen; how many there were.
pub(super) async fn revoke_hall_links(pool: &SqlitePool, meeting: MeetingId) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM hall_links WHERE meeting_id = ?")
        .bind(id(meeting.0))
        .execute(pool)
        .await?
        .rows_affected())
}
