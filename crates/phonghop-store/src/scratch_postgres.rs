//! A PostgreSQL cluster of the tests' and benchmarks' own: `initdb` into a temporary folder, one
//! `postgres` on a free loopback port, a fresh database per test, stopped when it is dropped or
//! when the process that started it ends. Nothing depends on a service the machine runs.
//!
//! - The binaries come from Debian's `postgresql` package (`/usr/lib/postgresql/<version>/bin`,
//!   installed by `cargo xtask setup`), or from `PHONGHOP_POSTGRES_BIN`.
//! - As root (CI), the cluster runs as the unprivileged `postgres` account the package made
//!   (`nobody` without it): PostgreSQL refuses to run as root.
//! - `cargo xtask test` starts one cluster for all the suites and names it in
//!   `PHONGHOP_TEST_POSTGRES` ([`ScratchCluster::shared`] then only makes databases in it); a
//!   test run alone starts its own.
//! - The `postgres` process is told to stop when its parent dies (Linux's parent-death signal,
//!   set by `setpriv`), so a killed test run leaves no server behind; its folder is removed by the
//!   next start.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::Duration;

/// The environment variable naming a running scratch cluster's base URL (without a database).
pub const SHARED_CLUSTER_VARIABLE: &str = "PHONGHOP_TEST_POSTGRES";

/// Folders of scratch clusters are `<temp>/phonghop-postgres-<pid>-<n>`.
const FOLDER_PREFIX: &str = "phonghop-postgres-";

/// How long a cluster may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// A running cluster of our own.
pub struct ScratchCluster {
    folder: PathBuf,
    port: u16,
    server: Mutex<Option<Child>>,
    /// The account it runs as, when started by root.
    account: Option<(u32, u32)>,
    binaries: PathBuf,
}

/// A cluster to make databases in: ours, or the one `cargo xtask test` named.
pub enum Cluster {
    Own(ScratchCluster),
    Named(String),
}

impl Cluster {
    /// `postgres://…` without a database name.
    pub fn base_url(&self) -> String {
        match self {
            Cluster::Own(cluster) => cluster.base_url(),
            Cluster::Named(url) => url.trim_end_matches('/').to_owned(),
        }
    }

    /// Makes a new empty database and returns its URL.
    pub async fn new_database(&self) -> Result<String, String> {
        new_database_at(&self.base_url()).await
    }
}

/// Makes a new empty database in the cluster at `base` (a URL without a database name) and
/// returns its URL.
async fn new_database_at(base: &str) -> Result<String, String> {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let name = format!(
        "phonghop_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let admin = format!("{base}/postgres");
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(&admin)
        .await
        .map_err(|error| format!("connecting to the scratch cluster at {admin}: {error}"))?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut connection)
        .await
        .map_err(|error| format!("creating database {name}: {error}"))?;
    connection.close().await.ok();
    Ok(format!("{base}/{name}"))
}

