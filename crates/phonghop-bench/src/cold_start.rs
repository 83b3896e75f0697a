//! `cold-start`: how soon phonghop answers after it is started, and what it holds then.
//! - The server, restarted on a data folder holding the demo meeting: exec → its
//!   `PHONGHOP_LISTENING` line → first answered `GET /api/health`; beside it, the bench's bare
//!   tokio-tungstenite server: exec → first accepted WebSocket. Then the server's resident
//!   memory once idle with the demo meeting loaded (a delegate logged in, the snapshot read),
//!   beside the bare server's with one connection.
//! - The desktop app under Xvfb, launched with `--auto-login`: exec → its
//!   `PHONGHOP_AGENDA_VISIBLE` line, on a fresh profile (the first start on a laptop: WebKit's
//!   and Mesa's caches empty) and again on the same profile (every later start), and the memory
//!   of the app and its WebKit processes at the later start; beside it, bare WebKitGTK (Debian's
//!   `MiniBrowser`) showing a static page of the same agenda: exec → painted, the same way.
//!   Without the app, a display server or MiniBrowser this part says so on standard error and
//!   prints the server's figures only.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use phonghop_protocol::http::LoginResponse;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::bare::BareServer;
use crate::clients::connect;
use crate::report::{median, millis, resident_bytes, round, tree_proportional_bytes, tree_resident_bytes};
use crate::report::{Better, Figure};
use crate::server::sibling;

/// Where Debian's WebKitGTK keeps its small test browser.
const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
/// The demo accounts' password (`phonghop-server serve --demo`).
const DEMO_PASSWORD: &str = "hop-khong-giay";
/// A delegate of the demo meeting.
const DELEGATE: &str = "db003";
/// Longest wait for any one start.
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(clap::Args, Clone)]
pub struct Options {
    /// Starts of each kind; the median is reported.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// The demo folder (councillors and PDFs) the server prepares its meeting from.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo"))]
    demo: PathBuf,
    /// The desktop app (default: `phonghop-app` beside this program).
    #[arg(long)]
    app: Option<PathBuf>,
    /// Measure the server only.
    #[arg(long)]
    no_app: bool,
    /// A tiny run that only proves the scenario works.
    #[arg(long)]
    smoke: bool,
}

