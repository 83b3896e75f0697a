//! [`TestServer`]: the real `phonghop-server` binary as a child process, with its own data folder,
//! imported councillors and (usually) one meeting they are members of.
//!
//! Its database is a SQLite file in the data folder, or — when `PHONGHOP_TEST_STORE=postgres`, as
//! `cargo xtask test` runs the journeys a second time — a new database of the tests' PostgreSQL
//! cluster ([`TestDatabase`]), named to every server command in `PHONGHOP_DATABASE`.
//!
//! The binary is not built here: `cargo xtask test` (or `cargo build -p phonghop-server -p
//! phonghop-pdf --bins`) builds it and the PDF indexer beside it before the journeys run.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use phonghop_client::tls::Fingerprint;
use phonghop_client::Session;
use phonghop_protocol::http::{AddMemberRequest, CreateMeetingRequest, MemberView};
use phonghop_protocol::{AttendanceStatus, Command as MeetingCommand, MeetingId, MeetingSummary, Role};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

use crate::roster::Roster;
use crate::PASSWORD;

/// How long a server may take to print its address; a loaded machine is slow, not broken.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Lines of server output kept to explain a failing test.
const LOG_LINES: usize = 300;

/// The hash of [`PASSWORD`] every test account gets: argon2id like the server's own, with tiny
/// parameters, so a test with a hundred councillors imports and logs them in in well under a
/// second. Logging in still goes through the server's real checking path.
fn quick_password_hash() -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(b"phonghop-test-salt").expect("a valid salt");
    let params = argon2::Params::new(8, 1, 1, None).expect("valid argon2 parameters");
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(PASSWORD.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

/// The password of every account of the demo server.
pub const DEMO_PASSWORD: &str = "hop-khong-giay";

/// The meeting every test server prepares.
pub const MEETING_TITLE: &str = "Kỳ họp thứ Mười hai, Hội đồng nhân dân xã Quyết Thắng";

/// How to start a test server.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Delegates besides the chair and the secretariat.
    pub delegates: usize,
    /// `--session-ttl-secs`; the server's default when `None`.
    pub session_ttl_secs: Option<u64>,
    /// `--max-upload-mib`; the server's default when `None`.
    pub max_upload_mib: Option<usize>,
    /// `serve --soffice`: LibreOffice's program (a missing one makes Office uploads refused).
    pub soffice: Option<std::path::PathBuf>,
    /// Whether the secretariat creates a meeting and adds everyone to it. A server whose logins
    /// expire at once cannot do that.
    pub create_meeting: bool,
    /// `serve --demo`: the demo councillors and meeting of `assets/demo/` (password
    /// `hop-khong-giay`) instead of the roster's.
    pub demo: bool,
    /// `serve --watch`: a hot folder the server takes documents from.
    pub watch: Option<PathBuf>,
    /// `serve --watch-as`: the account the hot folder acts as; the roster's secretariat when
    /// `None`.
    pub watch_as: Option<String>,
    /// `serve --watch-settle-ms`; the server's default when `None`.
    pub watch_settle_ms: Option<u64>,
    /// Whether the secretariat marks the chair and every delegate present when it adds them, so
    /// the meeting's quorum is there for polls (true unless a test is about attendance).
    pub everyone_present: bool,
    /// Runs the server with `RUST_LOG=debug` and keeps every line it prints (see
    /// [`TestServer::whole_log`]), not only the last ones.
    pub whole_debug_log: bool,
    /// `serve --tls`: HTTPS and WSS with the server's own certificate, which every client of
    /// the test pins by the fingerprint the server prints.
    pub tls: bool,
    /// `serve --tls-cert --tls-key`: the operator's own certificate and key (PEM files).
    pub tls_identity: Option<(PathBuf, PathBuf)>,
    /// `serve --listen`; `127.0.0.1:0` when `None`.
    pub listen: Option<String>,
    /// A database of the tests' PostgreSQL cluster whatever `PHONGHOP_TEST_STORE` says (for
    /// several instances on one database, [`TestServer::start_instance`]).
    pub postgres: bool,
    /// A PostgreSQL database of the test's own (`postgres://…`), on a cluster it can stop and
    /// start again.
    pub database: Option<String>,
}

