//! Users and session tokens (stored only as their SHA-256).

use phonghop_protocol::{MeetingId, UserId};
use sqlx::{PgPool, Row};

use super::{id, is_unique_violation, unix_now};
use crate::{NewUser, Result, SessionFound, StoreError, UserRecord};

fn user_from_row(row: &sqlx::postgres::PgRow) -> UserRecord {
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

pub(super) async fn create_user(pool: &PgPool, user: &NewUser) -> Result<UserId> {
    let mut connection = pool.acquire().await?;
    insert_user(&mut connection, user).await
}

pub(super) async fn create_users(pool: &PgPool, users: &[NewUser]) -> Result<Vec<UserId>> {
    let mut tx = pool.begin().await?;
    let mut ids = Vec::with_capacity(users.len());
    for user in users {
        ids.push(insert_user(&mut tx, user).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

async fn insert_user(connection: &mut sqlx::PgConnection, user: &NewUser) -> Result<UserId> {
    let result = sqlx::query(
        "INSERT INTO users (username, full_name, position, password_hash, is_admin, may_create_meetings, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
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

pub(super) async fn user_by_username(pool: &PgPool, username: &str) -> Result<Option<UserRecord>> {
    let row =
        sqlx::query("SELECT id, username, full_name, position, password_hash, is_admin, may_create_meetings FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(pool)
            .await?;
    Ok(row.as_ref().map(user_from_row))
}

/// Sets an account's council-office flag and its permission to create meetings (the office may
/// always); `false` when there is no such account.
pub(super) async fn set_permissions(
    pool: &PgPool,
    username: &str,
    is_admin: bool,
    may_create_meetings: bool,
) -> Result<bool> {
    let changed = sqlx::query("UPDATE users SET is_admin = $1, may_create_meetings = $2 WHERE username = $3")
        .bind(is_admin as i64)
        .bind((is_admin || may_create_meetings) as i64)
        .bind(username)
        .execute(pool)
        .await?
        .rows_affected();
    Ok(changed == 1)
}

pub(super) async fn create_session(
    pool: &PgPool,
    token_hash: &[u8; 32],
    user: UserId,
    expires_at: i64,
    device: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, expires_at, created_at, device_id) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&token_hash[..])
    .bind(id(user.0))
    .bind(expires_at)
    .bind(unix_now())
    .bind(device)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn session_user(pool: &PgPool, token_hash: &[u8; 32]) -> Result<Option<SessionFound>> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.full_name, u.position, u.password_hash, u.is_admin, u.may_create_meetings,
                s.expires_at, s.device_id, d.revoked_at
         FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN devices d ON d.id = s.device_id
         WHERE s.token_hash = $1",
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
    pool: &PgPool,
    code_hash: &[u8; 32],
    meeting: MeetingId,
    by: UserId,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO hall_links (code_hash, meeting_id, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
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
pub(super) async fn hall_link(pool: &PgPool, code_hash: &[u8; 32]) -> Result<Option<(MeetingId, i64)>> {
    let row = sqlx::query("SELECT meeting_id, expires_at FROM hall_links WHERE code_hash = $1 AND expires_at > $2")
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
/// The other instances close their hall screens of it too.
pub(super) async fn revoke_hall_links(pool: &PgPool, meeting: MeetingId) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let revoked = sqlx::query("DELETE FROM hall_links WHERE meeting_id = $1")
        .bind(id(meeting.0))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    super::listener::notify(&mut tx, &crate::Change::HallLinksRevoked(meeting)).await?;
    tx.commit().await?;
    Ok(revoked)
}
