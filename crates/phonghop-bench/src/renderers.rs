//! The render benchmark's baselines, run as child processes in the same run: pdf.js 5 in Node
//! drawing each page to a canvas (`js/render-pdfjs.mjs`, no encoding: what a browser viewer does)
//! and `mutool draw` (MuPDF, the fastest renderer on this machine). A baseline that is not
//! installed is skipped with a note on stderr, and phonghop's figures print alone.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tokio::process::Command;

use crate::render::WARM_UP;
use crate::report::percentile;

/// The pdf.js script and its `package.json`, `npm ci`-ed by `cargo xtask bench`.
const JS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/js");

/// Far longer than either baseline takes on the 460-page report (seconds), but a hung child must
/// not hang the benchmark.
const CHILD_TIMEOUT: Duration = Duration::from_secs(900);

/// What a baseline measured; `None` where it did not run.
#[derive(Debug)]
pub struct Measured {
    pub name: &'static str,
    pub first_page: Option<Duration>,
    pub pages_per_second: Option<f64>,
}

impl Measured {
    fn skipped(name: &'static str, why: &str) -> Measured {
        eprintln!("render: {name} skipped: {why}");
        Measured {
            name,
            first_page: None,
            pages_per_second: None,
        }
    }
}

/// pdf.js draws page 1 after a warm-up document (its first-page latency, from reading the file),
/// then pages 1..=`pages` one after another (pages per second).
pub async fn pdfjs(file: &Path, width: u32, pages: u32) -> Result<Measured> {
    let name = "pdf.js 5 in Node drawing to a canvas";
    let js = Path::new(JS_DIR);
    if !js.join("node_modules/pdfjs-dist").is_dir() {
        return Ok(Measured::skipped(
            name,
            &format!(
                "{} has no node_modules (`npm ci` there; cargo xtask bench does)",
                js.display()
            ),
        ));
    }
    let mut command = Command::new("node");
    command
        .arg(js.join("render-pdfjs.mjs"))
        .arg(file)
        .args([
            "--width",
            &width.to_string(),
            "--pages",
            &pages.to_string(),
            "--warm-up",
            WARM_UP,
        ])
        .current_dir(js);
    let Some(stdout) = run(&mut command).await? else {
        return Ok(Measured::skipped(name, "node is not installed"));
    };
    let line = stdout
        .lines()
        .rev()
        .find(|line| line.starts_with('{'))
        .context("render-pdfjs.mjs printed no JSON line")?;
    let report: serde_json::Value =
        serde_json::from_str(line).with_context(|| format!("render-pdfjs.mjs printed {line}"))?;
    let first_page_ms = report["first_page_ms"]
        .as_f64()
        .context("render-pdfjs.mjs gave no first_page_ms")?;
    let per_second = report["pages_per_second"]
        .as_f64()
        .context("render-pdfjs.mjs gave no pages_per_second")?;
    Ok(Measured {
        name,
        first_page: Some(Duration::from_secs_f64(first_page_ms / 1000.0)),
        pages_per_second: Some(per_second),
    })
}

/// `mutool draw -w WIDTH -F pnm -o /dev/null`: pages per second drawing pages 1..=`pages` in one
/// process, and the first page as a new process each time (median of `trials`), which is how a
/// viewer built on the command would open a document.
pub async fn mutool(file: &Path, width: u32, pages: u32, trials: usize) -> Result<Measured> {
    let name = "mutool draw (MuPDF) to PNM";
    let draw = |range: String| {
        let mut command = Command::new("mutool");
        command
            .args(["draw", "-q", "-w", &width.to_string(), "-F", "pnm", "-o", "/dev/null"])
            .arg(file)
            .arg(range);
        command
    };
    let started = Instant::now();
    if run(&mut draw(format!("1-{pages}"))).await?.is_none() {
        return Ok(Measured::skipped(name, "mutool is not installed (Debian: mupdf-tools)"));
    }
    let per_second = f64::from(pages) / started.elapsed().as_secs_f64();
    let mut first_page = Vec::with_capacity(trials);
    for _ in 0..trials {
        let started = Instant::now();
        run(&mut draw("1".to_owned())).await?;
        first_page.push(started.elapsed());
    }
    Ok(Measured {
        name,
        first_page: Some(percentile(&first_page, 50.0)),
        pages_per_second: Some(per_second),
    })
}

/// Runs `command` to its end and returns its stdout; `None` when the program is not installed.
async fn run(command: &mut Command) -> Result<Option<String>> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let shown = format!("{:?}", command.as_std());
    let output = match tokio::time::timeout(CHILD_TIMEOUT, command.output()).await {
        Err(_) => bail!("{shown} ran past {CHILD_TIMEOUT:?}"),
        Ok(Err(error)) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Ok(outcome) => outcome.with_context(|| format!("starting {shown}"))?,
    };
    if !output.status.success() {
        bail!(
            "{shown} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(Some(String::from_utf8_lossy(&output.stdout).into_owned()))
}
