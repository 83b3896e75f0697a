//! `render`: how fast a document's pages reach the webview. Through the desktop app's own page
//! server ([`phonghop_pdf::PageServer`], what its `phonghop://` handler calls), each page copied
//! into a response body as the handler does: the first page of a document the server never opened
//! (median of fresh servers; callgrind counts the same instructions for the first trial and the
//! later ones, so the process having opened the file before does not flatter them), and pages per
//! second for a reader paging through the document one page after another. Beside them, in the same run: pdf.js in Node drawing to a canvas (no
//! encoding) and `mutool draw` (see [`crate::renderers`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use phonghop_pdf::{PageServer, PageServerOptions};

use crate::renderers::{mutool, pdfjs, Measured};
use crate::report::{millis, percentile, round, Better, Figure};

/// The 460-page report of the demo meeting.
const REPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/demo/bao-cao-kinh-te-xa-hoi.pdf"
);
/// Shown before the measured document, so threads, PDFium and its fonts are up as in an app that
/// has shown a document before; pdf.js gets the same warm-up.
pub const WARM_UP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/demo/du-thao-nghi-quyet-v1.pdf"
);

#[derive(clap::Args, Clone)]
pub struct Options {
    /// The PDF to page through (the repository's 460-page report by default).
    file: Option<PathBuf>,
    /// Page width in pixels (1240 is an A4 page at 150 DPI).
    #[arg(long, default_value_t = 1240)]
    width: u32,
    /// Pages to page through, from the first (all by default).
    #[arg(long)]
    pages: Option<u32>,
    /// Fresh page servers timed on the first page; the median is reported (every one is in the
    /// parameters: on a shared 2-core machine single trials swing from 6 to 40 ms).
    #[arg(long, default_value_t = 11)]
    trials: usize,
    /// Pages the server renders ahead of the reader (the app's default when not given).
    #[arg(long)]
    render_ahead: Option<u32>,
    /// Encoder threads (the app's default when not given).
    #[arg(long)]
    encoders: Option<usize>,
    /// A tiny run that only proves the scenario works.
    #[arg(long)]
    smoke: bool,
}

/// What phonghop measured.
struct Phonghop {
    first_page: Vec<Duration>,
    paging: Duration,
    bytes: usize,
    /// The process's peak resident memory after paging, before the first-page trials.
    peak_resident_mib: Option<f64>,
    /// While paging: pages asked and found in the cache, pages rendered ahead, pages rendered.
    from_cache: u64,
    rendered_ahead: u64,
    rendered: u64,
    /// While paging: the render thread's busy time, and the encoders' summed.
    rendering: Duration,
    encoding: Duration,
}

pub async fn run(mut options: Options) -> Result<()> {
    let file = options.file.clone().unwrap_or_else(|| PathBuf::from(REPORT));
    let count = PageServer::start()?
        .page_count(&file)
        .await
        .with_context(|| format!("counting the pages of {}", file.display()))?;
    let mut pages = options.pages.unwrap_or(count).clamp(1, count);
    if options.smoke {
        pages = pages.min(5);
        options.trials = 1;
    }
    let trials = options.trials.max(1);
    let width = options.width;

    let defaults = PageServerOptions::default();
    let server_options = PageServerOptions {
        render_ahead: options.render_ahead.unwrap_or(defaults.render_ahead),
        encoders: options.encoders.unwrap_or(defaults.encoders),
        ..defaults
    };

    let phonghop = measure_phonghop(&file, width, pages, trials, &server_options)
        .await
        .context("phonghop")?;
    let pdfjs = pdfjs(&file, width, pages).await.context("the pdf.js baseline")?;
    let mutool = mutool(&file, width, pages, trials)
        .await
        .context("the mutool baseline")?;

    let rendered = phonghop.rendered.max(1) as f64;
    let parameters = serde_json::json!({
        "file": file.file_name().map(|name| name.to_string_lossy().into_owned()),
        "width": width,
        "pages": pages,
        "first_page_trials": trials,
        "first_page_trials_ms": phonghop.first_page.iter().copied().map(millis).collect::<Vec<_>>(),
        "asked_from_cache": phonghop.from_cache,
        "rendered_ahead": phonghop.rendered_ahead,
        "average_image_bytes": phonghop.bytes / pages as usize,
        "render_thread_busy": round(phonghop.rendering.as_secs_f64() / phonghop.paging.as_secs_f64(), 3),
        "render_ms_per_page": round(phonghop.rendering.as_secs_f64() * 1000.0 / rendered, 3),
        "encode_ms_per_page": round(phonghop.encoding.as_secs_f64() * 1000.0 / rendered, 3),
        "peak_resident_mib_paging": phonghop.peak_resident_mib,
        "encoders": server_options.encoders,
        "render_ahead": server_options.render_ahead,
    });

    let per_second = round(f64::from(pages) / phonghop.paging.as_secs_f64(), 1);
    let paging = |baseline: &Measured| baseline.pages_per_second;
    figures(
        Figure::new(
            "render",
            format!("pages delivered per second, paging through {pages} pages at {width} px"),
            "pages/s",
            Better::Higher,
            per_second,
        )
        .with(parameters.clone()),
        "≥ 2 × pdf.js",
        [(&pdfjs, paging(&pdfjs)), (&mutool, paging(&mutool))],
    );
    let first_page = millis(percentile(&phonghop.first_page, 50.0));
    figures(
        Figure::new(
            "render",
            format!("first page at {width} px, open → image (median)"),
            "ms",
            Better::Lower,
            first_page,
        )
        .with(parameters),
        "≤ 15 ms",
        [
            (&mutool, mutool.first_page.map(millis)),
            (&pdfjs, pdfjs.first_page.map(millis)),
        ],
    );
    Ok(())
}

