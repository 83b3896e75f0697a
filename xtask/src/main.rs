//! `cargo xtask`: the project's own set-up, demo and test runner, so a fresh Debian 12 machine
//! needs nothing but these two commands: `cargo xtask demo` and `cargo xtask test`.
//!
//! Layout:
//! - [`setup`]: Debian packages, PDFium from the pinned pypdfium2 wheel, npm packages,
//!   tauri-driver.
//! - [`demo`]: builds everything, starts the server with the demo meeting, opens the app.
//! - [`test`]: every test: Rust, UI (type check + Vitest), and the end-to-end journey in the
//!   real app under Xvfb.
//! - [`process`]: running commands and background services that are cleaned up on drop.

mod demo;
mod process;
mod setup;
mod test;

use std::path::PathBuf;

use anyhow::{bail, Result};

/// The repository root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the repository")
        .to_owned()
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("setup") => setup::all(),
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <setup|demo|test>");
            eprintln!("  setup   install what is missing (Debian packages, PDFium, npm packages, tauri-driver)");
            eprintln!("  demo    run the server with the demo meeting and open the desktop app");
            eprintln!("  test    run every test (Rust, UI, end-to-end in the real app)");
            bail!("no such task")
        }
    }
}