pub async fn run(mut options: Options) -> Result<()> {
    if options.smoke {
        options.runs = options.runs.min(1);
    }
    let data = tempfile::Builder::new().prefix("phonghop-bench-cold-").tempdir()?;
    prepare_demo_data(data.path(), &options.demo)
        .await
        .context("preparing the demo data")?;

    let mut server_starts = Vec::new();
    let mut server = None;
    for _ in 0..options.runs {
        if let Some(previous) = server.take() {
            stop(previous).await?;
        }
        let (started, took) = start_server(data.path()).await?;
        server_starts.push(took);
        server = Some(started);
    }
    let server = server.context("no server run")?;
    let mut bare_starts = Vec::new();
    let mut bare = None;
    for _ in 0..options.runs {
        let started = Instant::now();
        let server = BareServer::start().await?;
        let socket = connect(&format!("{}/echo", server.url)).await?;
        bare_starts.push(started.elapsed());
        bare = Some((server, socket));
    }
    let (bare, _bare_socket) = bare.context("no bare run")?;

    follow_demo_meeting(&server.url).await?;
    let server_memory = resident_bytes(server.pid())?;
    let bare_memory = resident_bytes(bare.pid())?;

    let parameters = serde_json::json!({ "runs": options.runs });
    Figure::new(
        "cold-start",
        "server exec → first answered GET /api/health (demo data)",
        "ms",
        Better::Lower,
        median_millis(&server_starts),
    )
    .beside(
        "bare tokio-tungstenite server exec → first accepted WebSocket",
        median_millis(&bare_starts),
    )
    .with(parameters.clone())
    .print();
    Figure::new(
        "cold-start",
        "server memory, idle, demo meeting loaded (one delegate logged in)",
        "MB",
        Better::Lower,
        megabytes(server_memory),
    )
    .beside(
        "bare tokio-tungstenite server with one connection",
        megabytes(bare_memory),
    )
    .with(parameters.clone())
    .print();

    if options.no_app {
        eprintln!("cold-start: the desktop app was not measured (--no-app)");
        return Ok(());
    }
    let app_program = match options.app.clone().map_or_else(|| sibling("phonghop-app"), Ok) {
        Ok(app) => app,
        Err(error) => {
            eprintln!("cold-start: the desktop app was not measured: {error:#}");
            return Ok(());
        }
    };
    let display = match Xvfb::start().await {
        Ok(display) => display,
        Err(error) => {
            eprintln!("cold-start: the desktop app was not measured: no display server: {error:#}");
            return Ok(());
        }
    };
    let mut app = Starts::default();
    for _ in 0..options.runs {
        let profile = Profile::new()?;
        let first = show_agenda(&app_program, &server.url, &display, &profile)
            .await
            .context("the desktop app")?;
        let later = show_agenda(&app_program, &server.url, &display, &profile)
            .await
            .context("the desktop app")?;
        app.push(first, later);
    }
    let baseline = if Path::new(MINIBROWSER).is_file() {
        let mut starts = Starts::default();
        for _ in 0..options.runs {
            let profile = Profile::new()?;
            let first = bare_webkit_page(&display, &profile).await.context("MiniBrowser")?;
            let later = bare_webkit_page(&display, &profile).await.context("MiniBrowser")?;
            starts.push(first, later);
        }
        Ok(starts)
    } else {
        Err("MiniBrowser (Debian libwebkit2gtk-4.1-0) is not installed")
    };
    let proportional = |starts: &Starts| {
        starts
            .memory
            .iter()
            .map(|m| megabytes(m.proportional))
            .collect::<Vec<_>>()
    };
    let parameters = serde_json::json!({
        "runs": options.runs,
        "app_reported_ms_first": app.reported_first,
        "app_reported_ms_later": app.reported_later,
        "app_pss_mb": proportional(&app),
        "baseline_pss_mb": baseline.as_ref().ok().map(proportional),
        "gpu_render_node": has_render_node(),
    });
    let baseline_name = "bare WebKitGTK (MiniBrowser) exec → static agenda page painted";
    let missing = |error: &&'static str| -> &'static str { error };
    Figure::new(
        "cold-start",
        "desktop app exec → agenda visible, a later start (the profile's caches kept)",
        "ms",
        Better::Lower,
        median_millis(&app.later),
    )
    .beside_or(
        baseline_name,
        baseline.as_ref().map(|b| median_millis(&b.later)).map_err(missing),
    )
    .goal("≤ 1000 ms")
    .with(parameters.clone())
    .print();
    Figure::new(
        "cold-start",
        "desktop app exec → agenda visible, the first start on a fresh profile",
        "ms",
        Better::Lower,
        median_millis(&app.first),
    )
    .beside_or(
        baseline_name,
        baseline.as_ref().map(|b| median_millis(&b.first)).map_err(missing),
    )
    .goal("≤ 1000 ms")
    .with(parameters.clone())
    .print();
    let resident = |starts: &Starts| median(&starts.memory.iter().map(|m| megabytes(m.resident)).collect::<Vec<_>>());
    Figure::new(
        "cold-start",
        "desktop app memory with the agenda visible, a later start (app + WebKit processes, RSS summed)",
        "MB",
        Better::Lower,
        resident(&app),
    )
    .beside_or(
        "bare WebKitGTK (MiniBrowser) showing the static page",
        baseline.as_ref().map(resident).map_err(missing),
    )
    .goal("≤ 200 MB")
    .with(parameters)
    .print();
    Ok(())
}

/// The starts of one program: the first on each fresh profile and the later one on the same.
#[derive(Default)]
struct Starts {
    first: Vec<Duration>,
    later: Vec<Duration>,
    reported_first: Vec<Option<f64>>,
    reported_later: Vec<Option<f64>>,
    /// At the later starts.
    memory: Vec<Memory>,
}

impl Starts {
    fn push(&mut self, first: Shown, later: Shown) {
        self.first.push(first.took);
        self.reported_first.push(first.reported_ms);
        self.later.push(later.took);
        self.reported_later.push(later.reported_ms);
        self.memory.push(later.memory);
    }
}

fn median_millis(samples: &[Duration]) -> f64 {
    median(&samples.iter().map(|took| millis(*took)).collect::<Vec<_>>())
}

fn megabytes(bytes: u64) -> f64 {
    round(bytes as f64 / 1e6, 1)
}

/// A started server and where it listens.
struct Started {
    child: Child,
    url: String,
}

impl Started {
    fn pid(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }
}

