//! Which meetings' packets this laptop keeps, what they take on disk, and removing an old one.

use std::collections::HashSet;

use phonghop_protocol::{Meeting, MeetingId, Sha256};
use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;

use super::{unix_now, DocumentCache};
use crate::error::Result;

/// One meeting whose documents are kept on this laptop.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct KeptMeeting {
    /// The server it came from (`http://host:port`): meeting ids are numbered per server.
    pub server: String,
    pub meeting_id: MeetingId,
    pub title: String,
    pub starts_at: String,
    /// Its documents' PDFs verified on the laptop, and their bytes.
    pub files: u32,
    #[ts(type = "number")]
    pub bytes: u64,
    /// When it was last opened in the app (unix seconds).
    #[ts(type = "number")]
    pub opened_at: i64,
}

/// What the laptop's document cache holds.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct KeptMeetings {
    /// Every document file on disk, downloads in progress included.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Most recently opened first.
    pub meetings: Vec<KeptMeeting>,
}

/// A kept meeting synced again within this many seconds is not written again.
const TOUCHED_EVERY_SECS: i64 = 60 * 60;

impl DocumentCache {
    /// Remembers that `meeting` of `server` is kept on this laptop, opened now.
    pub async fn keep_meeting(&self, server: &str, meeting: &Meeting) -> Result<()> {
        sqlx::query(
            "INSERT INTO kept_meetings (server, meeting_id, title, starts_at, opened_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (server, meeting_id) DO UPDATE
             SET title = excluded.title, starts_at = excluded.starts_at, opened_at = excluded.opened_at",
        )
        .bind(server)
        .bind(i64::from(meeting.id.0))
        .bind(&meeting.title)
        .bind(&meeting.starts_at)
        .bind(unix_now())
        .execute(&self.index)
        .await?;
        Ok(())
    }

    /// Marks a kept meeting as synced now (its packet checked complete with the server), so it
    /// does not expire; written at most once an hour, since a packet round runs often.
    pub async fn touch_meeting(&self, server: &str, meeting_id: MeetingId) -> Result<()> {
        let now = unix_now();
        sqlx::query("UPDATE kept_meetings SET opened_at = ? WHERE server = ? AND meeting_id = ? AND opened_at < ?")
            .bind(now)
            .bind(server)
            .bind(i64::from(meeting_id.0))
            .bind(now - TOUCHED_EVERY_SECS)
            .execute(&self.index)
            .await?;
        Ok(())
    }

    /// Removes every kept meeting not opened or synced for `days` days, with the files no other
    /// kept meeting needs (see [`DocumentCache::remove_meeting`]): a laptop lost or lent later
    /// does not carry old meetings' papers. The meetings removed.
    pub async fn expire_meetings(&self, days: u32) -> Result<Vec<KeptMeeting>> {
        let before = unix_now() - i64::from(days) * 24 * 60 * 60;
        let expired: Vec<KeptMeeting> = self
            .kept_meetings()
            .await?
            .meetings
            .into_iter()
            .filter(|meeting| meeting.opened_at < before)
            .collect();
        for meeting in &expired {
            self.remove_meeting(&meeting.server, meeting.meeting_id).await?;
        }
        Ok(expired)
    }

