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
