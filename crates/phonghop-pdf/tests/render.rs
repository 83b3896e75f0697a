//! The desktop renderer against a real Vietnamese draft resolution: size, content, page bounds.

use std::path::PathBuf;

use anyhow::{ensure, Context};
use phonghop_pdf::{PageRenderer, PdfError};

const DRAFT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/demo/du-thao-nghi-quyet-v1.pdf"
);
const REPORT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../assets/demo/bao-cao-kinh-te-xa-hoi.pdf"
);

fn decode(png: &[u8]) -> anyhow::Result<image::RgbImage> {
    Ok(image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .context("decoding the PNG")?
        .to_rgb8())
}

#[tokio::test]
async fn first_page_renders_at_the_requested_width_with_ink() -> anyhow::Result<()> {
    let renderer = PageRenderer::start()?;
    let png = renderer.render_png(PathBuf::from(DRAFT), 0, 800).await?;
    let page = decode(&png)?;
    ensure!(page.width() == 800, "width {}", page.width());
    // A4 portrait: 800 * 841.89 / 595.28 ≈ 1131.
    ensure!((1125..=1137).contains(&page.height()), "height {}", page.height());
    let dark = page
        .pixels()
        .filter(|pixel| pixel.0.iter().all(|&channel| channel < 128))
        .count();
    ensure!(dark > 1000, "only {dark} dark pixels: the page came out blank");
    let corner = page.get_pixel(0, 0).0;
    ensure!(corner == [255, 255, 255], "background is {corner:?}, not white");
    Ok(())
}

/// A one-page PDF (200 x 100 pt) whose left half is pure red and right half pure blue, with a correct
/// cross-reference table so no repair path is involved.
fn red_and_blue_pdf() -> Vec<u8> {
    let content = "1 0 0 rg 0 0 100 100 re f 0 0 1 rg 100 0 100 100 re f";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (number, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", number + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[tokio::test]
async fn colours_keep_their_channel_order() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("do-xanh.pdf");
    std::fs::write(&path, red_and_blue_pdf())?;
    let renderer = PageRenderer::start()?;
    let page = decode(&renderer.render_png(path, 0, 200).await?)?;
    ensure!(page.dimensions() == (200, 100), "{:?}", page.dimensions());
    ensure!(
        page.get_pixel(50, 50).0 == [255, 0, 0],
        "left is {:?}",
        page.get_pixel(50, 50).0
    );
    ensure!(
        page.get_pixel(150, 50).0 == [0, 0, 255],
        "right is {:?}",
        page.get_pixel(150, 50).0
    );
    Ok(())
}

#[tokio::test]
async fn document_revised_under_the_same_path_is_reopened() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("du-thao.pdf");
    std::fs::write(&path, red_and_blue_pdf())?;
    let renderer = PageRenderer::start()?;
    ensure!(renderer.page_count(path.clone()).await? == 1);
    std::fs::copy(REPORT, &path)?;
    ensure!(
        renderer.page_count(path.clone()).await? == 460,
        "the old revision was served"
    );
    Ok(())
}

#[tokio::test]
async fn page_outside_the_document_is_no_such_page() -> anyhow::Result<()> {
    let renderer = PageRenderer::start()?;
    let outcome = renderer.render_png(PathBuf::from(DRAFT), 1, 800).await;
    ensure!(
        matches!(outcome, Err(PdfError::NoSuchPage { index: 1, count: 1 })),
        "{outcome:?}"
    );
    let outcome = renderer.render_png(PathBuf::from(DRAFT), u32::MAX, 800).await;
    ensure!(
        matches!(outcome, Err(PdfError::NoSuchPage { count: 1, .. })),
        "{outcome:?}"
    );
    Ok(())
}

#[tokio::test]
async fn page_count_follows_the_document_asked_about() -> anyhow::Result<()> {
    let renderer = PageRenderer::start()?;
    ensure!(renderer.page_count(PathBuf::from(DRAFT)).await? == 1);
    ensure!(renderer.page_count(PathBuf::from(REPORT)).await? == 460);
    let last = decode(&renderer.render_png(PathBuf::from(REPORT), 459, 10_000).await?)?;
    ensure!(
        last.width() == phonghop_pdf::MAX_WIDTH_PX,
        "width {} was not clamped",
        last.width()
    );
    let tiny = decode(&renderer.render_png(PathBuf::from(DRAFT), 0, 1).await?)?;
    ensure!(
        tiny.width() == phonghop_pdf::MIN_WIDTH_PX,
        "width {} was not clamped",
        tiny.width()
    );
    Ok(())
}

#[tokio::test]
async fn unopenable_file_is_an_open_error() -> anyhow::Result<()> {
    let renderer = PageRenderer::start()?;
    let missing = renderer.page_count(PathBuf::from("/nonexistent/file.pdf")).await;
    ensure!(matches!(missing, Err(PdfError::Open(_))), "{missing:?}");
    let not_pdf = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo/dai-bieu.csv"));
    let outcome = renderer.render_png(not_pdf, 0, 800).await;
    ensure!(matches!(outcome, Err(PdfError::Open(_))), "{outcome:?}");
    // The renderer keeps working after a failure.
    ensure!(renderer.page_count(PathBuf::from(DRAFT)).await? == 1);
    Ok(())
}