/// Reads `child`'s standard output until a line starting with `prefix`; returns the rest of
/// that line. The remaining output is read on and dropped, so the child never blocks on a full
/// pipe.
async fn await_line(child: &mut Child, prefix: &str) -> Result<String> {
    let mut lines = BufReader::new(child.stdout.take().context("the child's output")?).lines();
    let found = tokio::time::timeout(START_TIMEOUT, async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.strip_prefix(prefix) {
                return Ok(rest.trim().to_owned());
            }
        }
        bail!("it ended before printing {prefix}")
    })
    .await
    .with_context(|| format!("no {prefix} within {} s", START_TIMEOUT.as_secs()))??;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(found)
}

/// Runs `serve --demo` once, so that the timed starts find the councillors and the meeting
/// already there, as a hall's server does when it is restarted.
async fn prepare_demo_data(data: &Path, demo: &Path) -> Result<()> {
    let mut child = Command::new(sibling("phonghop-server")?)
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--demo-password",
            DEMO_PASSWORD,
        ])
        .arg("--data")
        .arg(data)
        .arg("--councillors")
        .arg(demo.join("dai-bieu.csv"))
        .arg("--demo-documents")
        .arg(demo)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting phonghop-server")?;
    await_line(&mut child, "PHONGHOP_LISTENING ").await?;
    stop(Started {
        child,
        url: String::new(),
    })
    .await
}

/// Starts the server on `data`; how long until it answered its first request.
async fn start_server(data: &Path) -> Result<(Started, Duration)> {
    let program = sibling("phonghop-server")?;
    // Made before the clock starts: the client's own set-up is not the server's start.
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting phonghop-server")?;
    let url = await_line(&mut child, "PHONGHOP_LISTENING ").await?;
    let health = http.get(format!("{url}/api/health")).send().await?;
    let took = started.elapsed();
    ensure!(health.status().is_success(), "GET /api/health: {}", health.status());
    Ok((Started { child, url }, took))
}

/// Stops a server the way Ctrl+C does, so the next start finds its data closed cleanly.
async fn stop(mut started: Started) -> Result<()> {
    let pid = started.pid().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().await?;
    ensure!(status.success(), "kill -INT {pid} failed");
    tokio::time::timeout(Duration::from_secs(30), started.child.wait())
        .await
        .context("the server did not stop within 30 s of Ctrl+C")??;
    Ok(())
}

/// A delegate logs in and reads the demo meeting's snapshot: the meeting is loaded.
async fn follow_demo_meeting(url: &str) -> Result<()> {
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{url}/api/login"))
        .json(&serde_json::json!({ "username": DELEGATE, "password": DEMO_PASSWORD }))
        .send()
        .await?;
    ensure!(login.status().is_success(), "login {DELEGATE}: {}", login.status());
    let token = login.json::<LoginResponse>().await?.token;
    let snapshot = http
        .get(format!("{url}/api/meetings/1/snapshot"))
        .bearer_auth(&token)
        .send()
        .await?;
    ensure!(
        snapshot.status().is_success(),
        "the demo meeting's snapshot: {}",
        snapshot.status()
    );
    Ok(())
}

/// Xvfb on a display number it picks itself (`-displayfd`), killed on drop.
struct Xvfb {
    _child: Child,
    display: String,
}

impl Xvfb {
    async fn start() -> Result<Xvfb> {
        let mut child = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting Xvfb (Debian package xvfb)")?;
        // Xvfb writes the display number once it accepts clients.
        let mut stdout = child.stdout.take().context("Xvfb's output")?;
        let mut number = String::new();
        tokio::time::timeout(Duration::from_secs(20), async {
            let mut byte = [0u8; 1];
            while stdout.read(&mut byte).await? == 1 && byte[0] != b'\n' {
                number.push(byte[0] as char);
            }
            anyhow::Ok(())
        })
        .await
        .context("Xvfb gave no display number within 20 s")??;
        ensure!(
            !number.trim().is_empty(),
            "Xvfb stopped before giving its display number"
        );
        Ok(Xvfb {
            _child: child,
            display: format!(":{}", number.trim()),
        })
    }
}

/// Memory of a process tree.
struct Memory {
    resident: u64,
    proportional: u64,
}

impl Memory {
    fn of(pid: u32) -> Result<Memory> {
        Ok(Memory {
            resident: tree_resident_bytes(pid)?,
            proportional: tree_proportional_bytes(pid)?,
        })
    }
}

/// One start of a WebKit program until its page showed.
struct Shown {
    took: Duration,
    /// What the program itself said (the app reports its own time since `main`).
    reported_ms: Option<f64>,
    memory: Memory,
}

/// A profile of its own (data, cache, configuration folders): fresh, nothing is warm but the
/// operating system's file cache; used again, it is what every later start finds.
struct Profile {
    folder: tempfile::TempDir,
}

