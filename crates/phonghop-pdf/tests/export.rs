//! "My annotated copy" read back by other readers than PDFium: mupdf (`mutool run`) lists the
//! annotations with their subtypes, contents, authors and places; poppler (`pdftoppm`) draws the
//! page, whose pixels must show the highlight and the ink. On the demo draft, a page written here
//! with /Rotate 90, flattened, and the 460-page report.

// Only the builder is used here; the ready-made odd files are for the ingest tests.
#[path = "support/demo_files.rs"]
mod demo_files;
#[allow(dead_code)]
#[path = "support/handmade_pdf.rs"]
mod handmade_pdf;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{ensure, Context};
use demo_files::{DRAFT, REPORT};
use handmade_pdf::HandmadePdf;
use phonghop_pdf::{export_annotated, ExportOptions, PageServer, PdfError, TextRun};
use phonghop_protocol::{Annotation, AnnotationBody, AnnotationId, PagePoint, PageRect, TextQuote};
use serde::Deserialize;

const AUTHOR: &str = "Nguyễn Thị Hồng Nhung";
const NOTE: &str = "Đề nghị làm rõ thời hạn áp dụng ở Điều 1";
const BOX: &str = "Ý kiến: đồng ý";
const YELLOW: &str = "#ffd600";
const GREEN: &str = "#1b8a2f";

fn annotation(id: &str, page: u32, color: &str, body: AnnotationBody) -> Annotation {
    Annotation {
        id: AnnotationId::parse(id).expect("a valid id"),
        document_id: serde_json::from_str("1").expect("a document id"),
        revision: 1,
        page,
        color: color.into(),
        body,
        shared: false,
        deleted: false,
        changed_at: 1_767_225_600_000,
        device: "test".into(),
        carried_from: None,
    }
}

fn quote(exact: &str) -> TextQuote {
    TextQuote {
        exact: exact.into(),
        prefix: String::new(),
        suffix: String::new(),
    }
}

fn rect_of(run: &TextRun) -> PageRect {
    PageRect {
        left: run.left,
        top: run.top,
        width: run.width,
        height: run.height,
    }
}

/// The page's longest run of text: real words to highlight.
async fn long_run(pdf: &Path, page: u32) -> anyhow::Result<TextRun> {
    let layer = PageServer::start()?.text_layer(pdf, page).await?;
    let longest = layer.runs.into_iter().max_by_key(|run| run.text.chars().count());
    longest
        .filter(|run| run.text.chars().count() >= 10)
        .context("no long run of text on the page")
}

/// The stroke the ink tests draw: a flat V across the lower page, clear of the text.
fn stroke() -> Vec<PagePoint> {
    vec![
        PagePoint { x: 0.2, y: 0.62 },
        PagePoint { x: 0.5, y: 0.68 },
        PagePoint { x: 0.8, y: 0.62 },
    ]
}

/// One annotation of every kind on page `page`, the highlight over `run`.
fn every_kind(page: u32, run: &TextRun) -> Vec<Annotation> {
    let line = rect_of(run);
    let below = |by: f32| PageRect {
        top: line.top + by,
        ..line
    };
    vec![
        annotation(
            "highlight",
            page,
            YELLOW,
            AnnotationBody::Highlight {
                rects: vec![line],
                quote: quote(&run.text),
            },
        ),
        annotation(
            "underline",
            page,
            "#1565c0",
            AnnotationBody::Underline {
                rects: vec![below(0.1)],
                quote: quote("gạch chân"),
            },
        ),
        annotation(
            "strike",
            page,
            "#c62828",
            AnnotationBody::StrikeOut {
                rects: vec![below(0.15)],
                quote: quote("gạch bỏ"),
            },
        ),
        annotation(
            "ink",
            page,
            GREEN,
            AnnotationBody::Ink {
                strokes: vec![stroke()],
                width: 0.008,
                highlighter: false,
                near: None,
            },
        ),
        annotation(
            "note",
            page,
            "#ff9800",
            AnnotationBody::Note {
                at: PagePoint { x: 0.92, y: 0.08 },
                text: NOTE.into(),
                near: None,
            },
        ),
        annotation(
            "box",
            page,
            "#6a1b9a",
            AnnotationBody::FreeText {
                rect: PageRect {
                    left: 0.1,
                    top: 0.85,
                    width: 0.5,
                    height: 0.05,
                },
                text: BOX.into(),
                near: None,
            },
        ),
    ]
}

