//! `cargo xtask bench SCENARIO [options]`: builds phonghop in release mode and runs one
//! scenario of `phonghop-bench`, which prints one JSON line per figure, each beside a baseline
//! measured in the same run. `cargo xtask bench all` runs every scenario with its defaults, and
//! [`EXTRA_RUNS`].
//! Besides what `cargo xtask setup` installs, the benchmarks install their own baselines
//! ([`setup::bench_packages`]: nginx), and `cold-start` builds the desktop app in release mode.
//!
//! [`smoke`] runs each scenario tiny with the debug build, for `cargo xtask test`: it proves the
//! benchmarks work; no test asserts a time.

use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::process::sh_capturing;
use crate::{root, setup, target_dir};

/// Every scenario, in the order `all` runs them.
pub const SCENARIOS: &[&str] = &["fanout", "vote-storm", "render", "doc-sync", "cold-start"];

/// What `all` runs besides every scenario with its defaults: the hall's own size, 34 councillors
/// voting at once, poll after poll.
const EXTRA_RUNS: &[&[&str]] = &[&["vote-storm", "--delegates", "34", "--rounds", "20"]];

/// The scenarios that start the desktop app.
const NEEDS_APP: &[&str] = &["cold-start"];

pub fn run(args: &[String]) -> Result<()> {
    let Some(scenario) = args.first() else {
        eprintln!("usage: cargo xtask bench <{}|all> [options]", SCENARIOS.join("|"));
        eprintln!("  options go to phonghop-bench: `cargo xtask bench fanout --help` lists them");
        bail!("no scenario");
    };
    setup::all()?;
    setup::bench_packages()?;
    let root = root();
    let runs: Vec<Vec<&str>> = if scenario == "all" {
        let defaults = SCENARIOS.iter().map(|scenario| vec![*scenario]);
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
