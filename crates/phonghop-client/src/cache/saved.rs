//! What lets the app start again without the server: the last session (server, token, person,
//! the meeting followed and the role there) and each followed meeting as last seen. A logout
//! forgets the session; the meetings' states stay with their documents.

use phonghop_protocol::{MeetingId, Role, UserView};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{annotations::AnnotationScope, DocumentCache, VaultOwner};
use crate::error::{ClientError, Result};
use crate::sync::SavedMirror;
use crate::tls::Fingerprint;

/// The session the app last logged in with, and the meeting it followed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedSession {
    pub server: String,
    pub token: String,
    pub expires_at: i64,
    pub user: UserView,
    pub is_admin: bool,
    pub meeting: Option<(MeetingId, Role)>,
    /// The server certificate's pinned fingerprint (`https://` servers); absent in sessions
    /// kept before TLS.
    #[serde(default)]
    pub pin: Option<Fingerprint>,
}

/// The setting a server's pin is kept under: its address, lowercased, without a trailing slash.
fn pin_setting(server: &str) -> String {
    format!("pin {}", server.trim().trim_end_matches('/').to_ascii_lowercase())
}

fn unreadable(error: serde_json::Error) -> ClientError {
    ClientError::Protocol(format!("the saved state cannot be read: {error}"))
}

impl DocumentCache {
    /// Keeps the session, sealed (its token is as good as the password to the server), and
    /// whose it is, in plain, for the unlock screen ([`VaultOwner`]).
    pub async fn save_session(&self, session: &SavedSession) -> Result<()> {
        let owner = VaultOwner {
            server_url: session.server.clone(),
            user_id: session.user.id,
            username: session.user.username.clone(),
            full_name: session.user.full_name.clone(),
        };
        let mut transaction = self.index.begin().await?;
        sqlx::query("INSERT OR REPLACE INTO settings (name, value) VALUES ('session', ?)")
            .bind(self.seal_json(session)?)
            .execute(&mut *transaction)
            .await?;
        sqlx::query("INSERT OR REPLACE INTO settings (name, value) VALUES ('session owner', ?)")
            .bind(serde_json::to_string(&owner).map_err(unreadable)?)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// The session kept; [`ClientError::Locked`] while the cache is locked.
    pub async fn saved_session(&self) -> Result<Option<SavedSession>> {
        let value: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM settings WHERE name = 'session'")
            .fetch_optional(&self.index)
            .await?;
        value.map(|stored| self.open_json(&stored)).transpose()
    }

    /// Whose session is kept (readable while locked).
    pub async fn vault_owner(&self) -> Result<Option<VaultOwner>> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = 'session owner'")
            .fetch_optional(&self.index)
            .await?;
        value
            .map(|json| serde_json::from_str(&json).map_err(unreadable))
            .transpose()
    }

    /// The fingerprint pinned for `server` (`https://host:port`), if any.
    pub async fn pin_of(&self, server: &str) -> Result<Option<Fingerprint>> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = ?")
            .bind(pin_setting(server))
            .fetch_optional(&self.index)
            .await?;
        value.map(|text| Fingerprint::parse(&text)).transpose()
    }

    /// Pins `fingerprint` for `server`: from now on only that certificate is trusted there.
    pub async fn set_pin(&self, server: &str, fingerprint: Fingerprint) -> Result<()> {
        sqlx::query("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)")
            .bind(pin_setting(server))
            .bind(fingerprint.hex())
            .execute(&self.index)
            .await?;
        Ok(())
    }

    pub async fn forget_session(&self) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE name IN ('session', 'session owner')")
            .execute(&self.index)
            .await?;
        Ok(())
    }

    /// Keeps the followed meeting as it is now, for the person of `scope`.
    pub async fn save_mirror(&self, scope: AnnotationScope<'_>, mirror: &SavedMirror) -> Result<()> {
        sqlx::query("INSERT OR REPLACE INTO saved_mirrors (server, user_id, meeting_id, mirror) VALUES (?, ?, ?, ?)")
            .bind(scope.server)
            .bind(i64::from(scope.user.0))
            .bind(i64::from(scope.meeting.0))
            .bind(self.seal_json(mirror)?)
            .execute(&self.index)
            .await?;
        Ok(())
    }

    /// The meeting as `scope`'s person last saw it here.
    pub async fn saved_mirror(&self, scope: AnnotationScope<'_>) -> Result<Option<SavedMirror>> {
        let row = sqlx::query("SELECT mirror FROM saved_mirrors WHERE server = ? AND user_id = ? AND meeting_id = ?")
            .bind(scope.server)
            .bind(i64::from(scope.user.0))
            .bind(i64::from(scope.meeting.0))
            .fetch_optional(&self.index)
            .await?;
        row.map(|row| self.open_json(row.get::<&[u8], _>("mirror"))).transpose()
    }
}