fn options(flatten: bool) -> ExportOptions<'static> {
    ExportOptions {
        author: AUTHOR,
        flatten,
        watermark: None,
    }
}

/// An annotation as mupdf reads it; places in points from the top-left of the page as drawn.
#[derive(Debug, Deserialize)]
struct Seen {
    #[serde(rename = "type")]
    subtype: String,
    contents: String,
    author: String,
    bounds: [f32; 4],
    color: Vec<f32>,
    opacity: f32,
    #[serde(default)]
    quads: Vec<[f32; 8]>,
    #[serde(default)]
    ink: Vec<Vec<[f32; 2]>>,
    #[serde(default)]
    da: Option<serde_json::Value>,
}

/// What mupdf sees on a page, and the page's size as drawn, in points.
#[derive(Debug, Deserialize)]
struct SeenPage {
    size: [f32; 2],
    annotations: Vec<Seen>,
}

impl SeenPage {
    fn only(&self, subtype: &str) -> anyhow::Result<&Seen> {
        let found: Vec<&Seen> = self.annotations.iter().filter(|seen| seen.subtype == subtype).collect();
        ensure!(found.len() == 1, "{} {subtype} annotations in {self:?}", found.len());
        Ok(found[0])
    }

    /// A box in points from mupdf → fractions of the page as drawn.
    fn fraction(&self, [left, top, right, bottom]: [f32; 4]) -> [f32; 4] {
        let [width, height] = self.size;
        [left / width, top / height, right / width, bottom / height]
    }
}

const LIST_ANNOTATIONS: &str = r#"
var doc = new PDFDocument(scriptArgs[0]);
var page = doc.loadPage(parseInt(scriptArgs[1]));
var bounds = page.bound();
var annotations = page.getAnnotations().map(function (a) {
  var seen = { type: a.getType(), contents: a.getContents(), author: a.getAuthor(),
               bounds: a.bound(), color: a.getColor(), opacity: a.getOpacity() };
  if (a.hasQuadPoints()) seen.quads = a.getQuadPoints();
  if (a.hasInkList()) seen.ink = a.getInkList();
  if (a.getType() == "FreeText") seen.da = a.getDefaultAppearance();
  return seen;
});
print(JSON.stringify({ size: [bounds[2] - bounds[0], bounds[3] - bounds[1]], annotations: annotations }));
"#;

fn run_tool(command: &mut Command) -> anyhow::Result<Vec<u8>> {
    let output = command
        .output()
        .with_context(|| format!("{command:?} (install mupdf-tools and poppler-utils: cargo xtask setup)"))?;
    ensure!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(output.stdout)
}

/// How many pages poppler counts in `pdf`.
fn page_count(pdf: &Path) -> anyhow::Result<u32> {
    let info = String::from_utf8(run_tool(Command::new("pdfinfo").arg(pdf))?)?;
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|count| count.trim().parse().ok())
        .context("pdfinfo names no page count")
}

/// mupdf's reading of page `page` (from 0) of `pdf`.
fn mupdf_reads(pdf: &Path, page: u32) -> anyhow::Result<SeenPage> {
    // A file of its own per call: the tests run at once, and one rewriting a shared script
    // while mutool of another reads it gave mutool an empty script.
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let script = std::env::temp_dir().join(format!("phonghop-list-annotations-{}-{call}.js", std::process::id()));
    std::fs::write(&script, LIST_ANNOTATIONS)?;
    let json = run_tool(
        Command::new("mutool")
            .arg("run")
            .arg(&script)
            .arg(pdf)
            .arg(page.to_string()),
    )?;
    std::fs::remove_file(&script).ok();
    serde_json::from_slice(&json).with_context(|| format!("mupdf said {}", String::from_utf8_lossy(&json)))
}

