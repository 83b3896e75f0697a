//! `cargo xtask test`: every test of the project, in one command, ending with one
//! `N passed, M failed` line.
//!
//! Order: set-up, build, Rust tests (unit + journeys against the real server binary), the
//! check that generated TypeScript types are committed, Ctrl+C on the demo in a pseudo-terminal,
//! UI type check and Vitest, then the end-to-end journey in the real app (Xvfb + tauri-driver +
//! WebKitWebDriver).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::app_env::AppEnvironment;
use crate::demo::{build_all, DEMO_PASSWORD};
use crate::demo_ctrl_c::demo_stops_on_ctrl_c;
use crate::process::{sh, sh_capturing};
use crate::scratch_postgres::SharedPostgres;
use crate::{built_binary, root, setup, target_dir};

#[derive(Default)]
struct Totals {
    passed: u64,
    failed: u64,
    failures: Vec<String>,
}

impl Totals {
    fn suite(&mut self, name: &str, ok: bool, passed: u64, failed: u64) {
        self.passed += passed;
        self.failed += failed;
        if !ok {
            self.failures.push(name.to_owned());
            if failed == 0 {
                self.failed += 1;
            }
        }
    }
}

/// Sums `test result: ok. 12 passed; 0 failed; ...` lines of cargo test.
fn cargo_counts(output: &str) -> (u64, u64) {
    let mut totals = (0, 0);
    for line in output.lines().filter(|line| line.starts_with("test result:")) {
        totals.0 += number_before(line, " passed");
        totals.1 += number_before(line, " failed");
    }
    totals
}