impl Profile {
    fn new() -> Result<Profile> {
        Ok(Profile {
            folder: tempfile::Builder::new().prefix("phonghop-bench-profile-").tempdir()?,
        })
    }

    fn path(&self) -> &Path {
        self.folder.path()
    }
}

/// Runs a WebKit program on `display` with `profile`.
fn use_profile(command: &mut Command, profile: &Profile, display: &Xvfb) {
    let profile = profile.path();
    command
        .env("DISPLAY", &display.display)
        .env("NO_AT_BRIDGE", "1")
        .env("XDG_DATA_HOME", profile.join("data"))
        .env("XDG_CACHE_HOME", profile.join("cache"))
        .env("XDG_CONFIG_HOME", profile.join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true);
}

/// Ends a program and every process of its group (WebKit's own processes).
async fn kill_group(child: &mut Child) {
    if let Some(pid) = child.id() {
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{pid}")])
            .status()
            .await;
    }
    let _ = child.wait().await;
}

/// The app, logged in by itself, until it says its agenda is on screen.
async fn show_agenda(app: &Path, server: &str, display: &Xvfb, profile: &Profile) -> Result<Shown> {
    let mut command = Command::new(app);
    command
        .args(["--server", server, "--username", DELEGATE, "--auto-login", "--data-dir"])
        .arg(profile.path().join("phonghop"))
        .env("PHONGHOP_PASSWORD", DEMO_PASSWORD);
    use_profile(&mut command, profile, display);
    let started = Instant::now();
    let mut child = command.spawn().with_context(|| format!("starting {}", app.display()))?;
    let line = await_line(&mut child, "PHONGHOP_AGENDA_VISIBLE ").await;
    let took = started.elapsed();
    let memory = Memory::of(child.id().unwrap_or_default());
    kill_group(&mut child).await;
    Ok(Shown {
        took,
        reported_ms: line?.parse().ok(),
        memory: memory?,
    })
}

/// MiniBrowser on a static page of the demo agenda that asks for an image from this program
/// two animation frames after it loaded, that is once it is painted.
async fn bare_webkit_page(display: &Xvfb, profile: &Profile) -> Result<Shown> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let page = profile.path().join("agenda.html");
    std::fs::write(&page, static_agenda(listener.local_addr()?.port()))?;
    let mut command = Command::new(MINIBROWSER);
    command.arg(format!("file://{}", page.display()));
    // The renderer the app chooses on this machine (src-tauri/src/webkit.rs), so that the
    // baseline is WebKit doing the same work.
    if !has_render_node() {
        command.env("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
    use_profile(&mut command, profile, display);
    let started = Instant::now();
    let mut child = command.spawn().context("starting MiniBrowser")?;
    let painted = tokio::time::timeout(START_TIMEOUT, listener.accept()).await;
    let took = started.elapsed();
    let memory = Memory::of(child.id().unwrap_or_default());
    kill_group(&mut child).await;
    painted
        .context("MiniBrowser did not show the page in time")?
        .context("accepting MiniBrowser's request")?;
    Ok(Shown {
        took,
        reported_ms: None,
        memory: memory?,
    })
}

/// Whether the kernel offers a GPU render node; without one the app chooses WebKit's older
/// renderer.
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri")
        .map(|entries| {
            entries
                .flatten()
                .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
}

/// The demo meeting's agenda as a static page, about what the app shows.
fn static_agenda(port: u16) -> String {
    let items = [
        "Khai mạc kỳ họp",
        "Tờ trình về triển khai phòng họp không giấy",
        "Dự thảo Nghị quyết về phòng họp không giấy",
        "Báo cáo tình hình kinh tế - xã hội",
        "Bế mạc kỳ họp",
    ];
    let list: String = items
        .iter()
        .enumerate()
        .map(|(index, title)| format!("<li><button>{}. {title}</button></li>", index + 1))
        .collect();
    format!(
        r#"<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Chương trình</title>
<style>body {{ font: 20px sans-serif; }} button {{ min-height: 56px; width: 100%; text-align: left; }}</style>
</head><body>
<h1>Kỳ họp thứ Mười hai, Hội đồng nhân dân xã Quyết Thắng</h1>
<nav><h2>Chương trình</h2><ol>{list}</ol></nav>
<script>
requestAnimationFrame(() => requestAnimationFrame(() => {{
  new Image().src = "http://127.0.0.1:{port}/painted";
}}));
</script>
</body></html>
"#
    )
}