/// Page `page` (from 0) of `pdf` drawn by poppler at 72 dpi (a pixel per point), through a
/// file in `dir`.
fn poppler_draws(pdf: &Path, page: u32, dir: &Path) -> anyhow::Result<image::RgbImage> {
    let prefix = dir.join(format!("drawn-{page}"));
    let number = (page + 1).to_string();
    run_tool(
        Command::new("pdftoppm")
            .args(["-r", "72", "-png", "-singlefile", "-f", &number, "-l", &number])
            .arg(pdf)
            .arg(&prefix),
    )?;
    let drawn = image::open(dir.join(format!("drawn-{page}.png"))).context("reading poppler's page")?;
    Ok(drawn.to_rgb8())
}

/// The pixels of `image` inside a box of fractions of it, shrunk a little at each side so the
/// anti-aliased edges do not count.
fn pixels_in(image: &image::RgbImage, [left, top, right, bottom]: [f32; 4]) -> Vec<[u8; 3]> {
    let (width, height) = (image.width() as f32, image.height() as f32);
    let (x0, x1) = ((left * width).ceil() as u32 + 1, (right * width).floor() as u32 - 1);
    let (y0, y1) = ((top * height).ceil() as u32 + 1, (bottom * height).floor() as u32 - 1);
    let mut pixels = Vec::new();
    for y in y0..y1.min(image.height()) {
        for x in x0..x1.min(image.width()) {
            pixels.push(image.get_pixel(x, y).0);
        }
    }
    pixels
}

/// The share of `pixels` that look yellow: red and green high, blue clearly lower.
fn yellow_share(pixels: &[[u8; 3]]) -> f32 {
    let yellow = pixels
        .iter()
        .filter(|[r, g, b]| *r > 150 && *g > 130 && (*b as i32) < (*g as i32) - 60)
        .count();
    yellow as f32 / pixels.len().max(1) as f32
}

fn is_green(&[r, g, b]: &[u8; 3]) -> bool {
    g as i32 > r as i32 + 50 && g as i32 > b as i32 + 30
}

/// Whether the page shows the green ink near each point of the stroke (fractions), looking a
/// few pixels around it.
fn ink_drawn_along(image: &image::RgbImage, stroke: &[PagePoint]) -> bool {
    stroke.iter().all(|point| {
        let (x, y) = (
            (point.x * image.width() as f32) as i64,
            (point.y * image.height() as f32) as i64,
        );
        (-3..=3).any(|dy| {
            (-3..=3).any(|dx| {
                let (px, py) = (x + dx, y + dy);
                px >= 0
                    && py >= 0
                    && (px as u32) < image.width()
                    && (py as u32) < image.height()
                    && is_green(&image.get_pixel(px as u32, py as u32).0)
            })
        })
    })
}

/// Whether the page shows the highlight over `run` (mostly yellow) and the green ink along its
/// stroke.
fn shows_highlight_and_ink(page: &image::RgbImage, run: &TextRun) -> anyhow::Result<()> {
    let box_of_run = [run.left, run.top, run.left + run.width, run.top + run.height];
    let share = yellow_share(&pixels_in(page, box_of_run));
    ensure!(share > 0.5, "only {share} of the highlighted words' box is yellow");
    ensure!(
        ink_drawn_along(page, &stroke()),
        "the ink is not drawn along its stroke"
    );
    Ok(())
}

fn is_blue(&[r, g, b]: &[u8; 3]) -> bool {
    b as i32 > r as i32 + 80 && b as i32 > g as i32 + 40
}

fn is_red(&[r, g, b]: &[u8; 3]) -> bool {
    r as i32 > g as i32 + 80 && r as i32 > b as i32 + 80
}

fn is_purple(&[r, g, b]: &[u8; 3]) -> bool {
    b as i32 > g as i32 + 60 && r as i32 > g as i32 + 40
}

/// The rows (fractions of the box's height, from its top) of a box of fractions of `image` in
/// which pixels of a colour lie, each row's count of them.
fn rows_with(
    image: &image::RgbImage,
    [left, top, right, bottom]: [f32; 4],
    colour: fn(&[u8; 3]) -> bool,
) -> Vec<(f32, usize)> {
    let (width, height) = (image.width() as f32, image.height() as f32);
    let (x0, x1) = ((left * width) as u32, ((right * width) as u32).min(image.width()));
    let (y0, y1) = (
        (top * height) as u32,
        ((bottom * height).ceil() as u32).min(image.height() - 1),
    );
    (y0..=y1)
        .map(|y| {
            let count = (x0..x1).filter(|&x| colour(&image.get_pixel(x, y).0)).count();
            ((y - y0) as f32 / (y1 - y0).max(1) as f32, count)
        })
        .filter(|&(_, count)| count > 0)
        .collect()
}

