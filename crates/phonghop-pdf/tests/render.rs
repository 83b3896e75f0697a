//! The page server against real documents (a Vietnamese draft resolution, the 460-page report, and
//! small PDFs written here): size, content, channel order, page bounds, the cache, render-ahead,
//! the errors the app turns into a placeholder, and the text layer (the same words as the indexed
//! text, in boxes that sit on the printed letters).

// Only the builder is used here; the ready-made odd files are for the ingest tests.
#[path = "support/demo_files.rs"]
mod demo_files;
#[allow(dead_code)]
#[path = "support/handmade_pdf.rs"]
mod handmade_pdf;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{ensure, Context};
use demo_files::{DRAFT, REPORT};
use handmade_pdf::HandmadePdf;
use phonghop_pdf::{index_file, PageImage, PageServer, PageServerOptions, PdfError};

/// Generous: render-ahead of a few pages takes milliseconds, but test machines are shared.
const PATIENCE: Duration = Duration::from_secs(30);

fn decode(page: &PageImage) -> anyhow::Result<image::RgbImage> {
    ensure!(PageImage::CONTENT_TYPE == "image/png");
    let decoded = image::load_from_memory_with_format(&page.bytes, image::ImageFormat::Png)
        .context("decoding the PNG")?
        .to_rgb8();
    ensure!(
        decoded.dimensions() == (page.width, page.height),
        "the image is {:?} but the page says {}x{}",
        decoded.dimensions(),
        page.width,
        page.height
    );
    Ok(decoded)
}

fn dark_pixels(page: &image::RgbImage) -> usize {
    page.pixels()
        .filter(|pixel| pixel.0.iter().all(|&channel| channel < 128))
        .count()
}

async fn settle(server: &PageServer) -> anyhow::Result<()> {
    tokio::time::timeout(PATIENCE, server.idle())
        .await
        .context("the page server did not become idle")
}

fn without_render_ahead() -> PageServerOptions {
    PageServerOptions {
        render_ahead: 0,
        ..PageServerOptions::default()
    }
}

#[tokio::test]
async fn first_page_renders_at_the_requested_width_with_ink() -> anyhow::Result<()> {
    let server = PageServer::start()?;
    let page = decode(&server.page(Path::new(DRAFT), 0, 800).await?)?;
    ensure!(page.width() == 800, "width {}", page.width());
    // A4 portrait: 800 * 841.89 / 595.28 ≈ 1131.
    ensure!((1125..=1137).contains(&page.height()), "height {}", page.height());
    let dark = dark_pixels(&page);
    ensure!(dark > 1000, "only {dark} dark pixels: the page came out blank");
    let corner = page.get_pixel(0, 0).0;
    ensure!(corner == [255, 255, 255], "background is {corner:?}, not white");
    Ok(())
}

#[tokio::test]
async fn each_page_of_the_report_is_its_own_page_at_each_width() -> anyhow::Result<()> {
    let server = PageServer::start()?;
    let report = Path::new(REPORT);
    let first = decode(&server.page(report, 0, 620).await?)?;
    let second = decode(&server.page(report, 1, 620).await?)?;
    let first_wide = decode(&server.page(report, 0, 1240).await?)?;
    ensure!(first.dimensions() == (620, 877), "{:?}", first.dimensions());
    ensure!(first_wide.dimensions() == (1240, 1754), "{:?}", first_wide.dimensions());
    ensure!(first != second, "pages 1 and 2 came out the same");
    // The wide rendering is the same page: scaled down, it is close to the narrow one.
    let scaled = image::imageops::resize(&first_wide, 620, 877, image::imageops::FilterType::Triangle);
    let differing = scaled
        .pixels()
        .zip(first.pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0.iter()).any(|(x, y)| x.abs_diff(*y) > 96))
        .count();
    ensure!(
        differing < 620 * 877 / 50,
        "{differing} pixels differ between the two widths of page 1"
    );
    Ok(())
}

