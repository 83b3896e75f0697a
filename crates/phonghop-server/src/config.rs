//! Where the server keeps its data and the limits it enforces.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// Holds `phonghop.sqlite3` and `blobs/`.
    pub data_dir: PathBuf,
    /// `postgres://…`: the database is PostgreSQL there, not `phonghop.sqlite3` (several
    /// instances may share it, and `data_dir` with it).
    pub database: Option<String>,
    /// How long a login lasts.
    pub session_ttl: Duration,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Bytes of documents kept in memory while they are downloaded (a hall fetching the same
    /// few documents at once); 0 streams every download from disk.
    pub hot_blob_bytes: u64,
    /// The program that indexes a PDF in a child process (`phonghop-index-pdf`), and its limits.
    pub indexer: PathBuf,
    pub indexer_limits: phonghop_pdf::ChildLimits,
    /// LibreOffice's `soffice` for Office uploads; `None`: looked for on PATH.
    pub soffice: Option<PathBuf>,
    /// How long one Office conversion may take.
    pub office_time_limit: Duration,
    /// A subscriber further behind than this many events gets a snapshot instead of a replay.
    pub max_replay: u32,
    /// Live tallies of a poll are sent at most this often.
    pub tally_interval: Duration,
    /// Failed logins for one username from one address before further tries from there are
    /// refused for a minute.
    pub max_failed_logins: u32,
    /// Failed logins from one address, whatever the usernames, before further tries from there
    /// are refused for a minute.
    pub max_failed_logins_per_address: u32,
    /// Threads checking passwords at once (each holds ~19 MiB of argon2 memory).
    pub password_threads: usize,
    /// Logins waiting for a password check beyond those running; more are answered
    /// `server_busy`. A hall logging in at once must fit.
    pub password_queue: usize,
    /// How long a hall screen's code opens its meeting.
    pub hall_link_ttl: Duration,
}

impl Config {
    /// Defaults for a meeting hall, with data in `data_dir` and the indexer next to this program.
    pub fn new(data_dir: PathBuf) -> Config {
        Config {
            data_dir,
            database: None,
            session_ttl: Duration::from_secs(12 * 60 * 60),
            max_upload_bytes: 200 * 1024 * 1024,
            hot_blob_bytes: 256 * 1024 * 1024,
            indexer: default_indexer(),
            indexer_limits: phonghop_pdf::ChildLimits::default(),
            soffice: None,
            office_time_limit: Duration::from_secs(120),
            max_replay: 1000,
            tally_interval: Duration::from_millis(100),
            max_failed_logins: 10,
            max_failed_logins_per_address: 50,
            password_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            password_queue: 128,
            hall_link_ttl: Duration::from_secs(72 * 60 * 60),
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("phonghop.sqlite3")
    }

    /// The database as a person should read it: the SQLite file, or the PostgreSQL URL without
    /// its password.
    pub fn database_name(&self) -> String {
        match &self.database {
            None => self.database_path().display().to_string(),
            Some(url) => without_password(url),
        }
    }
}

/// `phonghop-index-pdf` beside the running executable (both are built into the same folder).
fn default_indexer() -> PathBuf {
    let name = format!("phonghop-index-pdf{}", std::env::consts::EXE_SUFFIX);
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&name)))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// `postgres://user:secret@host/db` as `postgres://user:…@host/db`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:…@{host}/{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_database_url_is_shown_without_its_password() {
        assert_eq!(
            without_password("postgres://phonghop:bi-mat@10.0.0.5:5432/phonghop"),
            "postgres://phonghop:…@10.0.0.5:5432/phonghop"
        );
        assert_eq!(
            without_password("postgres://phonghop@127.0.0.1/db"),
            "postgres://phonghop@127.0.0.1/db"
        );
        assert_eq!(without_password("not a url"), "not a url");
    }
}
