//! Documents kept on the laptop: downloaded ahead, verified by SHA-256, readable offline.
//!
//! Files live at `<root>/documents/<sha256>.pdf`; an SQLite index (`<root>/cache.sqlite3`)
//! records which are complete and verified, so a file cut short by a crash is never trusted, and
//! which PDFs this laptop's reader has opened (a revision never opened is new to them).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use phonghop_protocol::{Document, Sha256};
use sha2::Digest;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

use crate::error::{ClientError, Result};
use crate::session::Session;

/// The index's tables: files verified, each PDF's page text, the PDFs the reader opened.
const SCHEMA: [&str; 3] = [
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
];

#[derive(Clone)]
pub struct DocumentCache {
    root: PathBuf,
    index: SqlitePool,
}

impl DocumentCache {
    pub async fn open(root: &Path) -> Result<DocumentCache> {
        std::fs::create_dir_all(root.join("documents"))?;
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(root.join("cache.sqlite3"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal);
        let index = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        for table in SCHEMA {
            sqlx::query(table).execute(&index).await?;
        }
        Ok(DocumentCache {
            root: root.to_owned(),
            index,
        })
    }

    fn path_of(&self, sha256: &Sha256) -> PathBuf {
        self.root.join("documents").join(format!("{sha256}.pdf"))
    }

    /// The local file of a verified document, if it is cached.
    pub async fn cached(&self, sha256: &Sha256) -> Result<Option<PathBuf>> {
        let row = sqlx::query("SELECT size FROM cached_documents WHERE sha256 = ?")
            .bind(sha256.as_str())
            .fetch_optional(&self.index)
            .await?;
        let path = self.path_of(sha256);
        match row {
            Some(row)
                if std::fs::metadata(&path)
                    .map(|m| m.len() as i64 == row.get::<i64, _>("size"))
                    .unwrap_or(false) =>
            {
                Ok(Some(path))
            }
            _ => Ok(None),
        }
    }

    /// The local file of `document`, downloading and verifying it first if needed.
    pub async fn fetch(&self, session: &Session, document: &Document) -> Result<PathBuf> {
        if let Some(path) = self.cached(&document.current.sha256).await? {
            return Ok(path);
        }
        let bytes = match session.download_blob(&document.current.sha256).await {
            Ok(bytes) => bytes,
            Err(ClientError::Unreachable(_)) => return Err(ClientError::NotCached),
            Err(other) => return Err(other),
        };
        let actual = Sha256::from_digest(&sha2::Sha256::digest(&bytes).into());
        if actual != document.current.sha256 {
            return Err(ClientError::HashMismatch {
                expected: document.current.sha256.to_string(),
                actual: actual.to_string(),
            });
        }
        let path = self.path_of(&document.current.sha256);
        let partial = path.with_extension("partial");
        std::fs::write(&partial, &bytes)?;
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, &path)?;
        sqlx::query("INSERT OR REPLACE INTO cached_documents (sha256, size, verified_at) VALUES (?, ?, ?)")
            .bind(document.current.sha256.as_str())
            .bind(bytes.len() as i64)
            .bind(unix_now())
            .execute(&self.index)
            .await?;
        Ok(path)
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

    /// Keeps the text of a document's pages, for searching without the server.
    pub async fn keep_text(&self, sha256: &Sha256, pages: &[String]) -> Result<()> {
        sqlx::query("INSERT OR REPLACE INTO document_texts (sha256, pages_json) VALUES (?, ?)")
            .bind(sha256.as_str())
            .bind(serde_json::to_string(pages).expect("strings serialize"))
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
        row.map(|row| {
            serde_json::from_str(row.get("pages_json")).map_err(|error| ClientError::Protocol(error.to_string()))
        })
        .transpose()
    }

    /// Every PDF the reader has opened on this laptop.
    pub async fn opened(&self) -> Result<HashSet<Sha256>> {
        let rows = sqlx::query("SELECT sha256 FROM opened_documents")
            .fetch_all(&self.index)
            .await?;
        Ok(rows
            .iter()
            .filter_map(|row| Sha256::parse(row.get::<&str, _>("sha256")).ok())
            .collect())
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
