//! Real files go through the real indexing child: each must end indexed or refused for a named
//! reason, never hang or take the test down with it.
//!
//! The Vietnamese meeting documents live in the repository (`assets/demo/`, `tests/data/`). The
//! large hostile-PDF corpus (168 files of pdf.js's test suite) is an extra suite: it runs when
//! `PHONGHOP_CORPUS` names the corpus folder or the shared corpus is beside the project, and says
//! plainly that it was skipped otherwise.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use phonghop_pdf::{index_in_child, ChildLimits, IndexedPdf, IngestError};
use tokio::sync::Semaphore;

const REPOSITORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const CHILD: &str = env!("CARGO_BIN_EXE_phonghop-index-pdf");

/// Two at a time, as the machine has two cores.
const PARALLEL_CHILDREN: usize = 2;

/// The hostile-PDF corpus folder, when `$PHONGHOP_CORPUS` names it (kept outside the repository).
fn hostile_corpus() -> Option<PathBuf> {
    let folder = PathBuf::from(std::env::var_os("PHONGHOP_CORPUS")?).join("pdf");
    folder.is_dir().then_some(folder)
}

/// The Vietnamese meeting documents kept in the repository, and two files that are not PDFs.
fn vietnamese_files() -> Vec<PathBuf> {
    let repository = Path::new(REPOSITORY);
    [
        "assets/demo/to-trinh-phong-hop-khong-giay.pdf",
        "assets/demo/du-thao-nghi-quyet-v1.pdf",
        "assets/demo/du-thao-nghi-quyet-v2.pdf",
        "assets/demo/bao-cao-kinh-te-xa-hoi.pdf",
        "assets/demo/dai-bieu.csv",
        "tests/data/giay-moi-hop.docx",
    ]
    .iter()
    .map(|file| repository.join(file))
    .collect()
}

fn files_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|path| path.is_file());
    files.sort();
    Ok(files)
}

fn reason(error: &IngestError) -> &'static str {
    match error {
        IngestError::NotAPdf => "not_a_pdf",
        IngestError::Encrypted => "encrypted",
        IngestError::Unreadable(_) => "unreadable",
        IngestError::TimedOut(_) => "timed_out",
        IngestError::TooComplex(_) => "too_complex",
        IngestError::Crashed(_) => "crashed",
        IngestError::Library(_) => "library",
        IngestError::Io(_) => "io",
    }
}

async fn index_all(files: Vec<PathBuf>) -> anyhow::Result<BTreeMap<String, Result<IndexedPdf, IngestError>>> {
    let limits = ChildLimits {
        timeout: Duration::from_secs(20),
        ..ChildLimits::default()
    };
    let permits = Arc::new(Semaphore::new(PARALLEL_CHILDREN));
    let mut tasks = tokio::task::JoinSet::new();
    for file in files {
        let permits = Arc::clone(&permits);
        let limits = limits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore is never closed");
            let outcome = index_in_child(Path::new(CHILD), &[], &file, &limits).await;
            let name = file
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, outcome)
        });
    }
    let mut outcomes = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (name, outcome) = joined.context("an indexing task panicked")?;
        outcomes.insert(name, outcome);
    }
    Ok(outcomes)
}

fn summarise(
    label: &str,
    outcomes: &BTreeMap<String, Result<IndexedPdf, IngestError>>,
) -> (usize, BTreeMap<&'static str, usize>) {
    let mut indexed = 0;
    let mut with_unrenderable_pages = 0;
    let mut refused: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (name, outcome) in outcomes {
        match outcome {
            Ok(pdf) => {
                assert!(!pdf.pages.is_empty(), "{name} indexed with no pages");
                indexed += 1;
                if !pdf.unrenderable_pages.is_empty() {
                    with_unrenderable_pages += 1;
                    println!(
                        "{label}: {name} has pages PDFium will not draw: {:?} of {}",
                        pdf.unrenderable_pages,
                        pdf.pages.len()
                    );
                }
            }
            Err(error) => {
                *refused.entry(reason(error)).or_default() += 1;
                println!("{label}: refused {name}: {error}");
            }
        }
    }
    println!(
        "{label}: indexed {indexed} ({with_unrenderable_pages} with pages PDFium will not draw), refused {} {refused:?}",
        outcomes.values().filter(|o| o.is_err()).count()
    );
    (indexed, refused)
}

