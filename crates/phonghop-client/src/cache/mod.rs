//! Documents kept on the laptop: downloaded ahead, verified by SHA-256, readable offline.
//!
//! Files live at `<root>/documents/<sha256>.sealed`, encrypted under the key the person's password
//! unlocks (`vault.rs`, `sealed_files.rs`); an SQLite index (`<root>/cache.sqlite3`) records which
//! are complete and verified, so a file cut short by a crash is never trusted, and which PDFs this
//! laptop's reader has opened (a revision never opened is new to them).
//! `meetings.rs`: which meetings' packets are kept, what they take on disk, removing one;
//! `receipts.rs`: read receipts waiting for the server; `annotations.rs`: annotations kept here
//! first, and the changes waiting for the server; `saved.rs`: the last session and meetings as
//! last seen, so the app starts without the server; `unlocking.rs`: unlocking with the
//! password, online or off, and sealing a cache kept before it was encrypted.

mod annotations;
mod meetings;
mod receipts;
mod saved;
mod sealed_files;
mod unlocking;
mod vault;

pub use annotations::{AnnotationScope, CarryOutcome, KeptAnnotation};
pub use meetings::{KeptMeeting, KeptMeetings};
pub use receipts::UnsentReceipt;
pub use saved::SavedSession;
pub use unlocking::VaultOwner;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use phonghop_protocol::{Document, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

use crate::error::{ClientError, Result};
use crate::session::Session;

/// The index's tables: files verified, each PDF's page text, the PDFs the reader opened, the
/// meetings whose packets are kept and which files each needs, receipts not sent yet, and
/// annotations (`annotations.rs`).
const SCHEMA: [&str; 13] = [
    "CREATE TABLE IF NOT EXISTS cached_documents (
         sha256 TEXT PRIMARY KEY,
         size INTEGER NOT NULL,
         verified_at INTEGER NOT NULL
     )",
    "CREATE TABLE IF NOT EXISTS document_texts (
         sha256 TEXT PRIMARY KEY,
         pages_json TEXT NOT NULL
     )",
    "CREATE TABLE IF NOT EXISTS opened_documents (
         sha256 TEXT PRIMARY KEY,
         opened_at INTEGER NOT NULL
     )",
    "CREATE TABLE IF NOT EXISTS kept_meetings (
         server TEXT NOT NULL,
         meeting_id INTEGER NOT NULL,
         title TEXT NOT NULL,
         starts_at TEXT NOT NULL,
         opened_at INTEGER NOT NULL,
         PRIMARY KEY (server, meeting_id)
     )",
    "CREATE TABLE IF NOT EXISTS meeting_files (
         server TEXT NOT NULL,
         meeting_id INTEGER NOT NULL,
         sha256 TEXT NOT NULL,
         PRIMARY KEY (server, meeting_id, sha256)
     )",
    "CREATE TABLE IF NOT EXISTS unsent_receipts (
         server TEXT NOT NULL,
         user_id INTEGER NOT NULL,
         meeting_id INTEGER NOT NULL,
         document_id INTEGER NOT NULL,
         sha256 TEXT NOT NULL,
         event TEXT NOT NULL,
         PRIMARY KEY (server, user_id, meeting_id, document_id, sha256, event)
     )",
    "CREATE TABLE IF NOT EXISTS settings (
         name TEXT PRIMARY KEY,
         value TEXT NOT NULL
     )",
    // Every annotation this laptop knows in a meeting, as seen by the person logged in: their
    // own (deletions too) and those others share (`annotation` NULL once no longer shared).
    "CREATE TABLE IF NOT EXISTS annotations (
         server TEXT NOT NULL,
         user_id INTEGER NOT NULL,
         meeting_id INTEGER NOT NULL,
         author_id INTEGER NOT NULL,
         id TEXT NOT NULL,
         document_id INTEGER,
         annotation TEXT,
         author_name TEXT NOT NULL DEFAULT '',
         PRIMARY KEY (server, user_id, meeting_id, author_id, id)
     )",
    // The person's own changes the server has not taken yet: the latest of each annotation.
    "CREATE TABLE IF NOT EXISTS annotation_outbox (
         server TEXT NOT NULL,
         user_id INTEGER NOT NULL,
         meeting_id INTEGER NOT NULL,
         id TEXT NOT NULL,
         annotation TEXT NOT NULL,
         PRIMARY KEY (server, user_id, meeting_id, id)
     )",
    // What became of each of the person's annotations when it was carried onto a later
    // revision: placed (as the annotation `carried_id`), or not, with why.
    "CREATE TABLE IF NOT EXISTS carry_outcomes (
         server TEXT NOT NULL,
         user_id INTEGER NOT NULL,
         meeting_id INTEGER NOT NULL,
         document_id INTEGER NOT NULL,
         to_revision INTEGER NOT NULL,
         annotation_id TEXT NOT NULL,
         placed INTEGER NOT NULL,
         reason TEXT,
         old_annotation TEXT NOT NULL,
         PRIMARY KEY (server, user_id, meeting_id, document_id, to_revision, annotation_id)
     )",
    // Each followed meeting as last seen, per person (`saved.rs`).
    "CREATE TABLE IF NOT EXISTS saved_mirrors (
         server TEXT NOT NULL,
         user_id INTEGER NOT NULL,
         meeting_id INTEGER NOT NULL,
         mirror TEXT NOT NULL,
         PRIMARY KEY (server, user_id, meeting_id)
     )",
    "CREATE TABLE IF NOT EXISTS annotation_cursors (
         server TEXT NOT NULL,
         user_id INTEGER NOT NULL,
         meeting_id INTEGER NOT NULL,
         cursor INTEGER NOT NULL,
         PRIMARY KEY (server, user_id, meeting_id)
     )",
    // The data key wrapped under the password of each person who logged in here (`vault.rs`).
    "CREATE TABLE IF NOT EXISTS key_slots (
         server TEXT NOT NULL,
         user_id INTEGER NOT NULL,
         full_name TEXT NOT NULL,
         salt BLOB NOT NULL,
         wrapped BLOB NOT NULL,
         PRIMARY KEY (server, user_id)
     )",
];

