//! `cargo xtask`: the project's own set-up, demo and test runner, so a fresh Debian 12 machine
//! needs nothing but these two commands: `cargo xtask demo` and `cargo xtask test`.
//!
//! Layout:
//! - [`setup`]: Debian packages, PDFium from the pinned pypdfium2 wheel, npm packages,
//!   tauri-driver.
//! - [`bench`]: `phonghop-bench` scenarios in release mode, and their smoke runs for `test`.
//! - [`demo`]: builds everything, starts the server with the demo meeting, opens the app.
//! - [`demo_ctrl_c`]: the suite that presses Ctrl+C on the demo in a pseudo-terminal.
//! - [`app_env`]: Xvfb, a demo server and tauri-driver for the journey and the UI benchmarks.
//! - [`test`]: every test: Rust, UI (type check + Vitest), and the end-to-end journey in the
//!   real app under Xvfb.
//! - [`process`]: running commands and background services that are stopped on drop, and on
//!   Ctrl+C, SIGTERM or SIGHUP.

mod app_env;
mod bench;
mod bundle;
mod demo;
mod demo_ctrl_c;
mod installed;
mod process;
mod scratch_postgres;
mod setup;
mod test;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the repository")
        .to_owned()
}

/// Cargo's target folder, asked of cargo once, so xtask finds what cargo built wherever
/// `CARGO_TARGET_DIR` or `build.target-dir` put it.
pub fn target_dir() -> Result<PathBuf> {
    static TARGET_DIR: OnceLock<PathBuf> = OnceLock::new();
    if let Some(dir) = TARGET_DIR.get() {
        return Ok(dir.clone());
    }
    let output = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed ({})", output.status);
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).context("reading cargo metadata")?;
    let dir = metadata["target_directory"]
        .as_str()
        .context("cargo metadata names no target_directory")?;
    Ok(TARGET_DIR.get_or_init(|| PathBuf::from(dir)).clone())
}

/// A binary of the workspace, as `cargo build` leaves it.
pub fn built_binary(name: &str) -> Result<PathBuf> {
    Ok(target_dir()?.join("debug").join(name))
}

fn main() -> Result<()> {
    process::stop_services_on_signal()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = run_task(&args);
    // A task that ends because a signal killed its services has not failed: it was stopped.
    if process::stopping() {
        std::process::exit(130);
    }
    result
}

fn run_task(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("setup") => setup::all(),
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("bundle") => bundle::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <setup|demo|test|bench|bundle>");
            eprintln!("  setup   install what is missing (Debian packages, PDFium, npm packages, tauri-driver)");
            eprintln!("  demo    run the server with the demo meeting and open the desktop app");
            eprintln!("          [--listen ADDR] [--data DIR] [--no-build: skip set-up and build]");
            eprintln!("  test    run every test (Rust, UI, end-to-end in the real app)");
            eprintln!("  bench   run a benchmark scenario in release mode: bench <fanout|vote-storm|…|all> [options]");
            eprintln!("  bundle  build the packages into target/installer: the app's .deb and .rpm, the server's");
            eprintln!("          .deb, the licence list and SHA256SUMS [--debug: package the debug build]");
            bail!("no such task")
        }
    }
}