/// One page (200 x 100 pt) whose left half is pure red and right half pure blue.
fn red_and_blue_pdf() -> Vec<u8> {
    HandmadePdf::new()
        .page(
            "/MediaBox [0 0 200 100]",
            "1 0 0 rg 0 0 100 100 re f 0 0 1 rg 100 0 100 100 re f",
        )
        .bytes()
}

fn write_pdf(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

#[tokio::test]
async fn colours_keep_their_channel_order() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = write_pdf(dir.path(), "do-xanh.pdf", &red_and_blue_pdf())?;
    let server = PageServer::start()?;
    let page = decode(&server.page(&path, 0, 200).await?)?;
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
    let path = write_pdf(dir.path(), "du-thao.pdf", &red_and_blue_pdf())?;
    let server = PageServer::start()?;
    ensure!(server.page_count(&path).await? == 1);
    let before = decode(&server.page(&path, 0, 200).await?)?;
    std::fs::copy(REPORT, &path)?;
    ensure!(server.page_count(&path).await? == 460, "the old revision was counted");
    let after = decode(&server.page(&path, 0, 200).await?)?;
    ensure!(
        after.dimensions() != before.dimensions(),
        "the old revision's page came from the cache"
    );
    Ok(())
}

#[tokio::test]
async fn page_outside_the_document_is_no_such_page() -> anyhow::Result<()> {
    let server = PageServer::start()?;
    let draft = Path::new(DRAFT);
    let outcome = server.page(draft, 1, 800).await;
    ensure!(
        matches!(outcome, Err(PdfError::NoSuchPage { index: 1, count: 1 })),
        "{outcome:?}"
    );
    // Asked again once the count is known, it is refused without the render thread.
    let outcome = server.page(draft, u32::MAX, 800).await;
    ensure!(
        matches!(outcome, Err(PdfError::NoSuchPage { count: 1, .. })),
        "{outcome:?}"
    );
    Ok(())
}

#[tokio::test]
async fn page_count_follows_the_document_asked_about_and_widths_are_clamped() -> anyhow::Result<()> {
    let server = PageServer::start()?;
    ensure!(server.page_count(Path::new(DRAFT)).await? == 1);
    ensure!(server.page_count(Path::new(REPORT)).await? == 460);
    let last = server.page(Path::new(REPORT), 459, 10_000).await?;
    ensure!(
        last.width == phonghop_pdf::MAX_WIDTH_PX,
        "width {} was not clamped",
        last.width
    );
    let tiny = decode(&server.page(Path::new(DRAFT), 0, 1).await?)?;
    ensure!(
        tiny.width() == phonghop_pdf::MIN_WIDTH_PX,
        "width {} was not clamped",
        tiny.width()
    );
    Ok(())
}

#[tokio::test]
async fn unopenable_file_is_an_open_error_and_the_server_goes_on() -> anyhow::Result<()> {
    let server = PageServer::start()?;
    let missing = server.page_count(Path::new("/nonexistent/file.pdf")).await;
    ensure!(matches!(missing, Err(PdfError::Open(_))), "{missing:?}");
    let not_pdf = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo/dai-bieu.csv"));
    let outcome = server.page(&not_pdf, 0, 800).await;
    ensure!(matches!(outcome, Err(PdfError::Open(_))), "{outcome:?}");
    ensure!(server.page_count(Path::new(DRAFT)).await? == 1);
    Ok(())
}

