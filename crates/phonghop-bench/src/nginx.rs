//! The download baseline: Debian's nginx, started by the bench as a child process on 127.0.0.1
//! with a generated configuration in a temporary folder (`daemon off`, its own pid file and error
//! log, `sendfile on`, no access log), serving a folder of files as they are on disk.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tokio::process::{Child, Command};

/// Where Debian puts nginx; it is often not on a user's PATH.
const CANDIDATES: &[&str] = &[
    "/usr/sbin/nginx",
    "/usr/local/sbin/nginx",
    "/usr/local/nginx/sbin/nginx",
];

pub struct Nginx {
    child: Child,
    /// `http://127.0.0.1:PORT`: a file `ab/NAME` of the served folder is at `{url}/ab/NAME`.
    pub url: String,
    pub version: String,
    _folder: tempfile::TempDir,
}

/// The nginx program: on PATH, or where Debian installs it.
pub fn program() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("nginx"));
    on_path
        .chain(CANDIDATES.iter().map(PathBuf::from))
        .find(|path| path.is_file())
}

impl Nginx {
    /// Starts nginx serving `root`; an error says why it could not (not installed, did not
    /// start).
    pub async fn start(root: &Path) -> Result<Nginx> {
        let program =
            program().context("nginx is not installed (Debian package `nginx`; `cargo xtask bench` installs it)")?;
        let version = Command::new(&program).arg("-v").output().await?;
        // `nginx -v` answers on standard error: "nginx version: nginx/1.22.1".
        let version = String::from_utf8_lossy(&version.stderr)
            .trim()
            .trim_start_matches("nginx version: ")
            .to_owned();
        let folder = tempfile::Builder::new().prefix("phonghop-bench-nginx-").tempdir()?;
        let port = free_port()?;
        let config = folder.path().join("nginx.conf");
        std::fs::write(&config, configuration(folder.path(), root, port, running_as_root()))?;
        let mut child = Command::new(&program)
            .arg("-p")
            .arg(folder.path())
            .arg("-c")
            .arg(&config)
            .arg("-e")
            .arg(folder.path().join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        // nginx says nothing when it is ready: try to connect, with a deadline. Its start-up is
        // not measured.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            if let Some(status) = child.try_wait()? {
                let log = std::fs::read_to_string(folder.path().join("error.log")).unwrap_or_default();
                bail!("nginx stopped ({status}): {}", log.trim());
            }
            if Instant::now() > deadline {
                bail!("nginx did not listen on port {port} within 10 s");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(Nginx {
            child,
            url: format!("http://127.0.0.1:{port}"),
            version,
            _folder: folder,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }
}

/// A port nobody listens on now. nginx binds it a moment later; another program taking it in
/// between would make nginx fail to start, and say so.
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Whether this process runs as root: the owner of `/proc/self` is the effective user.
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}

/// nginx's configuration: as close to phonghop's job as a static server gets (keep-alive
/// connections, files by path, `application/pdf`), and as fast as nginx is usually run.
fn configuration(folder: &Path, root: &Path, port: u16, as_root: bool) -> String {
    // Run as root, nginx would hand requests to workers running as `nobody`, who cannot read the
    // server's files (created 0600); the workers stay root then, as the files' owner.
    let user = if as_root { "user root;\n" } else { "" };
    let temp = |name: &str| folder.join(name).display().to_string();
    format!(
        "{user}daemon off;
worker_processes auto;
pid {pid};
error_log {error_log} warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000;
    default_type application/pdf;
    client_body_temp_path {body};
    proxy_temp_path {proxy};
    fastcgi_temp_path {fastcgi};
    uwsgi_temp_path {uwsgi};
    scgi_temp_path {scgi};
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
",
        pid = temp("nginx.pid"),
        error_log = temp("error.log"),
        body = temp("body"),
        proxy = temp("proxy"),
        fastcgi = temp("fastcgi"),
        uwsgi = temp("uwsgi"),
        scgi = temp("scgi"),
        root = root.display(),
    )
}
