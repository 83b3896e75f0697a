//! Users and session tokens (stored only as their SHA-256).

use phonghop_protocol::UserView;
use sqlx::Row;

use crate::{is_unique_violation, unix_now, Result, Store, StoreError};

/// An account with its password hash, as the server needs it to log someone in.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: u32,
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub password_hash: String,
    pub is_admin: bool,
}

impl UserRecord {
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            username: self.username.clone(),
            full_name: self.full_name.clone(),
            position: self.position.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub password_hash: String,
    pub is_admin: bool,
}

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> UserRecord {
    UserRecord {
        id: row.get::<i64, _>("id") as u32,
        username: row.get("username"),
        full_name: row.get("full_name"),
        position: row.get("position"),
        password_hash: row.get("password_hash"),
        is_admin: row.get::<i64, _>("is_admin") != 0,
    }
}

const USER_COLUMNS: &str = "id, username, full_name, position, password_hash, is_admin";

impl Store {
    pub async fn create_user(&self, user: &NewUser) -> Result<u32> {
        let mut tx = self.write().await?;
        let result = sqlx::query(
            "INSERT INTO users (username, full_name, position, password_hash, is_admin, created_at)
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&user.username)
        .bind(&user.full_name)
        .bind(&user.position)
        .bind(&user.password_hash)
        .bind(user.is_admin as i64)
        .bind(unix_now())
        .fetch_one(&mut *tx.transaction)
        .await;
        let id = match result {
            Ok(row) => row.get::<i64, _>("id") as u32,
            Err(err) if is_unique_violation(&err) => return Err(StoreError::Duplicate("username")),
            Err(err) => return Err(err.into()),
        };
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?"))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(user_from_row))
    }

    pub async fn create_session(&self, token_hash: &[u8], user_id: u32, expires_at: i64) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(i64::from(user_id))
            .bind(expires_at)
            .bind(unix_now())
            .execute(&mut *tx.transaction)
            .await?;
        tx.commit().await
    }

    /// The user a token hash belongs to, with the session's expiry (unix seconds).
    pub async fn session_user(&self, token_hash: &[u8]) -> Result<Option<(UserRecord, i64)>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.full_name, u.position, u.password_hash, u.is_admin, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|row| (user_from_row(&row), row.get::<i64, _>("expires_at"))))
    }
}