/// Whether a line of a colour runs across the box (most of its width) at about `along` of its
/// height from the top, and nowhere else in it.
fn line_across(
    image: &image::RgbImage,
    rect: &PageRect,
    along: f32,
    colour: fn(&[u8; 3]) -> bool,
) -> anyhow::Result<()> {
    // The box with room above and below for the line's width.
    let spare = rect.height * 0.3;
    let area = [
        rect.left,
        rect.top - spare,
        rect.left + rect.width,
        rect.top + rect.height + spare,
    ];
    let rows = rows_with(image, area, colour);
    let box_width_px = rect.width * image.width() as f32;
    let full = rows
        .iter()
        .filter(|&&(_, count)| count as f32 > box_width_px * 0.8)
        .count();
    ensure!(full > 0, "no line of the colour across the box: rows {rows:?}");
    let expected = (spare + along * rect.height) / (rect.height + 2.0 * spare);
    ensure!(
        rows.iter().all(|&(row, _)| close(row, expected, 0.2)),
        "the colour lies in rows {rows:?} of the box, the line belongs at {expected}"
    );
    Ok(())
}

/// The underline and strike-out of `every_kind` drawn along their lines as read, and the text
/// box's letters drawn inside it.
fn shows_lines_and_letters(image: &image::RgbImage, run: &TextRun, seen: &SeenPage) -> anyhow::Result<()> {
    let line = rect_of(run);
    line_across(
        image,
        &PageRect {
            top: line.top + 0.1,
            ..line
        },
        0.9,
        is_blue,
    )
    .context("the underline")?;
    line_across(
        image,
        &PageRect {
            top: line.top + 0.15,
            ..line
        },
        0.55,
        is_red,
    )
    .context("the strike-out")?;
    let [left, top, right, bottom] = seen.fraction(seen.only("FreeText")?.bounds);
    // Inside the dashed border: only the letters.
    let (across, down) = ((right - left) * 0.1, (bottom - top) * 0.2);
    let inside = pixels_in(image, [left + across, top + down, right - across, bottom - down]);
    let purple = inside.iter().filter(|pixel| is_purple(pixel)).count() as f32 / inside.len().max(1) as f32;
    ensure!(
        purple > 0.05,
        "only {purple} of the text box's inside is purple: its letters are not drawn"
    );
    Ok(())
}

fn close(a: f32, b: f32, tolerance: f32) -> bool {
    (a - b).abs() <= tolerance
}

fn out_dir() -> anyhow::Result<tempfile::TempDir> {
    Ok(tempfile::tempdir()?)
}

