//! Laptops: each login the app makes names its laptop (`devices`, migration 0020); a meeting's
//! secretariat lists its members' laptops and revokes one, which ends that laptop's sessions in
//! the same transaction and keeps it from logging in again.

use phonghop_protocol::http::DeviceView;
use phonghop_protocol::{MeetingId, UserId, UserView};
use sqlx::{PgPool, Row};

use super::{id, unix_now};
use crate::Result;

pub(super) async fn record_login(pool: &PgPool, device: &str, name: &str, user: UserId, address: &str) -> Result<bool> {
    let mut tx = pool.begin().await?;
    // Written first, so the transaction holds the write lock before it reads.
    let recorded = sqlx::query(
        "INSERT INTO devices (id, name, user_id, last_login_at, last_address) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE
         SET name = excluded.name, user_id = excluded.user_id,
             last_login_at = excluded.last_login_at, last_address = excluded.last_address
         WHERE devices.revoked_at IS NULL",
    )
    .bind(device)
    .bind(name)
    .bind(id(user.0))
    .bind(unix_now())
    .bind(address)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(recorded == 1)
}

pub(super) async fn of_meeting(pool: &PgPool, meeting: MeetingId) -> Result<Vec<DeviceView>> {
    let rows = sqlx::query(
        "SELECT d.id, d.name, d.last_login_at, d.last_address, d.revoked_at,
                u.id AS user_id, u.username, u.full_name, u.position
         FROM devices d JOIN users u ON u.id = d.user_id
         JOIN meeting_members m ON m.user_id = d.user_id AND m.meeting_id = $1
         ORDER BY d.last_login_at DESC, d.id",
    )
    .bind(id(meeting.0))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| DeviceView {
            id: row.get("id"),
            name: row.get("name"),
            user: UserView {
                id: UserId(row.get::<i64, _>("user_id") as u32),
                username: row.get("username"),
                full_name: row.get("full_name"),
                position: row.get("position"),
            },
            last_login_at: row.get("last_login_at"),
            last_address: row.get("last_address"),
            revoked_at: row.get("revoked_at"),
        })
        .collect())
}

pub(super) async fn revoke(pool: &PgPool, device: &str, by: UserId) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let revoked =
        sqlx::query("UPDATE devices SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
            .bind(unix_now())
            .bind(id(by.0))
            .bind(device)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if revoked == 1 {
        super::listener::notify(&mut tx, &crate::Change::DeviceRevoked(device.to_owned())).await?;
    }
    tx.commit().await?;
    Ok(revoked == 1)
}