#[derive(Clone)]
pub struct DocumentCache {
    root: PathBuf,
    pub(crate) index: SqlitePool,
    /// One lock per PDF being downloaded or copied in plain, so the packet and a reader opening
    /// the same document never write one partial file at once, nor make two copies.
    downloads: Arc<Mutex<HashMap<Sha256, Arc<tokio::sync::Mutex<()>>>>>,
    /// The data key while unlocked.
    vault: vault::Vault,
    /// The documents opened while unlocked, in plain, in memory.
    plain: sealed_files::PlainCopies,
}

impl DocumentCache {
    pub async fn open(root: &Path) -> Result<DocumentCache> {
        std::fs::create_dir_all(root.join("documents"))?;
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(root.join("cache.sqlite3"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // An annotation is kept the moment it is drawn: a commit is on disk before the
            // stroke is answered, whatever happens to the app or the laptop next.
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
        // One connection: the packet, the reader and annotation syncs all write here, and two
        // connections upgrading read transactions to writes at once fail with "database is
        // locked" rather than wait. Every statement is short; one at a time costs nothing.
        let index = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        for table in SCHEMA {
            sqlx::query(table).execute(&index).await?;
        }
        Ok(DocumentCache {
            root: root.to_owned(),
            index,
            downloads: Arc::default(),
            vault: vault::Vault::default(),
            plain: sealed_files::PlainCopies::default(),
        })
    }

    /// The sealed file of the PDF `sha256`.
    fn path_of(&self, sha256: &Sha256) -> PathBuf {
        self.root.join("documents").join(format!("{sha256}.sealed"))
    }

    /// Where a PDF was kept, in plain, before the cache was sealed.
    fn unsealed_path_of(&self, sha256: &Sha256) -> PathBuf {
        self.root.join("documents").join(format!("{sha256}.pdf"))
    }

    /// Whether the PDF `sha256` is on the laptop, complete and verified (it needs no key to say).
    pub async fn is_cached(&self, sha256: &Sha256) -> Result<bool> {
        let row = sqlx::query("SELECT size FROM cached_documents WHERE sha256 = ?")
            .bind(sha256.as_str())
            .fetch_optional(&self.index)
            .await?;
        Ok(row.is_some_and(|row| {
            std::fs::metadata(self.path_of(sha256)).is_ok_and(|m| m.len() as i64 == row.get::<i64, _>("size"))
        }))
    }

    /// A file PDFium can open with the plain bytes of a verified document, if it is cached: its
    /// copy in memory (see `sealed_files.rs`), made on first use. Fails with
    /// [`ClientError::Locked`] while the cache is locked.
    pub async fn cached(&self, sha256: &Sha256) -> Result<Option<PathBuf>> {
        if let Some(copy) = self.plain.get(sha256) {
            return Ok(Some(copy.path.clone()));
        }
        // The reader asks for several pages of a document at once: one copy is made, and no
        // path handed out is of a copy replaced (and closed) by another.
        let lock = self.lock_for(sha256);
        let _copying = lock.lock().await;
        if let Some(copy) = self.plain.get(sha256) {
            return Ok(Some(copy.path.clone()));
        }
        if !self.is_cached(sha256).await? {
            return Ok(None);
        }
        let key = self.key()?;
        match sealed_files::open_sealed(&self.path_of(sha256), key).await {
            Ok((plain, actual)) if &actual == sha256 => Ok(Some(self.plain.insert(sha256, &plain)?.path.clone())),
            // Damaged on the disk (a chunk changed, the file swapped): it is not the document,
            // and the next fetch downloads it again.
            Ok(_) | Err(ClientError::Protocol(_)) => {
                tracing::warn!(%sha256, "a kept document is damaged; it will be downloaded again");
                sqlx::query("DELETE FROM cached_documents WHERE sha256 = ?")
                    .bind(sha256.as_str())
                    .execute(&self.index)
                    .await?;
                tokio::fs::remove_file(self.path_of(sha256)).await?;
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// The lock of one PDF's file: its download, or its plain copy being made.
    fn lock_for(&self, sha256: &Sha256) -> Arc<tokio::sync::Mutex<()>> {
        self.downloads
            .lock()
            .expect("downloads lock")
            .entry(sha256.clone())
            .or_default()
            .clone()
    }

    /// The open data key, or why there is none.
    pub(crate) fn key(&self) -> Result<Arc<vault::OpenKey>> {
        self.vault.key().ok_or(ClientError::Locked)
    }

    /// `value` as JSON, sealed under the data key.
    pub(crate) fn seal_json<T: serde::Serialize>(&self, value: &T) -> Result<Vec<u8>> {
        let json = serde_json::to_vec(value).map_err(|error| ClientError::Protocol(error.to_string()))?;
        Ok(self.key()?.key.seal(&json))
    }

    /// A value [`seal_json`](Self::seal_json) sealed (or JSON kept before the cache was sealed).
    pub(crate) fn open_json<T: serde::de::DeserializeOwned>(&self, stored: &[u8]) -> Result<T> {
        let json = if vault::is_sealed(stored) {
            self.key()?.key.open(stored)?
        } else {
            stored.to_vec()
        };
        serde_json::from_slice(&json)
            .map_err(|error| ClientError::Protocol(format!("a kept value cannot be read: {error}")))
    }

    /// The local file of `document`'s current revision, downloading and verifying it first if
    /// needed.
    pub async fn fetch(&self, session: &Session, document: &Document) -> Result<()> {
        let revision = &document.current;
        match self
            .download(session, &revision.sha256, revision.size, &mut |_| {})
            .await
        {
            Err(ClientError::Unreachable(_)) => Err(ClientError::NotCached),
            answer => answer,
        }
    }

    /// Downloads the PDF `sha256` (`size` bytes) if it is not cached yet.
    /// The bytes go, sealed, to `<sha256>.partial` as they arrive; a download cut short resumes
    /// from there with an HTTP `Range` request (the blob's address names its content, so the bytes
    /// already kept are still right). The whole file is checked against `sha256` before it is
    /// trusted; a file that does not match is thrown away. `on_bytes` hears how many bytes of
    /// the file are on the laptop, as they arrive. Needs the cache unlocked.
    pub async fn download(
        &self,
        session: &Session,
        sha256: &Sha256,
        size: u64,
        on_bytes: &mut (dyn FnMut(u64) + Send),
    ) -> Result<()> {
        let lock = self.lock_for(sha256);
        let _downloading = lock.lock().await;
        if self.is_cached(sha256).await? {
            on_bytes(size);
            return Ok(());
        }
        let key = self.key()?;
        let path = self.path_of(sha256);
        let partial = path.with_extension("partial");
        let (mut appender, kept) = sealed_files::SealedAppender::resume(&partial, key.clone()).await?;
        // A partial file as long as the whole is checked as it is.
        if kept < size {
            let received = self.receive(session, sha256, &mut appender, kept, size, on_bytes).await;
            if let Err(error) = received {
                // What is kept is what the next download resumes from: the complete chunks.
                on_bytes(appender.stop().await?);
                return Err(error);
            }
        }
        appender.finish().await?;
        let actual = match sealed_files::open_sealed(&partial, key).await {
            Ok((_, actual)) => actual.to_string(),
            Err(ClientError::Protocol(damaged)) => damaged,
            Err(error) => return Err(error),
        };
        if actual != sha256.as_str() {
            tokio::fs::remove_file(&partial).await?;
            return Err(ClientError::HashMismatch {
                expected: sha256.to_string(),
                actual,
            });
        }
        let length = tokio::fs::metadata(&partial).await?.len();
        tokio::fs::rename(&partial, &path).await?;
        sqlx::query("INSERT OR REPLACE INTO cached_documents (sha256, size, verified_at) VALUES (?, ?, ?)")
            .bind(sha256.as_str())
            .bind(length as i64)
            .bind(unix_now())
            .execute(&self.index)
            .await?;
        Ok(())
    }

    /// The bytes of the PDF `sha256` on the laptop from a download not finished yet (those of its
    /// complete chunks, which is where it resumes).
    pub async fn arrived(&self, sha256: &Sha256) -> u64 {
        let partial = self.path_of(sha256).with_extension("partial");
        tokio::fs::metadata(partial)
            .await
            .map(|meta| vault::plain_bytes_in(meta.len()))
            .unwrap_or(0)
    }

    /// Appends the blob's bytes from `kept` on to the sealed download.
    async fn receive(
        &self,
        session: &Session,
        sha256: &Sha256,
        appender: &mut sealed_files::SealedAppender,
        kept: u64,
        size: u64,
        on_bytes: &mut (dyn FnMut(u64) + Send),
    ) -> Result<()> {
        let mut response = session.blob_from(sha256, kept).await?;
        // The server may send the whole file instead of the range asked for: start again then.
        let resumed = kept > 0 && response.status() == reqwest::StatusCode::PARTIAL_CONTENT;
        if resumed && range_start(&response) != Some(kept) {
            return Err(ClientError::Protocol(format!(
                "asked for the bytes from {kept} on, got {:?}",
                response.headers().get(reqwest::header::CONTENT_RANGE)
            )));
        }
        if !resumed {
            appender.restart().await?;
        }
        let mut received = if resumed { kept } else { 0 };
        on_bytes(received);
        loop {
            let chunk = tokio::time::timeout(STALLED_DOWNLOAD, response.chunk())
                .await
                .map_err(|_| ClientError::Unreachable("the download stalled".into()))?
                // A connection cut in the middle of the body is the network's fault, whatever
                // the HTTP stack calls it.
                .map_err(|error| ClientError::Unreachable(error.to_string()))?;
            let Some(chunk) = chunk else { break };
            appender.write(&chunk).await?;
            received += chunk.len() as u64;
            on_bytes(received);
        }
        if received < size {
            return Err(ClientError::Unreachable(format!(
                "the download ended after {received} of {size} bytes"
            )));
        }
        Ok(())
    }

    /// Remembers that the reader opened this PDF.
    pub async fn mark_opened(&self, sha256: &Sha256) -> Result<()> {
        sqlx::query("INSERT OR IGNORE INTO opened_documents (sha256, opened_at) VALUES (?, ?)")
            .bind(sha256.as_str())
            .bind(unix_now())
            .execute(&self.index)
            .await?;
        Ok(())
    }

    /// Keeps the text of a document's pages (sealed), for searching without the server.
    pub async fn keep_text(&self, sha256: &Sha256, pages: &[String]) -> Result<()> {
        sqlx::query("INSERT OR REPLACE INTO document_texts (sha256, pages_json) VALUES (?, ?)")
            .bind(sha256.as_str())
            .bind(self.seal_json(&pages)?)
            .execute(&self.index)
            .await?;
        Ok(())
    }

    /// Whether the text of the PDF `sha256`'s pages is kept (without reading it).
    pub async fn has_text(&self, sha256: &Sha256) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM document_texts WHERE sha256 = ?")
            .bind(sha256.as_str())
            .fetch_optional(&self.index)
            .await?;
        Ok(row.is_some())
    }

    /// The text of the PDF `sha256`'s pages, if kept.
    pub async fn text(&self, sha256: &Sha256) -> Result<Option<Vec<String>>> {
        let row = sqlx::query("SELECT pages_json FROM document_texts WHERE sha256 = ?")
            .bind(sha256.as_str())
            .fetch_optional(&self.index)
            .await?;
        row.map(|row| self.open_json(row.get::<&[u8], _>("pages_json")))
            .transpose()
    }

    /// Every PDF the reader has opened on this laptop.
    pub async fn opened(&self) -> Result<HashSet<Sha256>> {
        self.hashes_in("opened_documents").await
    }

    /// Every `sha256` of one of the index's tables.
    async fn hashes_in(&self, table: &str) -> Result<HashSet<Sha256>> {
        let rows = sqlx::query(&format!("SELECT sha256 FROM {table}"))
            .fetch_all(&self.index)
            .await?;
        Ok(rows
            .iter()
            .filter_map(|row| Sha256::parse(row.get::<&str, _>("sha256")).ok())
            .collect())
    }
}

/// How long a download may go without a byte before it is given up as cut (it resumes later).
const STALLED_DOWNLOAD: std::time::Duration = std::time::Duration::from_secs(20);

/// Where the bytes of a `206` answer start (`Content-Range: bytes START-END/SIZE`).
fn range_start(response: &reqwest::Response) -> Option<u64> {
    let value = response.headers().get(reqwest::header::CONTENT_RANGE)?.to_str().ok()?;
    value.strip_prefix("bytes ")?.split('-').next()?.parse().ok()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The person the cache tests log in as.
    pub(crate) fn councillor() -> phonghop_protocol::UserView {
        phonghop_protocol::UserView {
            id: phonghop_protocol::UserId(7),
            username: "db007".into(),
            full_name: "Nguyễn Thị Bảy".into(),
            position: String::new(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pages_asked_at_once_share_one_plain_copy_that_stays_readable() {
        let dir = tempfile::tempdir().expect("a folder");
        let cache = unlocked(dir.path()).await;
        let pdf = b"%PDF-1.7 Bao cao kinh te xa hoi".to_vec();
        let sha256 = keep_sealed(&cache, &pdf).await;
        let asked = futures_util::future::join_all((0..8).map(|_| cache.cached(&sha256))).await;
        let paths: HashSet<PathBuf> = asked
            .into_iter()
            .map(|path| path.expect("read").expect("cached"))
            .collect();
        assert_eq!(paths.len(), 1, "one copy: {paths:?}");
        let path = paths.into_iter().next().expect("a path");
        assert_eq!(std::fs::read(path).expect("still open"), pdf);
    }

    /// Puts a PDF of `bytes` in the (unlocked) cache, sealed and verified, as a finished download
    /// would.
    pub(crate) async fn keep_sealed(cache: &DocumentCache, bytes: &[u8]) -> Sha256 {
        use sha2::Digest;
        let sha256 = Sha256::from_digest(&sha2::Sha256::digest(bytes).into());
        sealed_files::seal_whole(bytes, &cache.key().expect("unlocked"), &cache.path_of(&sha256)).expect("sealed");
        sqlx::query("INSERT INTO cached_documents (sha256, size, verified_at) VALUES (?, ?, 0)")
            .bind(sha256.as_str())
            .bind(std::fs::metadata(cache.path_of(&sha256)).expect("sealed").len() as i64)
            .execute(&cache.index)
            .await
            .expect("indexed");
        sha256
    }

    /// A cache in `root`, unlocked as after [`councillor`] logged in with the password "bảy".
    pub(crate) async fn unlocked(root: &Path) -> DocumentCache {
        let cache = DocumentCache::open(root).await.expect("the cache");
        cache
            .unlock_after_login("http://hall", &councillor(), "bảy")
            .await
            .expect("unlocked");
        cache
    }
}