impl ServerOptions {
    pub fn with_delegates(delegates: usize) -> ServerOptions {
        ServerOptions {
            delegates,
            session_ttl_secs: None,
            max_upload_mib: None,
            soffice: None,
            create_meeting: true,
            demo: false,
            watch: None,
            watch_as: None,
            watch_settle_ms: None,
            whole_debug_log: false,
            everyone_present: true,
            tls: false,
            tls_identity: None,
            listen: None,
            postgres: false,
            database: None,
        }
    }

    /// The demo server `cargo xtask demo` runs: meeting 1 with the demo agenda and documents.
    pub fn demo() -> ServerOptions {
        ServerOptions {
            create_meeting: false,
            demo: true,
            ..ServerOptions::with_delegates(0)
        }
    }
}

/// A running server process and what it said.
struct Running {
    child: Child,
    url: String,
    /// The certificate's fingerprint the server printed, when it serves TLS.
    fingerprint: Option<Fingerprint>,
}

/// Where a test server keeps its meetings.
#[derive(Debug, Clone)]
pub enum TestDatabase {
    /// `phonghop.sqlite3` in the data folder.
    Sqlite(PathBuf),
    /// A database of the tests' PostgreSQL cluster.
    Postgres(String),
}

/// The environment variable choosing the journeys' store: `postgres`, or SQLite otherwise.
pub const STORE_VARIABLE: &str = "PHONGHOP_TEST_STORE";

/// Whether the journeys run on PostgreSQL (`PHONGHOP_TEST_STORE=postgres`).
pub fn on_postgres() -> bool {
    std::env::var(STORE_VARIABLE).is_ok_and(|store| store == "postgres")
}

pub struct TestServer {
    /// Holds the database, the blobs and the councillors CSV; kept across restarts.
    data: tempfile::TempDir,
    database: TestDatabase,
    options: ServerOptions,
    roster: Roster,
    running: Option<Running>,
    meeting_id: Option<MeetingId>,
    log: Arc<Mutex<VecDeque<String>>>,
    http: reqwest::Client,
}

impl TestServer {
    /// A server with a meeting of one chair, one secretariat and `delegates` delegates.
    pub async fn start(delegates: usize) -> Result<TestServer> {
        TestServer::start_with(ServerOptions::with_delegates(delegates)).await
    }

    pub async fn start_with(options: ServerOptions) -> Result<TestServer> {
        let data = tempfile::Builder::new()
            .prefix("phonghop-journey-")
            .tempdir()
            .context("creating a data folder")?;
        let roster = Roster::new(options.delegates);
        let csv_path = data.path().join("dai-bieu.csv");
        roster.write_csv(&csv_path)?;
        let database = if let Some(url) = &options.database {
            TestDatabase::Postgres(url.clone())
        } else if options.postgres || on_postgres() {
            let cluster = phonghop_store::scratch_postgres::ScratchCluster::shared();
            TestDatabase::Postgres(cluster.new_database().await.map_err(anyhow::Error::msg)?)
        } else {
            TestDatabase::Sqlite(data.path().join("phonghop.sqlite3"))
        };
        let mut server = TestServer {
            data,
            database,
            options,
            roster,
            running: None,
            meeting_id: None,
            log: Arc::new(Mutex::new(VecDeque::new())),
            http: reqwest::Client::new(),
        };
        if !server.options.demo {
            server.import_councillors(&csv_path).await?;
        }
        server.running = Some(server.spawn_serve(&server.log, None).await?);
        server.http = phonghop_client::tls::http_client_for(server.url(), server.fingerprint())?;
        if server.options.demo {
            server.meeting_id = Some(MeetingId(1));
        } else if server.options.create_meeting {
            server.meeting_id = Some(server.prepare_meeting().await?);
        }
        Ok(server)
    }