    /// Removes everything this laptop keeps of meetings — documents and their texts, kept
    /// meetings, states, annotations and those waiting to be sent, read receipts, the saved
    /// session — after the secretariat revoked the laptop. Its own id and its servers' pins
    /// stay. The bytes of documents removed.
    pub async fn wipe(&self) -> Result<u64> {
        let mut transaction = self.index.begin().await?;
        for table in [
            "cached_documents",
            "document_texts",
            "opened_documents",
            "kept_meetings",
            "meeting_files",
            "unsent_receipts",
            "annotations",
            "annotation_outbox",
            "carry_outcomes",
            "saved_mirrors",
            "annotation_cursors",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *transaction)
                .await?;
        }
        sqlx::query("DELETE FROM settings WHERE name IN ('session', 'session owner')")
            .execute(&mut *transaction)
            .await?;
        // The data key goes too: nothing left on the disk opens what was sealed under it.
        sqlx::query("DELETE FROM key_slots").execute(&mut *transaction).await?;
        transaction.commit().await?;
        self.lock();
        let mut freed = 0;
        let mut entries = tokio::fs::read_dir(self.root.join("documents")).await?;
        while let Some(entry) = entries.next_entry().await? {
            freed += entry.metadata().await?.len();
            tokio::fs::remove_file(entry.path()).await?;
        }
        Ok(freed)
    }

    /// Records that the meeting needs the PDF `sha256` (removing the meeting may remove it).
    pub async fn belongs_to(&self, server: &str, meeting_id: MeetingId, sha256: &Sha256) -> Result<()> {
        sqlx::query("INSERT OR IGNORE INTO meeting_files (server, meeting_id, sha256) VALUES (?, ?, ?)")
            .bind(server)
            .bind(i64::from(meeting_id.0))
            .bind(sha256.as_str())
            .execute(&self.index)
            .await?;
        Ok(())
    }

    /// Every PDF verified on this laptop.
    pub async fn verified(&self) -> Result<HashSet<Sha256>> {
        self.hashes_in("cached_documents").await
    }

    /// The meetings kept and the bytes the cache takes.
    pub async fn kept_meetings(&self) -> Result<KeptMeetings> {
        let rows = sqlx::query(
            "SELECT m.server, m.meeting_id, m.title, m.starts_at, m.opened_at,
                    COUNT(c.sha256) AS files, COALESCE(SUM(c.size), 0) AS bytes
             FROM kept_meetings m
             LEFT JOIN meeting_files f ON f.server = m.server AND f.meeting_id = m.meeting_id
             LEFT JOIN cached_documents c ON c.sha256 = f.sha256
             GROUP BY m.server, m.meeting_id
             ORDER BY m.opened_at DESC, m.meeting_id DESC",
        )
        .fetch_all(&self.index)
        .await?;
        let meetings = rows
            .iter()
            .map(|row| KeptMeeting {
                server: row.get("server"),
                meeting_id: MeetingId(row.get::<i64, _>("meeting_id") as u32),
                title: row.get("title"),
                starts_at: row.get("starts_at"),
                files: row.get::<i64, _>("files") as u32,
                bytes: row.get::<i64, _>("bytes") as u64,
                opened_at: row.get("opened_at"),
            })
            .collect();
        Ok(KeptMeetings {
            bytes: self.bytes_on_disk().await?,
            meetings,
        })
    }

    async fn bytes_on_disk(&self) -> Result<u64> {
        let mut total = 0;
        let mut entries = tokio::fs::read_dir(self.root.join("documents")).await?;
        while let Some(entry) = entries.next_entry().await? {
            total += entry.metadata().await?.len();
        }
        Ok(total)
    }

    /// Forgets a kept meeting and deletes the files no other kept meeting needs (verified PDFs,
    /// downloads in progress, page texts); the bytes freed.
    pub async fn remove_meeting(&self, server: &str, meeting_id: MeetingId) -> Result<u64> {
        let mut transaction = self.index.begin().await?;
        for table in ["meeting_files", "kept_meetings"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE server = ? AND meeting_id = ?"))
                .bind(server)
                .bind(i64::from(meeting_id.0))
                .execute(&mut *transaction)
                .await?;
        }
        for table in ["cached_documents", "document_texts"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE sha256 NOT IN (SELECT sha256 FROM meeting_files)"
            ))
            .execute(&mut *transaction)
            .await?;
        }
        let needed: HashSet<String> = sqlx::query("SELECT DISTINCT sha256 FROM meeting_files")
            .fetch_all(&mut *transaction)
            .await?
            .iter()
            .map(|row| row.get("sha256"))
            .collect();
        transaction.commit().await?;
        self.plain.retain(|sha256| needed.contains(sha256.as_str()));

        // The index no longer names them, so a crash between here and the end leaves only
        // unnamed files, never a named file missing.
        let mut freed = 0;
        let mut entries = tokio::fs::read_dir(self.root.join("documents")).await?;
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|name| name.split('.').next()) else {
                continue;
            };
            if !needed.contains(stem) {
                freed += entry.metadata().await?.len();
                tokio::fs::remove_file(entry.path()).await?;
            }
        }
        Ok(freed)
    }
}

#[cfg(test)]
mod tests {
    use phonghop_protocol::{Meeting, MeetingKind};

    use super::*;

    fn meeting(id: u32) -> Meeting {
        Meeting {
            id: MeetingId(id),
            title: format!("Kỳ họp thứ {id}"),
            location: String::new(),
            starts_at: "2026-12-01 08:00".into(),
            kind: MeetingKind::default(),
        }
    }