impl ScratchCluster {
    /// The process's cluster: the one `PHONGHOP_TEST_POSTGRES` names, or one started now (once)
    /// and stopped when the process ends.
    pub fn shared() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(|| {
            if let Ok(url) = std::env::var(SHARED_CLUSTER_VARIABLE) {
                if !url.is_empty() {
                    return Cluster::Named(url);
                }
            }
            // Started from a thread that never ends, so the parent-death signal (sent when the
            // thread that started the child ends) comes only with the process.
            let (sender, receiver) = mpsc::channel();
            std::thread::Builder::new()
                .name("scratch-postgres".into())
                .spawn(move || {
                    sender.send(ScratchCluster::start()).ok();
                    loop {
                        std::thread::park();
                    }
                })
                .expect("a thread for the scratch cluster");
            match receiver.recv().expect("the scratch cluster's thread answers") {
                Ok(cluster) => Cluster::Own(cluster),
                Err(error) => panic!("could not start a PostgreSQL cluster for the tests: {error}"),
            }
        })
    }

    /// Starts a new cluster in a new temporary folder.
    pub fn start() -> Result<ScratchCluster, String> {
        remove_abandoned_folders();
        let binaries = binaries()?;
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let folder = std::env::temp_dir().join(format!(
            "{FOLDER_PREFIX}{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&folder).map_err(|error| format!("making {}: {error}", folder.display()))?;
        let account = unprivileged_account()?;
        if let Some((uid, gid)) = account {
            std::os::unix::fs::chown(&folder, Some(uid), Some(gid))
                .map_err(|error| format!("giving {} to uid {uid}: {error}", folder.display()))?;
        }
        let data = folder.join("data");
        let mut initdb = command_as(&binaries.join("initdb"), account, false);
        initdb
            .arg("--pgdata")
            .arg(&data)
            .args([
                "--username=phonghop",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ])
            .stdin(Stdio::null());
        let output = initdb
            .output()
            .map_err(|error| format!("running {}: {error}", binaries.join("initdb").display()))?;
        if !output.status.success() {
            return Err(format!(
                "initdb failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let mut cluster = ScratchCluster {
            folder,
            port: 0,
            server: Mutex::new(None),
            account,
            binaries,
        };
        cluster.port = free_port()?;
        cluster.run()?;
        Ok(cluster)
    }

    /// `postgres://phonghop@127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("postgres://phonghop@127.0.0.1:{}", self.port)
    }

    /// Makes a new empty database and returns its URL.
    pub async fn new_database(&self) -> Result<String, String> {
        new_database_at(&self.base_url()).await
    }

    /// Its data folder.
    pub fn data_folder(&self) -> PathBuf {
        self.folder.join("data")
    }

    /// Stops the server as a crash would: an immediate shutdown (`SIGQUIT`: every connection
    /// cut, no checkpoint, so the next start recovers from the WAL), and waits for it.
    pub fn kill(&self) {
        if let Some(mut child) = self.server.lock().unwrap_or_else(|e| e.into_inner()).take() {
            signal(&child, Signal::Quit);
            child.wait().ok();
        }
    }

    /// Stops the server cleanly (a fast shutdown: connections are ended) and waits for it.
    pub fn stop(&self) {
        if let Some(mut child) = self.server.lock().unwrap_or_else(|e| e.into_inner()).take() {
            signal(&child, Signal::Interrupt);
            child.wait().ok();
        }
    }

    /// Starts the server again on the same port and data (after [`Self::kill`] or
    /// [`Self::stop`]); returns once it accepts connections.
    pub fn restart(&self) -> Result<(), String> {
        self.run()
    }

    fn run(&self) -> Result<(), String> {
        let mut postgres = command_as(&self.binaries.join("postgres"), self.account, true);
        postgres
            .arg("-D")
            .arg(self.data_folder())
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-k")
            .arg(&self.folder)
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400"])
            // Enough WAL between checkpoints for a benchmark's storm.
            .args(["-c", "max_wal_size=2GB"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = postgres
            .spawn()
            .map_err(|error| format!("starting postgres: {error}"))?;
        let stderr = child.stderr.take().expect("piped stderr");
        let (ready, ready_seen) = mpsc::channel();
        let log_path = self.folder.join("postgres.log");
        std::thread::spawn(move || {
            let mut log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log_path)
                .ok();
            let mut ready = Some(ready);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(log) = log.as_mut() {
                    use std::io::Write;
                    writeln!(log, "{line}").ok();
                }
                if line.contains("database system is ready to accept connections") {
                    if let Some(ready) = ready.take() {
                        ready.send(Ok(())).ok();
                    }
                } else if (line.contains("FATAL") && !refuses_a_client(&line)) || line.contains("PANIC") {
                    if let Some(ready) = ready.take() {
                        ready.send(Err(line)).ok();
                    }
                }
            }
            if let Some(ready) = ready.take() {
                ready.send(Err("postgres ended before it was ready".into())).ok();
            }
        });
        let outcome = ready_seen
            .recv_timeout(START_TIMEOUT)
            .unwrap_or_else(|_| Err(format!("postgres was not ready in {START_TIMEOUT:?}")));
        match outcome {
            Ok(()) => {
                *self.server.lock().unwrap_or_else(|e| e.into_inner()) = Some(child);
                Ok(())
            }
            Err(error) => {
                child.kill().ok();
                child.wait().ok();
                Err(format!(
                    "postgres did not start: {error} (its log: {})",
                    self.folder.join("postgres.log").display()
                ))
            }
        }
    }
}

/// A FATAL line about one client's connection (clients that kept trying while the server was
/// down are told it is still starting up), not about the server itself.
fn refuses_a_client(line: &str) -> bool {
    line.contains("the database system is") || line.contains("connection")
}

impl Drop for ScratchCluster {
    fn drop(&mut self) {
        self.stop();
        std::fs::remove_dir_all(&self.folder).ok();
    }
}

/// Where `initdb` and `postgres` are.
fn binaries() -> Result<PathBuf, String> {
    if let Ok(folder) = std::env::var("PHONGHOP_POSTGRES_BIN") {
        return Ok(PathBuf::from(folder));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/postgres): run `cargo xtask setup`, \
         or name the folder of initdb and postgres in PHONGHOP_POSTGRES_BIN"
            .to_owned()
    })
}

/// As root: the uid and gid of `postgres` (or `nobody`) from /etc/passwd. Otherwise `None`:
/// the cluster runs as whoever runs the tests.
fn unprivileged_account() -> Result<Option<(u32, u32)>, String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let effective_uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1));
    if effective_uid != Some("0") {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(|error| format!("reading /etc/passwd: {error}"))?;
    for wanted in ["postgres", "nobody"] {
        for line in passwd.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() > 3 && fields[0] == wanted {
                if let (Ok(uid), Ok(gid)) = (fields[2].parse(), fields[3].parse()) {
                    return Ok(Some((uid, gid)));
                }
            }
        }
    }
    Err("running as root, and neither a postgres nor a nobody account exists to run PostgreSQL as".into())
}

/// A command that runs `program` as `account` (when started by root) and, on Linux, gets SIGINT
/// (a fast shutdown) when the thread that started it ends: util-linux's `setpriv` changes the
/// account and sets the parent-death signal, then becomes `program`.
fn command_as(program: &Path, account: Option<(u32, u32)>, stop_with_parent: bool) -> Command {
    let mut command = Command::new("setpriv");
    if let Some((uid, gid)) = account {
        command
            .arg(format!("--reuid={uid}"))
            .arg(format!("--regid={gid}"))
            .arg("--clear-groups")
            // HOME and the like of root would be unreadable; PostgreSQL needs none of them.
            .env_remove("HOME");
    }
    if stop_with_parent {
        command.arg("--pdeathsig=INT");
    }
    command.arg("--").arg(program);
    command
}

/// Sends `signal` to a child we started and have not waited for yet.
fn signal(child: &Child, signal: Signal) {
    let name = match signal {
        Signal::Interrupt => "INT",
        Signal::Quit => "QUIT",
    };
    Command::new("kill")
        .args(["-s", name, &child.id().to_string()])
        .status()
        .ok();
}

enum Signal {
    Interrupt,
    Quit,
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|error| format!("finding a free port: {error}"))?;
    Ok(listener.local_addr().map_err(|error| error.to_string())?.port())
}

/// Removes the folders of scratch clusters whose process is gone (a run killed before its
/// clean-up).
fn remove_abandoned_folders() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|name| name.strip_prefix(FOLDER_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|pid| pid.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            std::fs::remove_dir_all(entry.path()).ok();
        }
    }
}
