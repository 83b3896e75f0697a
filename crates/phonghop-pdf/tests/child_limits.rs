//! The parent's guard rails around the indexing child: a child that never answers is killed at the
//! time limit, one that runs out of memory is told apart from one that dies otherwise or prints
//! nonsense.

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

/// Runs a shell script as the indexing child (the PDF path arrives as `$1` and is ignored).
async fn index_with_script(script: &str) -> Result<phonghop_pdf::IndexedPdf, IngestError> {
    index_in_child(
        Path::new("/bin/sh"),
        &["-c", script, "sh"],
        Path::new(SAMPLE),
        &ChildLimits::default(),
    )
    .await
}

#[tokio::test]
async fn child_that_dies_without_a_report_is_crashed() -> anyhow::Result<()> {
    let outcome = index_with_script("echo segmentation fault in the reader >&2; kill -9 $$").await;
    match outcome {
        Err(IngestError::Crashed(detail)) => {
            ensure!(detail.contains("signal 9"), "{detail}");
            ensure!(detail.contains("segmentation fault in the reader"), "{detail}");
        }
        other => anyhow::bail!("expected Crashed, got {other:?}"),
    }
    let outcome = index_with_script("echo not json").await;
    ensure!(matches!(outcome, Err(IngestError::Crashed(_))), "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn a_child_dying_of_a_failed_allocation_is_too_complex_and_other_deaths_are_crashes() -> anyhow::Result<()> {
    // How each kind of death looks to the parent: PDFium aborts silently when an allocation
    // fails; Rust and libc++ say so before aborting; glibc's heap checks say what they found.
    let cases = [
        ("kill -ABRT $$", true),
        (
            "echo 'memory allocation of 1073741824 bytes failed' >&2; kill -ABRT $$",
            true,
        ),
        (
            "echo 'terminate called after throwing std::bad_alloc' >&2; kill -ABRT $$",
            true,
        ),
        ("echo 'Out of memory' >&2; exit 1", true),
        ("echo 'free(): invalid pointer' >&2; kill -ABRT $$", false),
        ("kill -SEGV $$", false),
        ("kill -TRAP $$", false),
        ("exit 3", false),
    ];
    for (script, out_of_memory) in cases {
        let outcome = index_with_script(script).await;
        let as_expected = match &outcome {
            Err(IngestError::TooComplex(detail)) => out_of_memory && detail.contains("1024 MiB"),
            Err(IngestError::Crashed(_)) => !out_of_memory,
            _ => false,
        };
        ensure!(as_expected, "{script}: {outcome:?}");
    }
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
        matches!(
            outcome,
            Err(IngestError::Crashed(_) | IngestError::Library(_) | IngestError::TooComplex(_))
        ),
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