/// Reads Vitest's `Tests  211 passed (211)` line.
fn vitest_counts(output: &str) -> (u64, u64) {
    let line = output
        .lines()
        .map(strip_ansi)
        .find(|line| line.trim_start().starts_with("Tests "))
        .unwrap_or_default();
    (number_before(&line, " passed"), number_before(&line, " failed"))
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn number_before(line: &str, word: &str) -> u64 {
    line.find(word)
        .and_then(|end| {
            line[..end]
                .rsplit(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

pub fn run(args: &[String]) -> Result<()> {
    let skip_e2e = args.iter().any(|arg| arg == "--no-e2e");
    let only_e2e = args.iter().any(|arg| arg == "--only-e2e");
    let started = Instant::now();
    setup::all()?;
    build_all()?;
    let root = root();
    let pdfium = setup::pdfium_library()?.to_string_lossy().into_owned();
    let mut totals = Totals::default();
    if only_e2e {
        let steps = end_to_end(&root)?;
        println!("xtask: {steps} passed, 0 failed");
        return Ok(());
    }
    if args.iter().any(|arg| arg == "--only-install") {
        let checks = installed_packages(&root)?;
        println!("xtask: {checks} passed, 0 failed");
        return Ok(());
    }

    let corpus = hostile_pdf_corpus();
    let corpus_arg = corpus.as_ref().map(|corpus| corpus.to_string_lossy().into_owned());
    // One PostgreSQL cluster for the run: the store's tests and the journeys on PostgreSQL make
    // their databases there.
    let postgres = SharedPostgres::start()?;
    let mut envs = vec![
        ("PHONGHOP_PDFIUM", pdfium.as_str()),
        ("PHONGHOP_TEST_POSTGRES", postgres.url.as_str()),
    ];
    if let Some(corpus) = &corpus_arg {
        // Absolute, so that no test has to guess from its own working folder.
        envs.push(("PHONGHOP_CORPUS", corpus));
    }
    let (ok, output) = sh_capturing(&root, "cargo", &["test", "--workspace", "--no-fail-fast"], &envs)?;
    let (passed, failed) = cargo_counts(&output);
    totals.suite("cargo test", ok, passed, failed);
    let corpus_line = corpus_summary(corpus.as_deref(), &output);

    // The journeys again, each server on a database of its own in the PostgreSQL cluster. The
    // two that copy the SQLite file and its WAL as an attacker would are about that file; the
    // store's tests check the secret-ballot separation on both databases.
    let mut journey_envs = envs.clone();
    journey_envs.push(("PHONGHOP_TEST_STORE", "postgres"));
    let (ok, output) = sh_capturing(
        &root,
        "cargo",
        &[
            "test",
            "-p",
            "phonghop-journeys",
            "--no-fail-fast",
            "--",
            "--skip",
            "nobody_holding_the_servers_files_can_link",
        ],
        &journey_envs,
    )?;
    let (passed, failed) = cargo_counts(&output);
    totals.suite("journeys on PostgreSQL", ok, passed, failed);

    let formatted = sh(&root, "cargo", &["fmt", "--all", "--check"]).is_ok();
    totals.suite("cargo fmt --check", formatted, u64::from(formatted), 0);

    // What the tree may hold (deny.toml): licences, banned crates (OpenSSL, Tauri 3), sources.
    let deny_ok = sh(&root, "cargo", &["deny", "check", "licenses", "bans", "sources"]).is_ok();
    totals.suite("cargo deny check licenses bans sources", deny_ok, u64::from(deny_ok), 0);

    let generated_ok = generated_types_are_committed(&root)?;
    totals.suite(
        "generated TypeScript types are committed",
        generated_ok,
        u64::from(generated_ok),
        0,
    );

    let demo_stops = demo_stops_on_ctrl_c();
    if let Err(error) = &demo_stops {
        eprintln!("Ctrl+C on the demo: {error:#}");
    }
    totals.suite(
        "Ctrl+C stops the demo and its server",
        demo_stops.is_ok(),
        u64::from(demo_stops.is_ok()),
        0,
    );

    let benchmarks = crate::bench::smoke();
    if let Err(error) = &benchmarks {
        eprintln!("benchmark smoke runs: {error:#}");
    }
    totals.suite(
        "benchmark smoke runs",
        benchmarks.is_ok(),
        *benchmarks.as_ref().unwrap_or(&0),
        0,
    );

    let ui = root.join("ui");
    let check_ok = sh(&ui, "npm", &["run", "check"]).is_ok();
    totals.suite("svelte-check", check_ok, u64::from(check_ok), 0);
    let (ok, output) = sh_capturing(&ui, "npm", &["test"], &[])?;
    let (passed, failed) = vitest_counts(&output);
    totals.suite("vitest", ok, passed, failed);

    if skip_e2e {
        eprintln!("end-to-end journey skipped (--no-e2e)");
    } else {
        let (ok, steps) = match end_to_end(&root) {
            Ok(steps) => (true, steps),
            Err(error) => {
                eprintln!("end-to-end journey failed: {error:#}");
                (false, 0)
            }
        };
        totals.suite("end-to-end journey in the real app", ok, steps, 0);
    }

    if args.iter().any(|arg| arg == "--no-install") {
        eprintln!("packages install check skipped (--no-install)");
    } else {
        // Last: it rebuilds the app as Tauri's bundler does, and installs on this machine.
        let (ok, checks) = match installed_packages(&root) {
            Ok(checks) => (true, checks),
            Err(error) => {
                eprintln!("packages install check failed: {error:#}");
                (false, 0)
            }
        };
        totals.suite("packages built, installed with dpkg and run", ok, checks, 0);
    }

    eprintln!("took {:.0} s", started.elapsed().as_secs_f64());
    println!("{corpus_line}");
    if !totals.failures.is_empty() {
        eprintln!("failed: {}", totals.failures.join(", "));
    }
    println!("xtask: {} passed, {} failed", totals.passed, totals.failed);
    if totals.failed > 0 || !totals.failures.is_empty() {
        bail!("some tests failed");
    }
    Ok(())
}

/// The hostile-PDF corpus folder (holding `pdf/`), named by `$PHONGHOP_CORPUS`. It is an extra
/// suite kept outside the repository: a clone runs without it and says so.
fn hostile_pdf_corpus() -> Option<PathBuf> {
    let folder = std::env::var_os("PHONGHOP_CORPUS")?;
    let folder = std::path::absolute(&folder).unwrap_or_else(|_| folder.into());
    Some(folder.canonicalize().unwrap_or(folder))
}

/// Whether the extra suite ran, for the final summary: the corpus was there and cargo test
/// reached the test that reads all of it.
fn corpus_summary(corpus: Option<&Path>, cargo_output: &str) -> String {
    let Some(corpus) = corpus else {
        return "extra suite: hostile-PDF corpus skipped: set PHONGHOP_CORPUS to the folder holding its pdf/".into();
    };
    let pdf = corpus.join("pdf");
    if !pdf.is_dir() {
        return format!(
            "extra suite: hostile-PDF corpus at {} not found: skipped",
            pdf.display()
        );
    }
    let reached = cargo_output
        .lines()
        .any(|line| line.starts_with("test every_hostile_corpus_file_is_indexed_or_refused_for_a_reason "));
    let outcome = if reached {
        "ran"
    } else {
        "found, but cargo test did not reach it"
    };
    format!("extra suite: hostile-PDF corpus at {}: {outcome}", pdf.display())
}

/// `cargo test` regenerates ui/src/lib/protocol (wire types) and ui/src/lib/app-views (the
/// app's views) from Rust; a difference from what is committed means someone changed them
/// without committing the new TypeScript.
fn generated_types_are_committed(root: &Path) -> Result<bool> {
    if !root.join(".git").exists() {
        return Ok(true);
    }
    let output = Command::new("git")
        .args([
            "status",
            "--porcelain",
            "--",
            "ui/src/lib/protocol",
            "ui/src/lib/app-views",
        ])
        .current_dir(root)
        .output()
        .context("running git status")?;
    let changes = String::from_utf8_lossy(&output.stdout).into_owned();
    if !changes.trim().is_empty() {
        eprintln!("generated TypeScript types differ from the committed ones:\n{changes}");
        return Ok(false);
    }
    Ok(true)
}

/// A free X display number.
/// Runs tests/ui-e2e/journey.mjs against the built app and a demo server; returns the number
/// of journey steps that passed.
fn end_to_end(root: &Path) -> Result<u64> {
    let work = target_dir()?.join("ui-e2e");
    let screenshots = work.join("screenshots");
    // The journey drops a Word file here, as a secretariat would.
    let hot_folder = work.join("hot-folder");
    // Over TLS, as in a hall: the app pins the server's certificate at its first login.
    let environment = AppEnvironment::start(&work, Some(&hot_folder), true)?;
    std::fs::create_dir_all(&screenshots)?;
    // The journey kills the server to show the app working on without it.
    let server_pid = environment.server_pid();

    let app = built_binary("phonghop-app")?;
    let screenshots_arg = screenshots.to_string_lossy().into_owned();
    let app_arg = app.to_string_lossy().into_owned();
    let admin_arg = built_binary("phonghop-admin")?.to_string_lossy().into_owned();
    let fingerprint = environment
        .fingerprint
        .clone()
        .context("the TLS server printed no fingerprint")?;
    let certificate = environment
        .certificate
        .clone()
        .context("the TLS server's certificate")?;
    let impostor = environment.impostor.clone().context("the impostor server")?;
    let impostor_fingerprint = environment
        .impostor_fingerprint
        .clone()
        .context("the impostor's fingerprint")?;
    let (ok, output) = sh_capturing(
        &root.join("tests/ui-e2e"),
        "node",
        &["journey.mjs"],
        &[
            ("PHONGHOP_APP", &app_arg),
            ("PHONGHOP_ADMIN", &admin_arg),
            ("PHONGHOP_SERVER_URL", &environment.url),
            ("PHONGHOP_SCREENSHOTS", &screenshots_arg),
            ("PHONGHOP_DELEGATE", "db003"),
            ("PHONGHOP_PASSWORD", DEMO_PASSWORD),
            ("PHONGHOP_SECRETARY", "db002"),
            ("PHONGHOP_CHAIR", "db001"),
            ("PHONGHOP_SERVER_PID", &server_pid),
            ("PHONGHOP_HOT_FOLDER", &hot_folder.to_string_lossy()),
            // phonghop-admin trusts the server by this fingerprint; Node's own HTTPS calls trust
            // the server's certificate alone; the impostor is the other server.
            ("PHONGHOP_FINGERPRINT", &fingerprint),
            ("NODE_EXTRA_CA_CERTS", &certificate.to_string_lossy()),
            ("PHONGHOP_IMPOSTOR_URL", &impostor),
            ("PHONGHOP_IMPOSTOR_FINGERPRINT", &impostor_fingerprint),
        ],
    )?;
    eprintln!("screenshots: {}", screenshots.display());
    if !ok {
        bail!("the journey failed (see above)");
    }
    Ok(output.lines().filter(|line| line.trim_start().starts_with('✔')).count() as u64)
}

/// The packages built, installed with dpkg and run (`installed.rs`); as root only, which
/// `cargo xtask setup` already needs.
fn installed_packages(root: &Path) -> Result<u64> {
    let uid = std::process::Command::new("id").arg("-u").output()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        bail!("installing the packages needs root (run as root, or pass --no-install)");
    }
    crate::installed::check(root)
}
