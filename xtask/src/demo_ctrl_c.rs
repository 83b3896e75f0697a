//! The suite that presses Ctrl+C on `cargo xtask demo` as a person would, in a real terminal,
//! and checks that the server the demo started is gone with it.
//!
//! util-linux's `script` (in every Debian, package bsdutils) runs the demo under a new
//! pseudo-terminal: what is written to its standard input is typed there, and the terminal
//! turns the byte 0x03 into SIGINT for the demo, exactly as a key press does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};

use crate::process::Service;

/// The demo ingests its documents before it listens: a few seconds on this machine.
const START_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// Runs the already built xtask's `demo --no-build` on `127.0.0.1:0` with a temporary data
/// folder and no display, presses Ctrl+C once it listens, and checks that nothing is left.
pub fn demo_stops_on_ctrl_c() -> Result<()> {
    let data = tempfile::tempdir().context("making the demo's data folder")?;
    let xtask = std::env::current_exe().context("finding the xtask binary")?;
    // `exec`: the demo itself is the terminal's foreground process, as when a person types it.
    let line = format!(
        "exec {} demo --no-build --listen 127.0.0.1:0 --data {}",
        shell_quoted(&xtask),
        shell_quoted(data.path())
    );
    let mut script = Command::new("script");
    script
        .args(["-qfec", &line, "/dev/null"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    // A service, so that a failure here still ends the terminal, whose hang-up stops the demo.
    let mut terminal = Service::start("script", script)?;
    let mut keyboard = terminal.child.stdin.take().expect("piped stdin");
    let screen = lines_of(terminal.child.stdout.take().expect("piped stdout"));

    let url = next_line_with(&screen, "the PHONGHOP_LISTENING line", START_TIMEOUT, |line| {
        line.split_once("PHONGHOP_LISTENING ")
            .map(|(_, url)| url.trim().to_owned())
    })?;
    let address: SocketAddr = url
        .trim_start_matches("http://")
        .parse()
        .with_context(|| format!("reading the address in {url}"))?;
    ensure!(
        answers_health(address)?,
        "the demo's server at {address} does not answer /api/health"
    );

    keyboard.write_all(&[0x03]).context("pressing Ctrl+C")?;
    next_line_with(&screen, "the line saying it stops the server", STOP_TIMEOUT, |line| {
        line.contains("stopping the server").then_some(())
    })?;
    wait_for_end(&screen)?;
    let status = terminal.child.wait().context("waiting for the demo")?;
    ensure!(
        status.code() == Some(130),
        "the demo ended with {status}, not 130 (stopped by a signal)"
    );
    ensure!(
        TcpStream::connect(address).is_err(),
        "the server still accepts connections on {address} after Ctrl+C"
    );
    let left = processes_mentioning(data.path())?;
    ensure!(left.is_empty(), "still running after Ctrl+C: {}", left.join("; "));
    Ok(())
}

/// Lines of the terminal, read on a thread so the caller can wait for them with a timeout; each
/// is echoed so a failure shows what the demo said.
fn lines_of(screen: ChildStdout) -> Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut screen = BufReader::new(screen);
        let mut line = Vec::new();
        while screen.read_until(b'\n', &mut line).is_ok_and(|read| read > 0) {
            // The terminal ends lines with \r\n and echoes Ctrl+C as "^C".
            let text = String::from_utf8_lossy(&line).trim_end().to_owned();
            println!("  demo │ {text}");
            if sender.send(text).is_err() {
                break;
            }
            line.clear();
        }
    });
    receiver
}

/// Waits for the first line for which `found` returns something.
fn next_line_with<T>(
    screen: &Receiver<String>,
    what: &str,
    timeout: Duration,
    found: impl Fn(&str) -> Option<T>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        match screen.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                if let Some(value) = found(&line) {
                    return Ok(value);
                }
            }
            Err(RecvTimeoutError::Timeout) => bail!("the demo printed no {what} within {} s", timeout.as_secs()),
            Err(RecvTimeoutError::Disconnected) => bail!("the demo ended before it printed {what}"),
        }
    }
}

/// Waits until the terminal closes, which it does when the demo has exited.
fn wait_for_end(screen: &Receiver<String>) -> Result<()> {
    let deadline = Instant::now() + STOP_TIMEOUT;
    loop {
        match screen.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(_) => continue,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
            Err(RecvTimeoutError::Timeout) => {
                bail!("the demo did not exit within {} s of Ctrl+C", STOP_TIMEOUT.as_secs())
            }
        }
    }
}

/// `GET /api/health` by hand: xtask has no HTTP client, and this is one request.
fn answers_health(address: SocketAddr) -> Result<bool> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
        .with_context(|| format!("connecting to the demo's server at {address}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET /api/health HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .context("reading the answer to /api/health")?;
    Ok(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"))
}

/// Processes whose command line mentions `path` (the demo's own data folder), other than this one.
fn processes_mentioning(path: &Path) -> Result<Vec<String>> {
    let needle = path.to_string_lossy().into_owned();
    let own = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").context("listing /proc")? {
        let pid = entry?.file_name().to_string_lossy().into_owned();
        if pid == own || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        // A process may end while we look: then it is not left over.
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(&needle) {
            found.push(format!("{pid}: {}", cmdline.trim_end()));
        }
    }
    Ok(found)
}

fn shell_quoted(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', r"'\''"))
}
