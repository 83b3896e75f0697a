//! Running commands with clear errors, and background services that stop when dropped or when
//! a signal ends xtask.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// Runs a command in `dir`, echoing it, and fails if it fails.
pub fn sh(dir: &Path, program: &str, args: &[&str]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .status()
        .with_context(|| format!("starting {program}"))?;
    if !status.success() {
        bail!("{program} {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Runs a command and returns its standard output, also echoing every line, so callers can
/// read summaries (test counts) from it.
pub fn sh_capturing(dir: &Path, program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result<(bool, String)> {
    use std::io::{BufRead, BufReader};
    eprintln!("$ {program} {}", args.join(" "));
    let mut child = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(dir)
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let mut output = String::new();
    for line in BufReader::new(child.stdout.take().expect("piped stdout")).lines() {
        let line = line?;
        println!("{line}");
        output.push_str(&line);
        output.push('\n');
    }
    let status = child.wait()?;
    Ok((status.success(), output))
}

/// Whether a program can be found on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// A background process (server, app, Xvfb, tauri-driver), killed with its process group on drop.
pub struct Service {
    pub child: Child,
}

/// The process groups of the running services. Drop stops a service when xtask returns, but it
/// never runs when a signal ends xtask, so the signal handler stops them from this list.
struct Running {
    groups: Vec<u32>,
    stopping: bool,
}

static RUNNING: Mutex<Running> = Mutex::new(Running {
    groups: Vec::new(),
    stopping: false,
});

/// Notified when a service has been killed and reaped, for the signal handler to wait on.
static ENDED: Condvar = Condvar::new();

fn running() -> MutexGuard<'static, Running> {
    RUNNING.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Service {
    /// Starts `command` in its own process group, so dropping the service also ends whatever
    /// it started (tauri-driver starts WebKitWebDriver, which starts the app).
    pub fn start(name: &str, mut command: Command) -> Result<Service> {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        // Under the lock, so the signal handler either sees this service or stops it starting.
        let mut running = running();
        if running.stopping {
            bail!("not starting {name}: xtask is stopping");
        }
        let child = command.spawn().with_context(|| format!("starting {name}"))?;
        running.groups.push(child.id());
        Ok(Service { child })
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        kill_group(self.child.id());
        let _ = self.child.wait();
        running().groups.retain(|&group| group != self.child.id());
        ENDED.notify_all();
    }
}

fn kill_group(group: u32) {
    // A negative pid names the whole group.
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{group}")])
        .stderr(Stdio::null())
        .status();
}

/// Whether a signal (Ctrl+C, SIGTERM, SIGHUP) asked xtask to stop.
pub fn stopping() -> bool {
    running().stopping
}

/// On SIGINT, SIGTERM or SIGHUP: kill every service's process group, wait (briefly) until the
/// main thread has reaped them, so no server is left holding its port, then exit with 130.
/// Ctrl+C alone would not reach the services: they run in process groups of their own.
pub fn stop_services_on_signal() -> Result<()> {
    ctrlc::set_handler(|| {
        let mut running = running();
        running.stopping = true;
        if !running.groups.is_empty() {
            // The terminal may be gone (SIGHUP): a failed write must not stop the stopping.
            let _ = writeln!(std::io::stdout(), "Đang dừng máy chủ… / stopping the server…");
            running.groups.iter().copied().for_each(kill_group);
            let _ = ENDED.wait_timeout_while(running, Duration::from_secs(10), |running| !running.groups.is_empty());
        }
        std::process::exit(130);
    })
    .context("setting the Ctrl+C handler")
}
