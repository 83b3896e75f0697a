//! `cargo xtask bench SCENARIO [options]`: builds phonghop in release mode and runs one
//! scenario of `phonghop-bench`, which prints one JSON line per figure, each beside a baseline
//! measured in the same run. `cargo xtask bench all` runs every scenario with its defaults, and
//! [`EXTRA_RUNS`].
//! Besides what `cargo xtask setup` installs, the benchmarks install their own baselines
//! ([`setup::bench_packages`]: nginx), and `cold-start` builds the desktop app in release mode.
//!
//! [`UI_SCENARIOS`] run in the real app instead, driven by a WebdriverIO script under Xvfb
//! (`tests/ui-e2e/bench-*.mjs`, in [`AppEnvironment`]); they print the same JSON lines.
//!
//! [`smoke`] runs each scenario tiny with the debug build, for `cargo xtask test`: it proves the
//! benchmarks work; no test asserts a time.

use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::app_env::AppEnvironment;
use crate::demo::DEMO_PASSWORD;
use crate::process::sh_capturing;
use crate::{root, setup, target_dir};

/// Every scenario, in the order `all` runs them.
pub const SCENARIOS: &[&str] = &[
    "fanout",
    "vote-storm",
    "kill-storm",
    "faults",
    "province",
    "render",
    "doc-sync",
    "cold-start",
];

/// What `all` runs besides every scenario with its defaults: the hall's own size, 34 councillors
/// voting at once, poll after poll.
const EXTRA_RUNS: &[&[&str]] = &[&["vote-storm", "--delegates", "34", "--rounds", "20"]];

/// The scenarios that start the desktop app.
const NEEDS_APP: &[&str] = &["cold-start", "annotation-layer"];

/// Scenarios measured inside the real app's webview, each by its script in `tests/ui-e2e/`. Not
/// in [`smoke`]: they need tauri-driver's port, which the end-to-end journey holds while `test`
/// runs; the journey covers the same reader.
pub const UI_SCENARIOS: &[(&str, &str)] = &[("annotation-layer", "bench-annotation-layer.mjs")];

pub fn run(args: &[String]) -> Result<()> {
    let Some(scenario) = args.first() else {
        let names: Vec<&str> = SCENARIOS
            .iter()
            .copied()
            .chain(UI_SCENARIOS.iter().map(|(name, _)| *name))
            .collect();
        eprintln!("usage: cargo xtask bench <{}|all> [options]", names.join("|"));
        eprintln!("  options go to phonghop-bench: `cargo xtask bench fanout --help` lists them");
        bail!("no scenario");
    };
    setup::all()?;
    setup::bench_packages()?;
    let root = root();
    let runs: Vec<Vec<&str>> = if scenario == "all" {
        let defaults = SCENARIOS
            .iter()
            .chain(UI_SCENARIOS.iter().map(|(name, _)| name))
            .map(|scenario| vec![*scenario]);
        defaults.chain(EXTRA_RUNS.iter().map(|run| run.to_vec())).collect()
    } else {
        vec![args.iter().map(String::as_str).collect()]
    };
    if runs.iter().any(|run| NEEDS_APP.contains(&run[0])) {
        // The app embeds the built UI.
        crate::process::sh(&root.join("ui"), "npm", &["run", "build"])?;
        crate::process::sh(&root, "cargo", &["build", "--release", "-p", "phonghop-app"])?;
    }
    crate::process::sh(
        &root,
        "cargo",
        &[
            "build",
            "--release",
            "-p",
            "phonghop-bench",
            "-p",
            "phonghop-server",
            "-p",
            "phonghop-pdf",
            "--bins",
        ],
    )?;
    let bench = target_dir()?.join("release/phonghop-bench");
    for arguments in runs {
        if let Some((_, script)) = UI_SCENARIOS.iter().find(|(name, _)| *name == arguments[0]) {
            let app = target_dir()?.join("release/phonghop-app");
            run_in_app(&root, script, &app, &[])?;
            continue;
        }
        let (ok, _) = run_bench(&root, &bench, &arguments)?;
        if !ok {
            bail!("phonghop-bench {} failed", arguments.join(" "));
        }
    }
    Ok(())
}

fn run_bench(root: &Path, bench: &Path, arguments: &[&str]) -> Result<(bool, String)> {
    let pdfium = setup::pdfium_library()?.to_string_lossy().into_owned();
    let bench = bench.to_string_lossy().into_owned();
    sh_capturing(root, &bench, arguments, &[("PHONGHOP_PDFIUM", &pdfium)])
}

/// Runs a UI benchmark's script against `app`, a fresh demo server and tauri-driver; its output.
pub fn run_in_app(root: &Path, script: &str, app: &Path, extra: &[(&str, &str)]) -> Result<String> {
    let environment = AppEnvironment::start(&target_dir()?.join("ui-bench"), None, false)?;
    let app = app.to_string_lossy().into_owned();
    let mut variables = vec![
        ("PHONGHOP_APP", app.as_str()),
        ("PHONGHOP_SERVER_URL", environment.url.as_str()),
        ("PHONGHOP_DELEGATE", "db003"),
        ("PHONGHOP_PASSWORD", DEMO_PASSWORD),
    ];
    variables.extend_from_slice(extra);
    let (ok, output) = sh_capturing(&root.join("tests/ui-e2e"), "node", &[script], &variables)?;
    if !ok {
        bail!("{script} failed (see above)");
    }
    Ok(output)
}

/// Runs every scenario with `--smoke` on the debug build; the number of scenarios that ran and
/// printed well-formed figures.
pub fn smoke() -> Result<u64> {
    let root = root();
    let bench = target_dir()?.join("debug/phonghop-bench");
    let mut passed = 0;
    for scenario in SCENARIOS {
        let (ok, output) = run_bench(&root, &bench, &[scenario, "--smoke"])?;
        if !ok {
            bail!("phonghop-bench {scenario} --smoke failed");
        }
        let figures = output
            .lines()
            .map(|line| {
                serde_json::from_str::<serde_json::Value>(line).with_context(|| format!("not a figure: {line}"))
            })
            .collect::<Result<Vec<_>>>()?;
        if figures.is_empty() || figures.iter().any(|figure| figure["phonghop"].as_f64().is_none()) {
            bail!("phonghop-bench {scenario} --smoke printed no usable figure");
        }
        passed += 1;
    }
    Ok(passed)
}
