//! The desktop app's page renderer: one thread owns PDFium, keeps the last opened document, and turns
//! pages into PNG images. One thread, because PDFium behind pdfium-render's global lock renders one
//! page at a time per process anyway; callers queue requests and await the answer.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::SystemTime;

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{ExtendedColorType, ImageEncoder};
use pdfium_render::prelude::{PdfBitmapFormat, PdfColor, PdfDocument, PdfRenderConfig, Pdfium};
use tokio::sync::oneshot;

use crate::error::PdfError;
use crate::index::describe_load_error;
use crate::library::bound_pdfium;

/// Narrowest rendering; a smaller request is widened to this.
pub const MIN_WIDTH_PX: u32 = 64;
/// Widest rendering; a larger request is narrowed to this.
pub const MAX_WIDTH_PX: u32 = 4096;
/// Tallest rendering. Without it a strip-shaped page at full width would ask for a bitmap of
/// gigabytes; such a page is rendered narrower instead.
const MAX_HEIGHT_PX: i32 = 4 * MAX_WIDTH_PX as i32;

/// A handle to the render thread. Cloning it shares the same thread; the thread ends when the last
/// handle is dropped.
#[derive(Clone)]
pub struct PageRenderer {
    requests: mpsc::Sender<Request>,
}

enum Request {
    PageCount {
        pdf: PathBuf,
        reply: oneshot::Sender<Result<u32, PdfError>>,
    },
    Png {
        pdf: PathBuf,
        page_index: u32,
        width_px: u32,
        reply: oneshot::Sender<Result<Vec<u8>, PdfError>>,
    },
}

impl PageRenderer {
    /// Starts the render thread and binds PDFium on it; fails if the library is missing.
    pub fn start() -> Result<PageRenderer, PdfError> {
        let (requests, inbox) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("phonghop-pdf-render".to_owned())
            .spawn(move || match bound_pdfium() {
                Ok(pdfium) => {
                    let _ = ready_tx.send(Ok(()));
                    serve(pdfium, inbox);
                }
                Err(error) => {
                    let _ = ready_tx.send(Err(error));
                }
            })
            .map_err(|error| PdfError::Library(format!("cannot start the render thread: {error}")))?;
        ready_rx.recv().map_err(|_| PdfError::RendererStopped)??;
        Ok(PageRenderer { requests })
    }

    /// Renders page `page_index` (from 0) of `pdf` at `width_px` pixels wide (clamped to
    /// [`MIN_WIDTH_PX`]..=[`MAX_WIDTH_PX`]) on a white background, as a PNG.
    pub async fn render_png(&self, pdf: PathBuf, page_index: u32, width_px: u32) -> Result<Vec<u8>, PdfError> {
        let (reply, answer) = oneshot::channel();
        self.ask(Request::Png {
            pdf,
            page_index,
            width_px,
            reply,
        })?;
        answer.await.map_err(|_| PdfError::RendererStopped)?
    }

    /// The number of pages of `pdf`.
    pub async fn page_count(&self, pdf: PathBuf) -> Result<u32, PdfError> {
        let (reply, answer) = oneshot::channel();
        self.ask(Request::PageCount { pdf, reply })?;
        answer.await.map_err(|_| PdfError::RendererStopped)?
    }

    fn ask(&self, request: Request) -> Result<(), PdfError> {
        self.requests.send(request).map_err(|_| PdfError::RendererStopped)
    }
}

/// The document kept open between requests, since a reader turns pages of one document at a time.
struct OpenDocument {
    path: PathBuf,
    stamp: FileStamp,
    document: PdfDocument<'static>,
}

/// Size and modification time: a document revised in place under the same path must not be served
/// from the old copy still open here.
#[derive(PartialEq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp_of(path: &Path) -> Result<FileStamp, PdfError> {
    let metadata = std::fs::metadata(path).map_err(|error| PdfError::Open(format!("{}: {error}", path.display())))?;
    Ok(FileStamp {
        len: metadata.len(),
        modified: metadata.modified().ok(),
    })
}

fn serve(pdfium: &'static Pdfium, inbox: mpsc::Receiver<Request>) {
    let mut open: Option<OpenDocument> = None;
    for request in inbox {
        // A caller that stopped waiting (its task was cancelled) is not an error here.
        match request {
            Request::PageCount { pdf, reply } => {
                let answer = document_for(pdfium, &mut open, &pdf).and_then(page_count_of);
                let _ = reply.send(answer);
            }
            Request::Png {
                pdf,
                page_index,
                width_px,
                reply,
            } => {
                let answer = document_for(pdfium, &mut open, &pdf)
                    .and_then(|document| render_page(document, page_index, width_px));
                let _ = reply.send(answer);
            }
        }
    }
}

