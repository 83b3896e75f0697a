//! Running commands with clear errors, and background services that stop when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};

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

/// A background process (server, Xvfb, tauri-driver), killed with its process group on drop.
pub struct Service {
    pub child: Child,
}

impl Service {
    /// Starts `command` in its own process group, so dropping the service also ends whatever
    /// it started (tauri-driver starts WebKitWebDriver, which starts the app).
    pub fn start(name: &str, mut command: Command) -> Result<Service> {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        let child = command.spawn().with_context(|| format!("starting {name}"))?;
        Ok(Service { child })
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // Kill the whole group: negative pid.
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}
