//! The desktop app's test bench: Xvfb, a demo server and tauri-driver (with WebKitWebDriver),
//! (over TLS for the journey, with a second server as an impostor) started for a WebdriverIO script — the end-to-end journey (`test.rs`) and the UI benchmarks
//! (`bench.rs`) — each in a process group of its own, ended when the environment is dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::demo::start_server;
use crate::process::Service;
use crate::setup;

/// The port tauri-driver listens on; the scripts connect there.
pub const DRIVER_PORT: u16 = 4444;

pub struct AppEnvironment {
    /// The demo server's `http://127.0.0.1:PORT` (`https://` with TLS).
    pub url: String,
    /// The fingerprint (hex) of the server's certificate, with TLS.
    pub fingerprint: Option<String>,
    /// The server's certificate (PEM), with TLS: the scripts' own HTTP calls trust it alone.
    pub certificate: Option<PathBuf>,
    /// A second demo server with a certificate of its own, with TLS: what someone in between on
    /// the hall's network would put in the server's place.
    pub impostor: Option<String>,
    /// The impostor's certificate fingerprint (hex).
    pub impostor_fingerprint: Option<String>,
    _impostor: Option<Service>,
    server: Service,
    // Dropped last to first: the driver (and the app it started), then the display.
    _driver: Service,
    _xvfb: Service,
}

impl AppEnvironment {
    /// Starts everything afresh in `work` (emptied first): the app's data, downloads and the
    /// server's data live there; `hot_folder`, when given, is watched by the server as the
    /// secretariat.
    pub fn start(work: &Path, hot_folder: Option<&Path>, tls: bool) -> Result<AppEnvironment> {
        let _ = std::fs::remove_dir_all(work);
        std::fs::create_dir_all(work)?;

        // Xvfb picks a free display itself and says which (`-displayfd`): it also sees through
        // the lock files that killed X servers leave behind, which a scan of /tmp cannot. And it
        // never resets (`-noreset`): by default an X server resets when its last client goes, and
        // the app started again right after the journey killed it could meet the reset and find
        // no display.
        let mut xvfb = Command::new("Xvfb");
        xvfb.args([
            "-displayfd",
            "1",
            "-noreset",
            "-screen",
            "0",
            "1280x800x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(std::process::Stdio::piped());
        let mut xvfb = Service::start("Xvfb", xvfb)?;
        let display = display_number(&mut xvfb)?;

        let started = start_server(&work.join("server-data"), "127.0.0.1:0", hot_folder, tls)?;
        let impostor = if tls {
            Some(start_server(&work.join("impostor-data"), "127.0.0.1:0", None, true)?)
        } else {
            None
        };

        if TcpStream::connect(("127.0.0.1", DRIVER_PORT)).is_ok() {
            bail!("port {DRIVER_PORT} is taken: another tauri-driver is running");
        }
        let mut driver = Command::new(setup::tauri_driver_path());
        driver
            .args([
                "--port",
                &DRIVER_PORT.to_string(),
                "--native-driver",
                "/usr/bin/WebKitWebDriver",
            ])
            .env("DISPLAY", format!(":{display}"))
            .env("NO_AT_BRIDGE", "1")
            // Without a GPU render node the app picks WebKit's older renderer (src-tauri/src/webkit.rs),
            // under which WebKitWebDriver's screenshots never return (WebKitGTK 2.46, Xvfb). The scripts
            // run the renderer of a laptop with a GPU; `phonghop-bench cold-start` runs the other.
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "0")
            .env("XDG_DATA_HOME", work.join("app-data"))
            // "My annotated copy" goes to the Downloads folder: here, not the home of whoever runs them.
            .env("XDG_CONFIG_HOME", user_dirs(work)?)
            .env("PHONGHOP_PDFIUM", setup::pdfium_library()?);
        let driver = Service::start("tauri-driver", driver)?;
        wait_until("tauri-driver", Duration::from_secs(30), || {
            TcpStream::connect(("127.0.0.1", DRIVER_PORT)).is_ok()
        })?;
        let certificate = tls.then(|| work.join("server-data/tls/certificate.pem"));
        let (impostor_url, impostor_fingerprint, impostor) = match impostor {
            Some(started) => (Some(started.url), started.fingerprint, Some(started.service)),
            None => (None, None, None),
        };
        Ok(AppEnvironment {
            url: started.url,
            fingerprint: started.fingerprint,
            certificate,
            impostor: impostor_url,
            impostor_fingerprint,
            _impostor: impostor,
            server: started.service,
            _driver: driver,
            _xvfb: xvfb,
        })
    }

    /// The server's process id (the journey kills it).
    pub fn server_pid(&self) -> String {
        self.server.child.id().to_string()
    }
}

/// The display number Xvfb writes once it accepts clients (up to 20 s).
fn display_number(xvfb: &mut Service) -> Result<u32> {
    use std::io::Read;
    let mut stdout = xvfb.child.stdout.take().context("Xvfb's output")?;
    let (tell, told) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut number = String::new();
        let mut byte = [0u8; 1];
        while stdout.read(&mut byte).map(|read| read == 1).unwrap_or(false) && byte[0] != b'\n' {
            number.push(byte[0] as char);
        }
        let _ = tell.send(number);
    });
    let number = told
        .recv_timeout(Duration::from_secs(20))
        .context("Xvfb gave no display number within 20 s")?;
    number
        .trim()
        .parse()
        .with_context(|| format!("Xvfb stopped before giving its display number ({number:?})"))
}

fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while !ready() {
        if Instant::now() > deadline {
            bail!("{what} did not become ready within {} s", timeout.as_secs());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// A config folder whose `user-dirs.dirs` puts the Downloads folder under `work`.
fn user_dirs(work: &Path) -> Result<PathBuf> {
    let config = work.join("config");
    let downloads = work.join("downloads");
    std::fs::create_dir_all(&config)?;
    std::fs::create_dir_all(&downloads)?;
    std::fs::write(
        config.join("user-dirs.dirs"),
        format!("XDG_DOWNLOAD_DIR=\"{}\"\n", downloads.display()),
    )?;
    Ok(config)
}
