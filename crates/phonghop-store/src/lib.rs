//! phonghop's database: SQLite through sqlx, its migrations and the per-meeting event log.
//!
//! Layout:
//! - this file: [`Store`] (opening, pragmas, the write lock) and [`StoreError`].
//! - [`accounts`]: users and hashed session tokens.
//! - [`meetings`]: meetings, members, attendance, the agenda, snapshots and the event log.
//! - [`documents`]: blobs and documents with their per-page text.
//! - [`polls`]: polls, ballots and tallies.
//!
//! **Architecture invariant:** every change to a meeting that clients mirror happens in one
//! transaction together with the event that describes it, so the log and the tables never
//! disagree, and `seq` is gap-free per meeting.

pub mod accounts;
pub mod documents;
pub mod meetings;
pub mod polls;

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::{Mutex, MutexGuard};

pub use accounts::{NewUser, UserRecord};
pub use documents::{NewDocument, NewPage};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("this member has already voted in this poll")]
    AlreadyVoted,
    #[error("the poll is closed")]
    PollClosed,
    #[error("only members of the body vote")]
    NotAVoter,
    #[error("{0} already exists")]
    Duplicate(&'static str),
    /// The command of this receipt was carried out before; its result (JSON) is here.
    #[error("this command was already carried out")]
    AlreadyProcessed(String),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// The database of one server.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// SQLite has one writer at a time. Taking this lock before each write transaction queues
    /// writers in the process instead of letting them collide on SQLITE_BUSY, which a deferred
    /// transaction that read first cannot wait out.
    write_lock: std::sync::Arc<Mutex<()>>,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit is on disk before it returns, so an ack survives a power cut too.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            write_lock: std::sync::Arc::new(Mutex::new(())),
        })
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Starts a write transaction, after the writers queued before it.
    pub(crate) async fn write(&self) -> Result<WriteTransaction<'_>> {
        let guard = self.write_lock.lock().await;
        let transaction = self.pool.begin().await?;
        Ok(WriteTransaction {
            transaction,
            _guard: guard,
        })
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A transaction holding the store's write lock until it is committed or dropped.
pub(crate) struct WriteTransaction<'a> {
    pub(crate) transaction: sqlx::Transaction<'static, sqlx::Sqlite>,
    _guard: MutexGuard<'a, ()>,
}

impl WriteTransaction<'_> {
    pub(crate) async fn commit(self) -> Result<()> {
        self.transaction.commit().await?;
        Ok(())
    }
}

/// Who sent a command and under which id. A mutation given a receipt records its result in
/// the same transaction as its effect, and refuses to run twice for the same receipt, so a
/// command resent after a lost ack (or sent twice at once) is carried out exactly once.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub user_id: u32,
    pub command_id: String,
}

/// Fails with [`StoreError::AlreadyProcessed`] when the receipt's command already ran.
pub(crate) async fn check_receipt(connection: &mut sqlx::SqliteConnection, receipt: Option<&Receipt>) -> Result<()> {
    let Some(receipt) = receipt else { return Ok(()) };
    let row = sqlx::query("SELECT result FROM processed_commands WHERE user_id = ? AND command_id = ?")
        .bind(i64::from(receipt.user_id))
        .bind(&receipt.command_id)
        .fetch_optional(connection)
        .await?;
    match row {
        Some(row) => Err(StoreError::AlreadyProcessed(sqlx::Row::get(&row, "result"))),
        None => Ok(()),
    }
}

/// Records the result of the receipt's command, inside the command's own transaction.
pub(crate) async fn record_receipt(
    connection: &mut sqlx::SqliteConnection,
    receipt: Option<&Receipt>,
    result: &phonghop_protocol::CommandResult,
) -> Result<()> {
    let Some(receipt) = receipt else { return Ok(()) };
    let json = serde_json::to_string(result).map_err(|err| StoreError::Corrupt(err.to_string()))?;
    sqlx::query("INSERT INTO processed_commands (user_id, command_id, result) VALUES (?, ?, ?)")
        .bind(i64::from(receipt.user_id))
        .bind(&receipt.command_id)
        .bind(json)
        .execute(connection)
        .await?;
    Ok(())
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Whether a database error is a UNIQUE or PRIMARY KEY violation.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