    /// `http://127.0.0.1:PORT` (`https://…` over TLS) of the running server.
    pub fn url(&self) -> &str {
        &self.running.as_ref().expect("the server is not running").url
    }

    /// `127.0.0.1:PORT` of the running server.
    pub fn address(&self) -> &str {
        let url = self.url();
        url.split_once("://").map_or(url, |(_, address)| address)
    }

    /// The process id of the running server (to read its memory from `/proc`).
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref()?.child.id()
    }

    /// The server's resident memory now, in bytes (`VmRSS` of `/proc/PID/status`).
    pub fn resident_bytes(&self) -> Result<u64> {
        let pid = self.pid().context("the server is not running")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).context("reading /proc/PID/status")?;
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmRSS in /proc/PID/status")?;
        Ok(kib * 1024)
    }

    /// The meeting the secretariat prepared.
    pub fn meeting_id(&self) -> MeetingId {
        self.meeting_id.expect("this server was started without a meeting")
    }

    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// A plain HTTP client for requests the [`Session`] API does not make.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The fingerprint of the certificate the running server printed (a TLS server only).
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        self.running.as_ref()?.fingerprint
    }

    /// Logs `username` in on the running server (pinning its certificate, over TLS).
    pub async fn login(&self, username: &str) -> Result<Session> {
        Session::login_pinned(self.url(), self.fingerprint(), username, PASSWORD)
            .await
            .with_context(|| format!("logging in as {username}"))
    }

    pub async fn login_secretariat(&self) -> Result<Session> {
        self.login(&self.roster.secretariat).await
    }

    pub async fn login_chair(&self) -> Result<Session> {
        self.login(&self.roster.chair).await
    }

    /// Logs in the `index`-th delegate (0-based).
    pub async fn login_delegate(&self, index: usize) -> Result<Session> {
        let username = self
            .roster
            .delegates
            .get(index)
            .with_context(|| format!("there is no delegate {index}"))?;
        self.login(username).await
    }

    /// Kills the server with SIGKILL, as a power cut or `kill -9` would, and waits for it to die.
    pub async fn kill(&mut self) -> Result<()> {
        let mut running = self.running.take().context("the server is not running")?;
        running.child.start_kill().context("sending SIGKILL to the server")?;
        let status = running.child.wait().await.context("waiting for the killed server")?;
        ensure!(
            !status.success(),
            "the server exited normally instead of being killed: {status}"
        );
        Ok(())
    }

    /// Starts the server again on the same data folder (on a new port).
    pub async fn restart(&mut self) -> Result<()> {
        if self.running.is_some() {
            self.kill().await?;
        }
        self.running = Some(self.spawn_serve(&self.log, None).await?);
        // A TLS server's certificate may have been rotated meanwhile.
        self.http = phonghop_client::tls::http_client_for(self.url(), self.fingerprint())?;
        Ok(())
    }

    /// The server's data folder.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The server's SQLite database file (in its data folder); on PostgreSQL, where it would be.
    pub fn database_path(&self) -> PathBuf {
        self.data.path().join("phonghop.sqlite3")
    }

    /// Where the server keeps its meetings.
    pub fn database(&self) -> &TestDatabase {
        &self.database
    }

    /// The folder of the open secret polls' keys: beside the SQLite file, or in the data folder
    /// the instances of a PostgreSQL database share.
    pub fn ballot_key_folder(&self) -> PathBuf {
        match &self.database {
            TestDatabase::Sqlite(_) => self.data.path().join("phonghop.sqlite3.ballot-keys"),
            TestDatabase::Postgres(_) => self.data.path().join("ballot-keys"),
        }
    }

    /// `phonghop-server` ready to run one of its commands on this server's data folder and
    /// database (`--data` is the caller's to give).
    pub fn server_command(&self) -> Result<std::process::Command> {
        let mut command = std::process::Command::new(server_binary()?);
        self.name_database(&mut command);
        Ok(command)
    }

    /// Names the database to a server command: `PHONGHOP_DATABASE` on PostgreSQL, none on
    /// SQLite (so that one inherited from the test's environment does not count).
    fn name_database(&self, command: &mut std::process::Command) {
        match &self.database {
            TestDatabase::Sqlite(_) => command.env_remove("PHONGHOP_DATABASE"),
            TestDatabase::Postgres(url) => command.env("PHONGHOP_DATABASE", url),
        };
    }

    /// The first column of every row `query` answers, as text, read directly from the database
    /// (behind the server's back, as someone holding it could).
    pub async fn sql_texts(&self, query: &str) -> Result<Vec<String>> {
        use sqlx::{Connection, Row};
        /// Text as is, numbers written out, bytes in hex, NULL as nothing.
        fn first_as_text<R: Row>(row: &R) -> String
        where
            for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            usize: sqlx::ColumnIndex<R>,
        {
            if let Ok(text) = row.try_get::<Option<String>, _>(0usize) {
                return text.unwrap_or_default();
            }
            if let Ok(number) = row.try_get::<Option<i64>, _>(0usize) {
                return number.map(|n| n.to_string()).unwrap_or_default();
            }
            row.try_get::<Option<Vec<u8>>, _>(0usize)
                .ok()
                .flatten()
                .map(hex::encode)
                .unwrap_or_default()
        }
        match &self.database {
            TestDatabase::Sqlite(path) => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).read_only(true);
                let mut connection = sqlx::SqliteConnection::connect_with(&options).await?;
                let rows = sqlx::query(query).fetch_all(&mut connection).await?;
                connection.close().await.ok();
                Ok(rows.iter().map(first_as_text).collect())
            }
            TestDatabase::Postgres(url) => {
                let mut connection = sqlx::PgConnection::connect(url).await?;
                let rows = sqlx::query(query).fetch_all(&mut connection).await?;
                connection.close().await.ok();
                Ok(rows.iter().map(first_as_text).collect())
            }
        }
    }

    /// Runs `statement` directly on the database, behind the server's back.
    pub async fn sql_execute(&self, statement: &str) -> Result<()> {
        use sqlx::Connection;
        match &self.database {
            TestDatabase::Sqlite(path) => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
                let mut connection = sqlx::SqliteConnection::connect_with(&options).await?;
                sqlx::query(statement).execute(&mut connection).await?;
                connection.close().await.ok();
            }
            TestDatabase::Postgres(url) => {
                let mut connection = sqlx::PgConnection::connect(url).await?;
                sqlx::query(statement).execute(&mut connection).await?;
                connection.close().await.ok();
            }
        }
        Ok(())
    }

    /// Drops one of the database's triggers, as someone holding it could.
    pub async fn drop_trigger(&self, trigger: &str, table: &str) -> Result<()> {
        match &self.database {
            TestDatabase::Sqlite(_) => self.sql_execute(&format!("DROP TRIGGER {trigger}")).await,
            TestDatabase::Postgres(_) => self.sql_execute(&format!("DROP TRIGGER {trigger} ON {table}")).await,
        }
    }

    /// Every `(table, column)` of the database's own tables.
    pub async fn table_columns(&self) -> Result<Vec<(String, String)>> {
        let pairs = match &self.database {
            TestDatabase::Sqlite(_) => {
                self.sql_texts(
                    "SELECT m.name || '.' || c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
                     WHERE m.type = 'table'",
                )
                .await?
            }
            TestDatabase::Postgres(_) => {
                self.sql_texts(
                    "SELECT table_name || '.' || column_name FROM information_schema.columns
                     WHERE table_schema = 'public'",
                )
                .await?
            }
        };
        Ok(pairs
            .iter()
            .filter_map(|pair| pair.split_once('.'))
            .map(|(table, column)| (table.to_owned(), column.to_owned()))
            .collect())
    }

    /// Everything the server printed; only with [`ServerOptions::whole_debug_log`] is nothing
    /// left out.
    pub fn whole_log(&self) -> String {
        self.log_tail()
    }

    /// The last lines the server printed, for failure messages.
    pub fn log_tail(&self) -> String {
        tail(&self.log)
    }

    async fn import_councillors(&self, csv_path: &Path) -> Result<()> {
        let mut command = std::process::Command::new(server_binary()?);
        self.name_database(&mut command);
        let output = Command::from(command)
            .arg("import-councillors")
            .arg("--data")
            .arg(self.data.path())
            .arg("--csv")
            .arg(csv_path)
            .arg("--password-hash")
            .arg(quick_password_hash())
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .context("running phonghop-server import-councillors")?;
        ensure!(
            output.status.success(),
            "import-councillors failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }

    /// Another `phonghop-server serve` on this server's database and data folder (its blobs and
    /// secret-ballot keys), as a province runs several behind one address. Its database must be
    /// PostgreSQL ([`ServerOptions::postgres`]).
    pub async fn start_instance(&self) -> Result<Instance> {
        ensure!(
            matches!(self.database, TestDatabase::Postgres(_)),
            "several instances share a PostgreSQL database, not a SQLite file"
        );
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let running = self.spawn_serve(&log, None).await?;
        let address = running.url.split_once("://").map(|(_, address)| address.to_owned());
        Ok(Instance {
            running: Some(running),
            address: address.context("the instance's address")?,
            log,
        })
    }

    /// Starts `instance` again after [`Instance::kill`], on the address it had (a load balancer
    /// in front of it finds it there again).
    pub async fn restart_instance(&self, instance: &mut Instance) -> Result<()> {
        ensure!(instance.running.is_none(), "the instance is still running");
        instance.running = Some(self.spawn_serve(&instance.log, Some(&instance.address)).await?);
        Ok(())
    }

    /// `listen`: where to listen instead of the options' address.
    async fn spawn_serve(&self, log: &Arc<Mutex<VecDeque<String>>>, listen: Option<&str>) -> Result<Running> {
        let mut plain = std::process::Command::new(server_binary()?);
        self.name_database(&mut plain);
        let mut command = Command::from(plain);
        command
            .arg("serve")
            .arg("--data")
            .arg(self.data.path())
            .arg("--listen")
            .arg(listen.or(self.options.listen.as_deref()).unwrap_or("127.0.0.1:0"));
        if self.options.tls {
            command.arg("--tls");
        }
        if let Some((certificate, key)) = &self.options.tls_identity {
            command.arg("--tls-cert").arg(certificate).arg("--tls-key").arg(key);
        }
        if let Some(ttl) = self.options.session_ttl_secs {
            command.arg("--session-ttl-secs").arg(ttl.to_string());
        }
        if let Some(mib) = self.options.max_upload_mib {
            command.arg("--max-upload-mib").arg(mib.to_string());
        }
        if let Some(soffice) = &self.options.soffice {
            command.arg("--soffice").arg(soffice);
        }
        if let Some(folder) = &self.options.watch {
            let username = self.options.watch_as.as_ref().unwrap_or(&self.roster.secretariat);
            command.arg("--watch").arg(folder).arg("--watch-as").arg(username);
        }
        if let Some(settle) = self.options.watch_settle_ms {
            command.arg("--watch-settle-ms").arg(settle.to_string());
        }
        if self.options.demo {
            command
                .args(["--demo", "--demo-password", DEMO_PASSWORD, "--councillors"])
                .arg(crate::repository_file("assets/demo/dai-bieu.csv"))
                .arg("--demo-documents")
                .arg(crate::repository_file("assets/demo"));
        }
        let kept_lines = if self.options.whole_debug_log {
            command.env("RUST_LOG", "debug");
            usize::MAX
        } else {
            LOG_LINES
        };
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().context("starting phonghop-server serve")?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let stderr = child.stderr.take().context("the server's stderr")?;
        let (address_tx, address_rx) = oneshot::channel();
        tokio::spawn(drain(stdout, log.clone(), kept_lines, Some(address_tx)));
        tokio::spawn(drain(stderr, log.clone(), kept_lines, None));
        let (url, fingerprint) = match tokio::time::timeout(STARTUP_TIMEOUT, address_rx).await {
            Ok(Ok(said)) => said,
            Ok(Err(_)) => bail!("the server stopped before listening:\n{}", tail(log)),
            Err(_) => bail!(
                "the server did not print PHONGHOP_LISTENING within {STARTUP_TIMEOUT:?}:\n{}",
                tail(log)
            ),
        };
        let fingerprint = fingerprint.map(|hex| Fingerprint::parse(&hex)).transpose()?;
        // A server listening on every address is reached here on this computer's own.
        let url = url.replace("://0.0.0.0:", "://127.0.0.1:");
        Ok(Running {
            child,
            url,
            fingerprint,
        })
    }

    /// As the secretariat: creates the meeting and adds the chair and the delegates to it.
    async fn prepare_meeting(&self) -> Result<MeetingId> {
        let secretariat = self.login_secretariat().await?;
        let request = CreateMeetingRequest {
            title: MEETING_TITLE.to_owned(),
            location: "Hội trường Ủy ban nhân dân xã".to_owned(),
            starts_at: "2026-12-01 08:00".to_owned(),
            kind: Default::default(),
        };
        let response = self
            .http
            .post(format!("{}/api/meetings", self.url()))
            .bearer_auth(&secretariat.token)
            .json(&request)
            .send()
            .await
            .context("creating the meeting")?;
        ensure!(
            response.status().is_success(),
            "creating the meeting: HTTP {}",
            response.status()
        );
        let meeting: MeetingSummary = response.json().await.context("reading the new meeting")?;
        let members = std::iter::once((self.roster.chair.clone(), Role::Chair)).chain(
            self.roster
                .delegates
                .iter()
                .map(|username| (username.clone(), Role::Delegate)),
        );
        for (username, role) in members {
            let response = self
                .http
                .post(format!("{}/api/meetings/{}/members", self.url(), meeting.id))
                .bearer_auth(&secretariat.token)
                .json(&AddMemberRequest {
                    username: username.clone(),
                    role,
                })
                .send()
                .await
                .with_context(|| format!("adding {username} to the meeting"))?;
            ensure!(
                response.status().is_success(),
                "adding {username}: HTTP {}",
                response.status()
            );
            if self.options.everyone_present {
                // The secretariat marks the member present, as at the door of the hall.
                let member: MemberView = response.json().await.context("reading the new member")?;
                let mark = MeetingCommand::SetAttendance {
                    user_id: member.user.id,
                    status: AttendanceStatus::Present,
                    reason: String::new(),
                };
                secretariat
                    .command(meeting.id, &mark)
                    .await
                    .with_context(|| format!("marking {username} present"))?;
            }
        }
        Ok(meeting.id)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.as_mut() {
            let _ = running.child.start_kill();
        }
        // The test harness shows this only when the test fails.
        eprintln!("--- last lines of phonghop-server ---\n{}", self.log_tail());
    }
}

/// A second (third…) server process on the database of a [`TestServer`], from
/// [`TestServer::start_instance`]. Killed when dropped.
pub struct Instance {
    running: Option<Running>,
    /// `127.0.0.1:PORT`, kept across restarts.
    address: String,
    log: Arc<Mutex<VecDeque<String>>>,
}

impl Instance {
    /// `http://127.0.0.1:PORT` of the running instance.
    pub fn url(&self) -> &str {
        &self.running.as_ref().expect("the instance is not running").url
    }

    /// `127.0.0.1:PORT`, the same after a restart.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The process id of the running instance (to stop it with SIGSTOP, as a frozen machine).
    pub fn pid(&self) -> Option<u32> {
        self.running.as_ref()?.child.id()
    }

    /// Logs `username` in on this instance.
    pub async fn login(&self, username: &str) -> Result<Session> {
        let fingerprint = self.running.as_ref().and_then(|running| running.fingerprint);
        Session::login_pinned(self.url(), fingerprint, username, PASSWORD)
            .await
            .with_context(|| format!("logging in as {username} on {}", self.url()))
    }

    /// Kills the instance with SIGKILL and waits for it to die.
    pub async fn kill(&mut self) -> Result<()> {
        let mut running = self.running.take().context("the instance is not running")?;
        running.child.start_kill().context("sending SIGKILL to the instance")?;
        running.child.wait().await.context("waiting for the killed instance")?;
        Ok(())
    }

    /// The last lines the instance printed.
    pub fn log_tail(&self) -> String {
        tail(&self.log)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(running) = self.running.as_mut() {
            let _ = running.child.start_kill();
        }
        eprintln!(
            "--- last lines of the other phonghop-server instance ---\n{}",
            self.log_tail()
        );
    }
}

fn tail(log: &Mutex<VecDeque<String>>) -> String {
    log.lock()
        .expect("log lock")
        .iter()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a server's stdout says before it listens: its address, and its certificate's
/// fingerprint (hex) when it serves TLS.
type Listening = (String, Option<String>);

/// Reads a pipe of the server line by line so it never fills, keeping the last `kept_lines`; on
/// stdout it also reports the address from `PHONGHOP_LISTENING http(s)://...` with the
/// `PHONGHOP_FINGERPRINT` printed before it.
async fn drain(
    pipe: impl AsyncRead + Unpin,
    log: Arc<Mutex<VecDeque<String>>>,
    kept_lines: usize,
    mut address: Option<oneshot::Sender<Listening>>,
) {
    let mut lines = BufReader::new(pipe).lines();
    let mut fingerprint = None;
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(hex) = line.strip_prefix("PHONGHOP_FINGERPRINT ") {
            fingerprint = Some(hex.trim().to_owned());
        }
        if let Some(url) = line.strip_prefix("PHONGHOP_LISTENING ") {
            if let Some(sender) = address.take() {
                let _ = sender.send((url.trim().to_owned(), fingerprint.clone()));
            }
        }
        let mut log = log.lock().expect("log lock");
        if log.len() >= kept_lines {
            log.pop_front();
        }
        log.push_back(line);
    }
}

/// The cargo target folder: `CARGO_TARGET_DIR` when set, else the workspace's `target/`.
fn target_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let configured = std::env::var_os("CARGO_TARGET_DIR").or_else(|| option_env!("CARGO_TARGET_DIR").map(Into::into));
    match configured.map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}

/// The built secretariat's command line (`phonghop-admin`), after checking it exists.
pub fn admin_binary() -> Result<PathBuf> {
    let admin = target_dir()
        .join("debug")
        .join(format!("phonghop-admin{}", std::env::consts::EXE_SUFFIX));
    ensure!(
        admin.is_file(),
        "{} is missing: run `cargo build --workspace --bins` first (`cargo xtask test` does that)",
        admin.display()
    );
    Ok(admin)
}

/// The built server binary, after checking that it and the PDF indexer beside it exist.
pub fn server_binary() -> Result<PathBuf> {
    let debug = target_dir().join("debug");
    let server = debug.join(format!("phonghop-server{}", std::env::consts::EXE_SUFFIX));
    let indexer = debug.join(format!("phonghop-index-pdf{}", std::env::consts::EXE_SUFFIX));
    for binary in [&server, &indexer] {
        ensure!(
            binary.is_file(),
            "{} is missing: run `cargo build -p phonghop-server -p phonghop-pdf --bins` first (`cargo xtask test` does that)",
            binary.display()
        );
    }
    Ok(server)
}
