//! The two stores a test runs on: a SQLite file in a temporary folder, or a new database in the
//! tests' PostgreSQL cluster (`phonghop_store::scratch_postgres`), each with its ballot-key
//! folder; and the raw statements a test uses to look behind the store's back.

use std::path::PathBuf;
use std::sync::Arc;

use phonghop_store::scratch_postgres::ScratchCluster;
use phonghop_store::{PostgresStore, SqliteStore, Store};
use sqlx::Connection;

pub enum Backend {
    Sqlite { folder: tempfile::TempDir },
    Postgres { url: String, keys: tempfile::TempDir },
}

impl Backend {
    pub fn sqlite() -> Backend {
        Backend::Sqlite {
            folder: tempfile::tempdir().unwrap(),
        }
    }

    pub async fn postgres() -> Backend {
        let url = ScratchCluster::shared().new_database().await.unwrap();
        Backend::Postgres {
            url,
            keys: tempfile::tempdir().unwrap(),
        }
    }

    /// A store on this database; opened again, the same database (as after a restart, or as a
    /// second server process).
    pub async fn open(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite { folder } => Arc::new(SqliteStore::open(&self.sqlite_file(folder)).await.unwrap()),
            Backend::Postgres { url, keys } => Arc::new(PostgresStore::connect(url, keys.path()).await.unwrap()),
        }
    }

    fn sqlite_file(&self, folder: &tempfile::TempDir) -> PathBuf {
        folder.path().join("test.sqlite3")
    }

    /// Where the open secret polls' keys are.
    pub fn key_folder(&self) -> PathBuf {
        match self {
            Backend::Sqlite { folder } => folder.path().join("test.sqlite3.ballot-keys"),
            Backend::Postgres { keys, .. } => keys.path().to_path_buf(),
        }
    }

    /// Runs one statement directly on the database; the database's error as text.
    pub async fn try_execute(&self, statement: &str) -> Result<(), String> {
        match self {
            Backend::Sqlite { folder } => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(self.sqlite_file(folder));
                let mut connection = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
                let outcome = sqlx::query(statement).execute(&mut connection).await;
                connection.close().await.ok();
                outcome.map(drop).map_err(|error| error.to_string())
            }
            Backend::Postgres { url, .. } => {
                let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
                let outcome = sqlx::query(statement).execute(&mut connection).await;
                connection.close().await.ok();
                outcome.map(drop).map_err(|error| error.to_string())
            }
        }
    }

    pub async fn execute(&self, statement: &str) {
        if let Err(error) = self.try_execute(statement).await {
            panic!("{statement}: {error}");
        }
    }

    /// Drops a trigger, as someone with the database in hand could.
    pub async fn drop_trigger(&self, trigger: &str, table: &str) {
        match self {
            Backend::Sqlite { .. } => self.execute(&format!("DROP TRIGGER {trigger}")).await,
            Backend::Postgres { .. } => self.execute(&format!("DROP TRIGGER {trigger} ON {table}")).await,
        }
    }

    /// The one number a query answers.
    pub async fn count(&self, query: &str) -> i64 {
        match self {
            Backend::Sqlite { folder } => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(self.sqlite_file(folder));
                let mut connection = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
                sqlx::query_scalar(query).fetch_one(&mut connection).await.unwrap()
            }
            Backend::Postgres { url, .. } => {
                let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_scalar(query).fetch_one(&mut connection).await.unwrap()
            }
        }
    }

    /// The bytes of each row a query answers.
    pub async fn blobs(&self, query: &str) -> Vec<Vec<u8>> {
        match self {
            Backend::Sqlite { folder } => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(self.sqlite_file(folder));
                let mut connection = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
                sqlx::query_scalar(query).fetch_all(&mut connection).await.unwrap()
            }
            Backend::Postgres { url, .. } => {
                let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_scalar(query).fetch_all(&mut connection).await.unwrap()
            }
        }
    }
}