fn document_for<'open>(
    pdfium: &'static Pdfium,
    open: &'open mut Option<OpenDocument>,
    path: &Path,
) -> Result<&'open PdfDocument<'static>, PdfError> {
    let stamp = stamp_of(path)?;
    let still_current = open
        .as_ref()
        .is_some_and(|current| current.path == path && current.stamp == stamp);
    if !still_current {
        // The old document is closed first so a failed open does not leave a stale one behind.
        *open = None;
        let document = pdfium
            .load_pdf_from_file(path, None)
            .map_err(|error| PdfError::Open(format!("{}: {}", path.display(), describe_load_error(&error))))?;
        *open = Some(OpenDocument {
            path: path.to_owned(),
            stamp,
            document,
        });
    }
    match open {
        Some(current) => Ok(&current.document),
        None => Err(PdfError::RendererStopped),
    }
}

fn page_count_of(document: &PdfDocument<'static>) -> Result<u32, PdfError> {
    Ok(u32::try_from(document.pages().len()).unwrap_or(0))
}

fn render_page(document: &PdfDocument<'static>, page_index: u32, width_px: u32) -> Result<Vec<u8>, PdfError> {
    let count = page_count_of(document)?;
    if page_index >= count {
        return Err(PdfError::NoSuchPage {
            index: page_index,
            count,
        });
    }
    // `page_index < count <= i32::MAX`, so the conversion cannot fail.
    let index = i32::try_from(page_index).map_err(|_| PdfError::NoSuchPage {
        index: page_index,
        count,
    })?;
    let page = document
        .pages()
        .get(index)
        .map_err(|error| PdfError::Render(format!("page {page_index} cannot be loaded: {error:?}")))?;
    let width = width_px.clamp(MIN_WIDTH_PX, MAX_WIDTH_PX) as i32;
    // Cleared to opaque white before drawing, and form fields drawn over it, so transparent pages and
    // filled-in forms look as they do on paper. Three bytes a pixel with PDFium's byte order reversed
    // (pdfium-render's default) is RGB: the page is opaque, and an alpha channel would only add work
    // for the PNG encoder.
    let config = PdfRenderConfig::new()
        .set_format(PdfBitmapFormat::BGR)
        .set_reverse_byte_order(true)
        .set_target_width(width)
        .set_maximum_height(MAX_HEIGHT_PX)
        .clear_before_rendering(true)
        .set_clear_color(PdfColor::WHITE)
        .render_form_data(true)
        .render_annotations(true);
    let bitmap = page
        .render_with_config(&config)
        .map_err(|error| PdfError::Render(format!("page {page_index}: {error:?}")))?;
    let (width, height) = (bitmap.width() as u32, bitmap.height() as u32);
    let rgb = packed_rows(bitmap.as_raw_bytes(), width as usize * 3, height as usize)?;
    encode_png(&rgb, width, height)
}

/// PDFium pads each row of a 3-byte bitmap to a multiple of four bytes; the PNG encoder wants rows
/// packed. Copied row by row, which stays fast even in an unoptimised build.
fn packed_rows(raw: Vec<u8>, row_bytes: usize, height: usize) -> Result<Vec<u8>, PdfError> {
    let stride = raw.len().checked_div(height).unwrap_or(0);
    if stride < row_bytes || stride * height != raw.len() {
        return Err(PdfError::Render(format!(
            "bitmap buffer of {} bytes does not hold {height} rows of {row_bytes} bytes",
            raw.len()
        )));
    }
    if stride == row_bytes {
        return Ok(raw);
    }
    let mut packed = Vec::with_capacity(row_bytes * height);
    for row in raw.chunks_exact(stride) {
        packed.extend_from_slice(&row[..row_bytes]);
    }
    Ok(packed)
}

/// Encodes RGB with the fastest settings, because encoding, not rendering, dominates the time per page.
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PdfError> {
    let mut png = Vec::with_capacity(rgb.len() / 8);
    PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Up)
        .write_image(rgb, width, height, ExtendedColorType::Rgb8)
        .map_err(|error| PdfError::Render(format!("PNG encoding failed: {error}")))?;
    Ok(png)
}