    /// Puts a PDF of `bytes` in the cache for `meeting`, as a finished download would.
    async fn keep_file(cache: &DocumentCache, meeting: MeetingId, bytes: &[u8]) -> Sha256 {
        let sha256 = super::super::tests::keep_sealed(cache, bytes).await;
        cache
            .belongs_to("http://hall", meeting, &sha256)
            .await
            .expect("belongs");
        sha256
    }

    #[tokio::test]
    async fn a_meeting_left_unsynced_past_its_days_expires_with_its_own_files_only() {
        let dir = tempfile::tempdir().expect("a folder");
        let cache = super::super::tests::unlocked(dir.path()).await;
        for id in [1, 2] {
            cache.keep_meeting("http://hall", &meeting(id)).await.expect("kept");
        }
        let old_only = keep_file(&cache, MeetingId(1), b"%PDF-1.7 old").await;
        let shared = keep_file(&cache, MeetingId(1), b"%PDF-1.7 shared").await;
        cache
            .belongs_to("http://hall", MeetingId(2), &shared)
            .await
            .expect("belongs");
        // Meeting 1 was last opened 31 days ago; meeting 2 today.
        sqlx::query("UPDATE kept_meetings SET opened_at = ? WHERE meeting_id = 1")
            .bind(unix_now() - 31 * 24 * 60 * 60)
            .execute(&cache.index)
            .await
            .expect("aged");

        assert!(
            cache.expire_meetings(32).await.expect("expired").is_empty(),
            "not yet 32 days"
        );
        let expired = cache.expire_meetings(30).await.expect("expired");
        assert_eq!(
            expired.iter().map(|meeting| meeting.meeting_id).collect::<Vec<_>>(),
            [MeetingId(1)]
        );
        let kept = cache.kept_meetings().await.expect("kept");
        assert_eq!(
            kept.meetings
                .iter()
                .map(|meeting| meeting.meeting_id)
                .collect::<Vec<_>>(),
            [MeetingId(2)]
        );
        assert_eq!(
            cache.cached(&old_only).await.expect("looked up"),
            None,
            "its own file is gone"
        );
        assert!(
            cache.cached(&shared).await.expect("looked up").is_some(),
            "the file meeting 2 needs stays"
        );
    }

    #[tokio::test]
    async fn a_revoked_laptop_keeps_nothing_of_its_meetings_but_its_id_and_pins() {
        let dir = tempfile::tempdir().expect("a folder");
        let cache = super::super::tests::unlocked(dir.path()).await;
        let device = cache.device().await.expect("an id");
        let pin = crate::tls::Fingerprint([7; 32]);
        cache.set_pin("https://hall:8443", pin).await.expect("pinned");
        cache.keep_meeting("http://hall", &meeting(1)).await.expect("kept");
        let file = keep_file(&cache, MeetingId(1), b"%PDF-1.7 secret").await;
        assert!(cache.wipe().await.expect("wiped") > 0);
        assert_eq!(cache.cached(&file).await.expect("looked up"), None);
        assert!(cache.kept_meetings().await.expect("kept").meetings.is_empty());
        assert_eq!(
            std::fs::read_dir(dir.path().join("documents"))
                .expect("the folder")
                .count(),
            0
        );
        assert_eq!(cache.device().await.expect("the id"), device);
        assert_eq!(cache.pin_of("https://hall:8443").await.expect("the pin"), Some(pin));
        assert!(!cache.is_unlocked(), "the key went with the documents");
        assert!(!cache.has_key_slots().await.expect("read"));
        assert!(cache.vault_owner().await.expect("read").is_none());
    }

    #[tokio::test]
    async fn syncing_a_meeting_again_keeps_it() {
        let dir = tempfile::tempdir().expect("a folder");
        let cache = super::super::tests::unlocked(dir.path()).await;
        cache.keep_meeting("http://hall", &meeting(1)).await.expect("kept");
        sqlx::query("UPDATE kept_meetings SET opened_at = ?")
            .bind(unix_now() - 40 * 24 * 60 * 60)
            .execute(&cache.index)
            .await
            .expect("aged");
        cache.touch_meeting("http://hall", MeetingId(1)).await.expect("touched");
        assert!(cache.expire_meetings(30).await.expect("expired").is_empty());
        assert_eq!(cache.kept_meetings().await.expect("kept").meetings.len(), 1);
    }
}