#[tokio::test]
async fn a_page_pdfium_cannot_load_is_a_render_error_and_its_neighbours_still_render() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // The second kid of the page tree is the number 42, not a page.
    let mut pdf = HandmadePdf::new();
    let page = pdf.object(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>");
    let number = pdf.object(b"42");
    let pdf = pdf.kid(page).kid(number).bytes();
    let path = write_pdf(dir.path(), "hong.pdf", &pdf)?;
    let server = PageServer::start_with(without_render_ahead())?;
    ensure!(server.page_count(&path).await? == 2);
    let outcome = server.page(&path, 1, 200).await;
    ensure!(matches!(outcome, Err(PdfError::Render(_))), "{outcome:?}");
    let good = decode(&server.page(&path, 0, 200).await?)?;
    ensure!(good.get_pixel(100, 50).0 == [255, 255, 255]);
    // The failure was not cached: asked again, it is rendered (and fails) again.
    let again = server.page(&path, 1, 200).await;
    ensure!(matches!(again, Err(PdfError::Render(_))), "{again:?}");
    ensure!(server.stats().from_cache == 0);
    Ok(())
}

#[tokio::test]
async fn a_page_asked_again_comes_from_the_cache_with_the_same_bytes() -> anyhow::Result<()> {
    let server = PageServer::start_with(without_render_ahead())?;
    let first = server.page(Path::new(REPORT), 7, 1240).await?;
    let again = server.page(Path::new(REPORT), 7, 1240).await?;
    let stats = server.stats();
    ensure!(stats.rendered == 1, "{stats:?}");
    ensure!((stats.asked, stats.from_cache) == (2, 1), "{stats:?}");
    ensure!(again.bytes.as_ptr() == first.bytes.as_ptr(), "not the cached bytes");
    let other_width = server.page(Path::new(REPORT), 7, 620).await?;
    ensure!(other_width.width == 620 && server.stats().rendered == 2);
    Ok(())
}

#[tokio::test]
async fn the_same_page_asked_at_once_is_rendered_once() -> anyhow::Result<()> {
    let server = PageServer::start_with(without_render_ahead())?;
    let report = Path::new(REPORT);
    let (a, b, c) = tokio::join!(
        server.page(report, 3, 800),
        server.page(report, 3, 800),
        server.page(report, 3, 800)
    );
    let (a, b, c) = (a?, b?, c?);
    ensure!(a.bytes == b.bytes && b.bytes == c.bytes);
    ensure!(server.stats().rendered == 1, "{:?}", server.stats());
    Ok(())
}

#[tokio::test]
async fn render_ahead_makes_the_next_page_come_from_the_cache() -> anyhow::Result<()> {
    let server = PageServer::start_with(PageServerOptions {
        render_ahead: 2,
        ..PageServerOptions::default()
    })?;
    let report = Path::new(REPORT);
    server.page(report, 10, 1240).await?;
    settle(&server).await?;
    let stats = server.stats();
    ensure!(stats.rendered_ahead == 2, "{stats:?}");
    let next = decode(&server.page(report, 11, 1240).await?)?;
    ensure!(dark_pixels(&next) > 100, "page 12 came out blank");
    server.page(report, 12, 1240).await?;
    let stats = server.stats();
    ensure!(stats.from_cache == 2, "pages 12 and 13 were not ready: {stats:?}");

    // Turning back: the pages before are rendered ahead instead.
    server.page(report, 9, 1240).await?;
    server.page(report, 8, 1240).await?;
    settle(&server).await?;
    let before = server.stats();
    server.page(report, 7, 1240).await?;
    server.page(report, 6, 1240).await?;
    let after = server.stats();
    ensure!(
        after.from_cache == before.from_cache + 2,
        "pages 8 and 7 were not rendered ahead when paging back: {after:?}"
    );
    Ok(())
}