/// Prints `figure` once beside each baseline that ran (the goal on the first line), or alone when
/// none did.
fn figures<const N: usize>(figure: Figure, goal: &'static str, baselines: [(&Measured, Option<f64>); N]) {
    let ran: Vec<(&'static str, f64)> = baselines
        .iter()
        .filter_map(|(baseline, value)| Some((baseline.name, (*value)?)))
        .collect();
    if ran.is_empty() {
        figure.goal(goal).print();
        return;
    }
    for (number, (name, value)) in ran.into_iter().enumerate() {
        let line = figure.clone().beside(name, value);
        if number == 0 {
            line.goal(goal).print();
        } else {
            line.print();
        }
    }
}

async fn measure_phonghop(
    file: &Path,
    width: u32,
    pages: u32,
    trials: usize,
    options: &PageServerOptions,
) -> Result<Phonghop> {
    // Paging first, so that the peak resident memory read after it is one page server's.
    let server = warm_server(width, options).await?;
    let before = server.stats();
    let mut bytes = 0;
    let started = Instant::now();
    for index in 0..pages {
        bytes += respond(&server, file, index, width).await?.len();
    }
    let paging = started.elapsed();
    let after = server.stats();
    let peak_resident_mib = peak_resident_mib();
    drop(server);

    let mut first_page = Vec::with_capacity(trials);
    for _ in 0..trials {
        let server = warm_server(width, options).await?;
        let started = Instant::now();
        let body = respond(&server, file, 0, width).await?;
        first_page.push(started.elapsed());
        std::hint::black_box(body);
    }
    Ok(Phonghop {
        first_page,
        paging,
        bytes,
        peak_resident_mib,
        from_cache: after.from_cache - before.from_cache,
        rendered_ahead: after.rendered_ahead - before.rendered_ahead,
        rendered: after.rendered - before.rendered,
        rendering: after.rendering - before.rendering,
        encoding: after.encoding - before.encoding,
    })
}

/// A new page server that has shown another document and finished rendering ahead.
async fn warm_server(width: u32, options: &PageServerOptions) -> Result<PageServer> {
    let server = PageServer::start_with(options.clone())?;
    respond(&server, Path::new(WARM_UP), 0, width)
        .await
        .context("the warm-up document")?;
    server.idle().await;
    Ok(server)
}

/// A page as the app's `phonghop://` handler answers it: the image copied into the response body.
async fn respond(server: &PageServer, file: &Path, index: u32, width: u32) -> Result<Vec<u8>> {
    let image = server
        .page(file, index, width)
        .await
        .with_context(|| format!("page {index} of {}", file.display()))?;
    Ok(image.bytes.to_vec())
}

/// This process's peak resident memory (`VmHWM`): with one page server paging through hundreds
/// of pages, evidence that the cache and the bitmap pool keep memory bounded.
fn peak_resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(round(kib / 1024.0, 1))
}