#[tokio::test]
async fn every_kind_of_annotation_is_a_pdf_annotation_mupdf_lists() -> anyhow::Result<()> {
    let run = long_run(Path::new(DRAFT), 0).await?;
    let mut annotations = every_kind(0, &run);
    let mut gone = annotation(
        "gone",
        0,
        YELLOW,
        AnnotationBody::Note {
            at: PagePoint { x: 0.5, y: 0.5 },
            text: "đã xoá".into(),
            near: None,
        },
    );
    gone.deleted = true;
    annotations.push(gone);
    let dir = out_dir()?;
    let out = dir.path().join("bản có ghi chú.pdf");

    let summary = export_annotated(Path::new(DRAFT), &annotations, &options(false), &out)?;

    ensure!(summary.annotations == 6 && summary.pages == 1, "{summary:?}");
    let seen = mupdf_reads(&out, 0)?;
    let mut subtypes: Vec<&str> = seen.annotations.iter().map(|seen| seen.subtype.as_str()).collect();
    subtypes.sort_unstable();
    ensure!(
        subtypes == ["FreeText", "Highlight", "Ink", "StrikeOut", "Text", "Underline"],
        "{subtypes:?}"
    );
    ensure!(seen.annotations.iter().all(|seen| seen.author == AUTHOR), "{seen:?}");

    let highlight = seen.only("Highlight")?;
    ensure!(highlight.contents == run.text, "{highlight:?}");
    ensure!(highlight.opacity > 0.2 && highlight.opacity < 0.6, "{highlight:?}");
    ensure!(
        highlight.color.len() == 3 && close(highlight.color[0], 1.0, 0.01) && close(highlight.color[2], 0.0, 0.01),
        "{highlight:?}"
    );
    // One quad, its corners in the order readers expect: top-left, top-right, bottom-left,
    // bottom-right of the words, as the text layer boxed them.
    ensure!(highlight.quads.len() == 1, "{highlight:?}");
    let [x1, y1, x2, y2, x3, y3, x4, y4] = highlight.quads[0];
    let [width, height] = seen.size;
    let expected = [
        (run.left, run.top),
        (run.left + run.width, run.top),
        (run.left, run.top + run.height),
        (run.left + run.width, run.top + run.height),
    ];
    for ((x, y), (fx, fy)) in [(x1, y1), (x2, y2), (x3, y3), (x4, y4)].into_iter().zip(expected) {
        ensure!(
            close(x / width, fx, 0.002) && close(y / height, fy, 0.002),
            "quad {:?} is not the run's box {expected:?}",
            highlight.quads[0]
        );
    }

    ensure!(seen.only("Underline")?.contents == "gạch chân");
    ensure!(seen.only("StrikeOut")?.contents == "gạch bỏ");
    let note = seen.only("Text")?;
    ensure!(note.contents == NOTE, "{note:?}");
    let [left, top, right, bottom] = seen.fraction(note.bounds);
    ensure!(
        close((left + right) / 2.0, 0.92, 0.005) && close((top + bottom) / 2.0, 0.08, 0.005),
        "the note stands at {:?}",
        seen.fraction(note.bounds)
    );
    let free_text = seen.only("FreeText")?;
    ensure!(free_text.contents == BOX, "{free_text:?}");
    let appearance = free_text.da.as_ref().context("a text box without /DA")?;
    // Letters 0.45 of the box's height, as the app draws them: 0.05 of an A4 page's 842 points.
    let size = appearance["size"].as_f64().context("no size in the /DA")?;
    ensure!((size - 0.45 * 0.05 * 842.0).abs() < 0.2, "{appearance}");
    let [left, top, _, _] = seen.fraction(free_text.bounds);
    ensure!(
        close(left, 0.1, 0.003) && close(top, 0.85, 0.003),
        "the text box stands at {:?}",
        seen.fraction(free_text.bounds)
    );

    let ink = seen.only("Ink")?;
    ensure!(
        ink.ink.len() == 1 && ink.ink[0].len() == 3,
        "the /InkList is {:?}",
        ink.ink
    );
    for (&[x, y], point) in ink.ink[0].iter().zip(stroke()) {
        ensure!(
            close(x / width, point.x, 0.002) && close(y / height, point.y, 0.002),
            "the stroke is {:?}",
            ink.ink
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_highlight_and_the_ink_are_coloured_on_the_page_poppler_draws() -> anyhow::Result<()> {
    let run = long_run(Path::new(DRAFT), 0).await?;
    let dir = out_dir()?;
    let out = dir.path().join("copy.pdf");

    export_annotated(Path::new(DRAFT), &every_kind(0, &run), &options(false), &out)?;

    let before = poppler_draws(Path::new(DRAFT), 0, dir.path()).context("the original")?;
    let box_of_run = [run.left, run.top, run.left + run.width, run.top + run.height];
    ensure!(
        yellow_share(&pixels_in(&before, box_of_run)) < 0.05,
        "the draft is yellow already"
    );
    ensure!(!ink_drawn_along(&before, &stroke()), "the draft is green already");
    let page = poppler_draws(&out, 0, dir.path())?;
    shows_highlight_and_ink(&page, &run)?;
    shows_lines_and_letters(&page, &run, &mupdf_reads(&out, 0)?)
}

/// Only letters Helvetica lacks, and so PDFium's, poppler's and mupdf's own drawing of a text
/// box: without a font that has them nothing at all would be drawn.
const LETTERS_HELVETICA_LACKS: &str = "Đượđặệơưạộữằẫ";

#[tokio::test]
async fn a_text_box_shows_every_vietnamese_letter_in_the_copy_and_the_flattened_copy() -> anyhow::Result<()> {
    let dir = out_dir()?;
    let rect = PageRect {
        left: 0.1,
        top: 0.85,
        width: 0.5,
        height: 0.04,
    };
    let text = LETTERS_HELVETICA_LACKS.to_string();
    let annotations = [annotation(
        "box",
        0,
        "#6a1b9a",
        AnnotationBody::FreeText {
            rect,
            text: text.clone(),
            near: None,
        },
    )];
    for flatten in [false, true] {
        let out = dir.path().join(format!("box-{flatten}.pdf"));
        export_annotated(Path::new(DRAFT), &annotations, &options(flatten), &out)?;
        let image = poppler_draws(&out, 0, dir.path())?;
        let inside = pixels_in(
            &image,
            [rect.left + 0.01, rect.top + 0.008, rect.left + 0.2, rect.top + 0.03],
        );
        let purple = inside.iter().filter(|pixel| is_purple(pixel)).count() as f32 / inside.len().max(1) as f32;
        ensure!(
            purple > 0.05,
            "{text:?}: only {purple} of the box's first letters are purple (flattened: {flatten})"
        );
        if !flatten {
            ensure!(mupdf_reads(&out, 0)?.only("FreeText")?.contents == text);
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_flattened_copy_has_no_annotations_left_but_shows_them() -> anyhow::Result<()> {
    let run = long_run(Path::new(DRAFT), 0).await?;
    let dir = out_dir()?;
    let out = dir.path().join("in.pdf");

    export_annotated(Path::new(DRAFT), &every_kind(0, &run), &options(true), &out)?;

    let seen = mupdf_reads(&out, 0)?;
    ensure!(seen.annotations.is_empty(), "annotations left: {seen:?}");
    let page = poppler_draws(&out, 0, dir.path())?;
    shows_highlight_and_ink(&page, &run)?;
    let line = rect_of(&run);
    line_across(
        &page,
        &PageRect {
            top: line.top + 0.1,
            ..line
        },
        0.9,
        is_blue,
    )
    .context("the underline")
}

/// An A4 page turned a quarter (/Rotate 90), so it is drawn landscape, with a line of text
/// written upwards on the page so that it reads left to right as drawn.
fn rotated_page(dir: &Path) -> anyhow::Result<PathBuf> {
    let mut pdf = HandmadePdf::new();
    let font = pdf.object(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    pdf.page(
        &format!("/MediaBox [0 0 595 842] /Rotate 90 /Resources << /Font << /F1 {font} 0 R >> >>"),
        "BT /F1 24 Tf 0 1 -1 0 200 120 Tm (Trang xoay mot phan tu vong) Tj ET",
    );
    let path = dir.join("rotated.pdf");
    std::fs::write(&path, pdf.bytes())?;
    Ok(path)
}

#[tokio::test]
async fn on_a_rotated_page_the_highlight_lands_where_its_fractions_say() -> anyhow::Result<()> {
    let dir = out_dir()?;
    let pdf = rotated_page(dir.path())?;
    let run = long_run(&pdf, 0).await?;
    let out = dir.path().join("rotated copy.pdf");

    export_annotated(&pdf, &every_kind(0, &run), &options(false), &out)?;

    let seen = mupdf_reads(&out, 0)?;
    ensure!(
        seen.size[0] > seen.size[1],
        "the page is not drawn landscape: {:?}",
        seen.size
    );
    let [left, top, right, bottom] = seen.fraction(seen.only("Highlight")?.bounds);
    ensure!(
        close(left, run.left, 0.003)
            && close(top, run.top, 0.003)
            && close(right, run.left + run.width, 0.003)
            && close(bottom, run.top + run.height, 0.003),
        "mupdf has the highlight at {:?}, the text layer the words at {run:?}",
        [left, top, right, bottom]
    );
    let page = poppler_draws(&out, 0, dir.path())?;
    ensure!(page.width() > page.height(), "poppler drew {:?}", page.dimensions());
    shows_highlight_and_ink(&page, &run)?;
    shows_lines_and_letters(&page, &run, &seen)
}

#[test]
fn an_annotation_on_a_page_the_document_lacks_is_refused() -> anyhow::Result<()> {
    let dir = out_dir()?;
    let out = dir.path().join("copy.pdf");
    let beyond = annotation(
        "beyond",
        3,
        YELLOW,
        AnnotationBody::Note {
            at: PagePoint { x: 0.5, y: 0.5 },
            text: NOTE.into(),
            near: None,
        },
    );

    let outcome = export_annotated(Path::new(DRAFT), &[beyond], &options(false), &out);

    ensure!(
        matches!(outcome, Err(PdfError::NoSuchPage { index: 3, count: 1 })),
        "{outcome:?}"
    );
    ensure!(std::fs::read_dir(dir.path())?.next().is_none(), "something was written");
    Ok(())
}

#[tokio::test]
async fn every_page_carries_the_watermark_in_grey_at_its_foot_and_in_the_flattened_copy() -> anyhow::Result<()> {
    let dir = out_dir()?;
    let watermark = "Bản của Nguyễn Thị Hằng (db017) · tạo lúc 08:15:02 ngày 01/12/2026 · Phòng họp không giấy";
    let note = annotation(
        "note",
        0,
        "#1565c0",
        AnnotationBody::Note {
            at: PagePoint { x: 0.5, y: 0.3 },
            text: "Ghi chú".into(),
            near: None,
        },
    );
    let foot = [0.05, 0.955, 0.95, 0.995];
    let grey_in = |image: &image::RgbImage| {
        pixels_in(image, foot)
            .iter()
            .filter(|&&[r, g, b]| r.abs_diff(g) < 12 && g.abs_diff(b) < 12 && (60..200).contains(&r))
            .count()
    };
    for (pdf, flatten) in [(DRAFT, false), (DRAFT, true), (REPORT, false)] {
        let pdf = Path::new(pdf);
        let out = dir.path().join(format!("watermarked-{flatten}.pdf"));
        let options = ExportOptions {
            watermark: Some(watermark),
            ..options(flatten)
        };
        let summary = export_annotated(pdf, std::slice::from_ref(&note), &options, &out)?;
        ensure!(summary.annotations == 1 && summary.pages == 1, "{summary:?}");
        let last = page_count(pdf)? - 1;
        for page in [0, last] {
            let seen = mupdf_reads(&out, page)?;
            if flatten {
                ensure!(seen.annotations.is_empty(), "page {page}: {seen:?}");
            } else {
                let stamp = seen.only("Stamp")?;
                ensure!(stamp.contents == watermark && stamp.author == AUTHOR, "{stamp:?}");
                let [_, top, _, bottom] = seen.fraction(stamp.bounds);
                ensure!(
                    top > 0.9 && bottom <= 1.0,
                    "page {page}: the watermark is at {top}–{bottom}"
                );
            }
            // Drawn: grey letters at the page's foot, beyond whatever the page had there.
            let before = grey_in(&poppler_draws(pdf, page, dir.path())?);
            let after = grey_in(&poppler_draws(&out, page, dir.path())?);
            ensure!(
                after > before + 40,
                "{} page {page} (flattened: {flatten}): {before} grey pixels at the foot before, {after} after",
                pdf.display()
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn the_long_report_exports_with_notes_on_a_few_pages() -> anyhow::Result<()> {
    let report = Path::new(REPORT);
    let pages = [0, 229, 459];
    let mut annotations = Vec::new();
    for page in pages {
        let run = long_run(report, page).await?;
        annotations.extend(every_kind(page, &run).into_iter().map(|mut annotation| {
            annotation.id = AnnotationId::parse(&format!("{}-{page}", annotation.id)).expect("an id");
            annotation
        }));
    }
    let dir = out_dir()?;
    let out = dir.path().join("report.pdf");

    let summary = export_annotated(report, &annotations, &options(false), &out)?;

    ensure!(summary.annotations == 18 && summary.pages == 3, "{summary:?}");
    for page in pages {
        ensure!(mupdf_reads(&out, page)?.annotations.len() == 6, "page {page}");
    }
    ensure!(mupdf_reads(&out, 1)?.annotations.is_empty(), "page 1 got annotations");
    Ok(())
}
