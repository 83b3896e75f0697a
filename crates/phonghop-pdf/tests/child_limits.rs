//! The parent's guard rails around the indexing child: a child that never answers is killed at the
//! time limit, one that dies or prints nonsense is reported as crashed.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::ensure;
use phonghop_pdf::{index_in_child, ChildLimits, IngestError};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/demo/du-thao-nghi-quyet-v1.pdf"
);
const CHILD: &str = env!("CARGO_BIN_EXE_phonghop-index-pdf");

fn short_limits() -> ChildLimits {
    ChildLimits {
        timeout: Duration::from_millis(300),
        ..ChildLimits::default()
    }
}

#[tokio::test]
async fn silent_child_is_killed_at_the_time_limit() -> anyhow::Result<()> {
    let started = Instant::now();
    // `exec` makes the shell become `sleep`, so killing the child leaves no orphan behind; the PDF
    // path arrives as `$1` and is ignored.
    let outcome = index_in_child(
        Path::new("/bin/sh"),
        &["-c", "exec sleep 30", "sh"],
        Path::new(SAMPLE),
        &short_limits(),
    )
    .await;
    let waited = started.elapsed();
    ensure!(
        matches!(outcome, Err(IngestError::TimedOut(limit)) if limit == Duration::from_millis(300)),
        "{outcome:?}"
    );
    ensure!(waited < Duration::from_secs(10), "returned only after {waited:?}");
    Ok(())
}

#[tokio::test]
async fn child_that_dies_without_a_report_is_crashed() -> anyhow::Result<()> {
    let outcome = index_in_child(
        Path::new("/bin/sh"),
        &["-c", "echo out of memory >&2; kill -9 $$", "sh"],
        Path::new(SAMPLE),
        &ChildLimits::default(),
    )
    .await;
    match outcome {
        Err(IngestError::Crashed(detail)) => {
            ensure!(detail.contains("signal 9"), "{detail}");
            ensure!(detail.contains("out of memory"), "{detail}");
        }
        other => anyhow::bail!("expected Crashed, got {other:?}"),
    }
    let outcome = index_in_child(
        Path::new("/bin/sh"),
        &["-c", "echo not json", "sh"],
        Path::new(SAMPLE),
        &ChildLimits::default(),
    )
    .await;
    ensure!(matches!(outcome, Err(IngestError::Crashed(_))), "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn child_applies_its_memory_limit_to_itself() -> anyhow::Result<()> {
    // 1 MiB of address space leaves no room to map PDFium, so a child that really applied the limit
    // cannot index; the same child with the default limit can. (Seen here: PDFium binds at ~16 MiB,
    // and a PDFium allocation beyond the limit aborts the child with SIGABRT.)
    let starved = ChildLimits {
        memory_bytes: 1 << 20,
        ..ChildLimits::default()
    };
    let outcome = index_in_child(Path::new(CHILD), &[], Path::new(SAMPLE), &starved).await;
    ensure!(
        matches!(outcome, Err(IngestError::Crashed(_) | IngestError::Library(_))),
        "{outcome:?}"
    );
    let generous = index_in_child(Path::new(CHILD), &[], Path::new(SAMPLE), &ChildLimits::default()).await;
    ensure!(matches!(generous, Ok(ref pdf) if pdf.pages.len() == 1), "{generous:?}");
    Ok(())
}

#[tokio::test]
async fn missing_file_is_an_io_error_and_no_child_starts() -> anyhow::Result<()> {
    let outcome = index_in_child(
        Path::new("/nonexistent/program"),
        &[],
        Path::new("/nonexistent/file.pdf"),
        &ChildLimits::default(),
    )
    .await;
    ensure!(
        matches!(outcome, Err(IngestError::Io(ref error)) if error.kind() == std::io::ErrorKind::NotFound),
        "{outcome:?}"
    );
    Ok(())
}
