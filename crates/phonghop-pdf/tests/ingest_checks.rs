//! What the indexing child finds beyond text, through the real child on PDFs written by the test:
//! pages PDFium loads but will not draw, and documents that run PDFium out of memory.

#[path = "support/handmade_pdf.rs"]
mod handmade_pdf;

use std::path::{Path, PathBuf};

use anyhow::{ensure, Context};
use phonghop_pdf::{index_in_child, ChildLimits, IngestError};

const CHILD: &str = env!("CARGO_BIN_EXE_phonghop-index-pdf");

fn write_pdf(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

#[tokio::test]
async fn a_page_pdfium_will_not_draw_is_indexed_and_named_unrenderable() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let pdf = write_pdf(
        dir.path(),
        "trang-hong.pdf",
        &handmade_pdf::with_a_page_pdfium_cannot_draw(),
    )?;
    let indexed = index_in_child(Path::new(CHILD), &[], &pdf, &ChildLimits::default()).await?;
    ensure!(indexed.pages.len() == 3, "{indexed:?}");
    ensure!(indexed.unrenderable_pages == [1], "{:?}", indexed.unrenderable_pages);
    ensure!(indexed.pages[0].text.contains("Trang 1") && indexed.pages[2].text.contains("Trang 3"));
    Ok(())
}

#[tokio::test]
async fn a_document_no_page_of_which_can_be_drawn_is_unreadable() -> anyhow::Result<()> {
    let mut pdf = handmade_pdf::HandmadePdf::new();
    for _ in 0..2 {
        pdf.page(
            "/MediaBox [0 0 595 842] /CropBox [-900 -900 -800 -800]",
            "0 0 m 100 100 l S",
        );
    }
    let dir = tempfile::tempdir()?;
    let path = write_pdf(dir.path(), "khong-ve-duoc.pdf", &pdf.bytes())?;
    let outcome = index_in_child(Path::new(CHILD), &[], &path, &ChildLimits::default()).await;
    ensure!(
        matches!(&outcome, Err(IngestError::Unreadable(detail)) if detail.contains("cannot draw any page")),
        "{outcome:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_document_that_runs_pdfium_out_of_memory_is_too_complex_not_unreadable() -> anyhow::Result<()> {
    // The second page's content inflates to 300 MiB, which PDFium holds whole (twice, briefly)
    // when it loads the page: within the default 1 GiB it reads, within 256 MiB it cannot.
    let dir = tempfile::tempdir()?;
    let path = write_pdf(
        dir.path(),
        "qua-phuc-tap.pdf",
        &handmade_pdf::with_a_page_inflating_to(300),
    )?;
    let generous = index_in_child(Path::new(CHILD), &[], &path, &ChildLimits::default()).await;
    ensure!(matches!(&generous, Ok(pdf) if pdf.pages.len() == 2), "{generous:?}");
    let tight = ChildLimits {
        memory_bytes: 256 << 20,
        ..ChildLimits::default()
    };
    let outcome = index_in_child(Path::new(CHILD), &[], &path, &tight).await;
    ensure!(
        matches!(&outcome, Err(IngestError::TooComplex(detail)) if detail.contains("256 MiB")),
        "{outcome:?}"
    );
    Ok(())
}