fn text_of(outcomes: &BTreeMap<String, Result<IndexedPdf, IngestError>>, name: &str) -> anyhow::Result<String> {
    match outcomes.get(name) {
        Some(Ok(pdf)) => Ok(pdf
            .pages
            .iter()
            .map(|page| page.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")),
        Some(Err(error)) => anyhow::bail!("{name} was refused: {error}"),
        None => anyhow::bail!("{name} is missing from the corpus"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vietnamese_meeting_documents_index_with_their_text() -> anyhow::Result<()> {
    let vietnamese = index_all(vietnamese_files()).await?;
    summarise("vietnamese", &vietnamese);
    for name in [
        "to-trinh-phong-hop-khong-giay.pdf",
        "du-thao-nghi-quyet-v1.pdf",
        "du-thao-nghi-quyet-v2.pdf",
        "bao-cao-kinh-te-xa-hoi.pdf",
    ] {
        ensure!(
            matches!(vietnamese.get(name), Some(Ok(_))),
            "{name}: {:?}",
            vietnamese.get(name)
        );
    }
    for (name, outcome) in &vietnamese {
        if let Ok(pdf) = outcome {
            ensure!(
                pdf.unrenderable_pages.is_empty(),
                "{name}: pages {:?} found undrawable",
                pdf.unrenderable_pages
            );
        }
    }
    match vietnamese.get("bao-cao-kinh-te-xa-hoi.pdf") {
        Some(Ok(report)) => ensure!(report.pages.len() == 460, "report has {} pages", report.pages.len()),
        other => anyhow::bail!("report not indexed: {other:?}"),
    }
    for name in ["giay-moi-hop.docx", "dai-bieu.csv"] {
        ensure!(
            matches!(vietnamese.get(name), Some(Err(IngestError::NotAPdf))),
            "{name}: {:?}",
            vietnamese.get(name)
        );
    }
    let to_trinh = text_of(&vietnamese, "to-trinh-phong-hop-khong-giay.pdf")?;
    ensure!(to_trinh.contains("Phòng họp không giấy"), "to trinh text: {to_trinh}");
    ensure!(
        to_trinh.contains("Hội đồng nhân dân thành phố Thái Nguyên"),
        "to trinh text: {to_trinh}"
    );
    ensure!(text_of(&vietnamese, "du-thao-nghi-quyet-v2.pdf")?.contains("Điều 4"));
    ensure!(!text_of(&vietnamese, "du-thao-nghi-quyet-v1.pdf")?.contains("Điều 4"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_corpus_file_is_indexed_or_refused_for_a_reason() -> anyhow::Result<()> {
    let Some(corpus) = hostile_corpus() else {
        println!("SKIPPED: the hostile-PDF corpus is not on this machine (set PHONGHOP_CORPUS to its folder)");
        return Ok(());
    };
    let started = Instant::now();
    let pdfjs = index_all(files_in(&corpus)?).await?;
    let (pdfjs_indexed, pdfjs_refused) = summarise("corpus/pdf", &pdfjs);
    println!("indexed the hostile corpus in {:?}", started.elapsed());
    ensure!(pdfjs.len() >= 160, "the corpus has only {} files", pdfjs.len());

    // These three need a user password (pdfinfo: "Incorrect password"); the other encrypted files of
    // the corpus have an empty user password and must index.
    for name in ["issue21579.pdf", "issue3371.pdf", "issue6010_1.pdf"] {
        ensure!(
            matches!(pdfjs.get(name), Some(Err(IngestError::Encrypted))),
            "{name}: {:?}",
            pdfjs.get(name)
        );
    }
    for name in ["bug1815476.pdf", "bug900822.pdf", "issue17215.pdf"] {
        ensure!(matches!(pdfjs.get(name), Some(Ok(_))), "{name}: {:?}", pdfjs.get(name));
    }
    ensure!(
        pdfjs_indexed >= 140,
        "only {pdfjs_indexed} of corpus/pdf indexed: {pdfjs_refused:?}"
    );
    for broken in ["timed_out", "crashed", "library", "io"] {
        ensure!(
            !pdfjs_refused.contains_key(broken),
            "some files ended {broken}: {pdfjs_refused:?}"
        );
    }
    Ok(())
}