#[tokio::test]
async fn the_cache_stays_within_its_budget() -> anyhow::Result<()> {
    let budget = 1 << 20;
    let server = PageServer::start_with(PageServerOptions {
        cache_bytes: budget,
        ..PageServerOptions::default()
    })?;
    for index in 0..20 {
        server.page(Path::new(REPORT), index, 1240).await?;
    }
    settle(&server).await?;
    let stats = server.stats();
    ensure!(stats.cached_bytes <= budget, "{stats:?}");
    ensure!(stats.cached_pages >= 2 && stats.cached_pages < 20, "{stats:?}");
    Ok(())
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

#[tokio::test]
async fn the_layer_holds_the_pages_words_in_reading_order() -> anyhow::Result<()> {
    let pages = PageServer::start()?;
    for (file, page) in [(DRAFT, 0), (REPORT, 0), (REPORT, 2)] {
        let layer = pages.text_layer(file.as_ref(), page).await?;
        let indexed = &index_file(file.as_ref())?.pages[page as usize].text;
        let layer_text: Vec<&str> = layer.runs.iter().map(|run| run.text.as_str()).collect();
        ensure!(
            words(&layer_text.join(" ")) == words(indexed),
            "{file} page {page}: the layer's words differ from the indexed text\n{layer_text:?}\n{indexed:?}"
        );
        for run in &layer.runs {
            ensure!(
                run.left >= 0.0 && run.top >= 0.0 && run.left + run.width <= 1.001 && run.top + run.height <= 1.001,
                "{run:?} is outside the page"
            );
            ensure!(run.width > 0.0 && run.height > 0.0, "{run:?} has no size");
        }
    }
    Ok(())
}

#[tokio::test]
async fn the_runs_sit_on_the_printed_letters() -> anyhow::Result<()> {
    let pages = PageServer::start()?;
    let layer = pages.text_layer(DRAFT.as_ref(), 0).await?;
    let page = pages.page(DRAFT.as_ref(), 0, 1000).await?;
    let image = image::load_from_memory(&page.bytes)?.to_luma8();
    let (width, height) = image.dimensions();
    let inside = |x: u32, y: u32| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        layer
            .runs
            .iter()
            .any(|run| fx >= run.left && fx <= run.left + run.width && fy >= run.top && fy <= run.top + run.height)
    };
    let (mut dark_in, mut dark_out) = (0u64, 0u64);
    for (x, y, pixel) in image.enumerate_pixels() {
        if pixel.0[0] < 128 {
            if inside(x, y) {
                dark_in += 1;
            } else {
                dark_out += 1;
            }
        }
    }
    let share = dark_in as f64 / (dark_in + dark_out).max(1) as f64;
    ensure!(
        share > 0.9,
        "only {:.0} % of the printed pixels are under a run",
        share * 100.0
    );
    let heading = layer
        .runs
        .iter()
        .find(|run| run.text.contains("Điều 1"))
        .context("a run holds “Điều 1”")?;
    ensure!(heading.top > 0.05 && heading.top < 0.95, "{heading:?}");
    Ok(())
}

#[tokio::test]
async fn words_found_in_the_indexed_text_have_their_boxes_where_the_layer_shows_them() -> anyhow::Result<()> {
    let pages = PageServer::start()?;
    let text = &index_file(DRAFT.as_ref())?.pages[0].text;
    let chars: Vec<char> = text.chars().collect();
    let wanted: Vec<char> = "Điều 2".chars().collect();
    let start = chars
        .windows(wanted.len())
        .position(|window| window == wanted.as_slice())
        .context("the draft has an Điều 2")?;
    let boxes = pages.text_boxes(DRAFT.as_ref(), 0, start..start + wanted.len()).await?;
    ensure!(boxes.runs.len() == 1, "{:?}", boxes.runs);
    ensure!(boxes.runs[0].text == "Điều 2", "{:?}", boxes.runs[0]);
    let layer = pages.text_layer(DRAFT.as_ref(), 0).await?;
    let line = layer
        .runs
        .iter()
        .find(|run| run.text.starts_with("Điều 2"))
        .context("the layer has the line")?;
    let found = &boxes.runs[0];
    ensure!(
        (found.left - line.left).abs() < 0.002
            && found.top >= line.top
            && found.top + found.height <= line.top + line.height + 0.001
            && found.width < line.width,
        "{found:?} is not at the start of {line:?}"
    );
    Ok(())
}
