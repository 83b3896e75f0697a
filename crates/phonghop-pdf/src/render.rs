//! The threads behind the page server: one owns PDFium and renders, others encode.
//!
//! PDFium is bound once per process and pdfium-render serialises every call behind one global lock,
//! so a second render thread in this process would only wait. Encoding is plain Rust, so it runs on
//! its own threads while PDFium draws the next page. A text page of the 460-page report at 1240 px
//! is ~34 M instructions in PDFium (~2–2.5 ms) and ~14 M encoding (~1.4–1.7 ms). Overlapped, the
//! render benchmark pages at 390–490 pages/s (5–6.5x pdf.js) when this 2-core machine is quiet,
//! with the render thread busy 97–98 % of the time: PDFium's one thread is the bound. A second
//! render process could lift that by ~20 % at most (3.4 ms of work a page over two cores), and
//! only on an idle machine, for a copy of every page between processes and a second binary to
//! ship; under the usual load here the two cores are the bound and it would gain nothing.
//!
//! Each page is drawn into a bitmap from a small pool, owned by us and handed to PDFium as its
//! buffer: no allocation or zero-filling per page, no copy out of PDFium, and the bitmap goes to the
//! encoder as it is. The pool holds one bitmap per thread, which is also what bounds the pages in
//! flight: the render thread waits for a free bitmap rather than running ahead of the encoders.

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use pdfium_render::prelude::{PdfDocument, Pdfium};

use crate::encode::{encode_png, Bitmap};
use crate::error::PdfError;
use crate::index::describe_load_error;
use crate::library::bound_pdfium;
use crate::pages::{DocumentKey, Job, PageImage, PageKey, Shared};
use crate::text_layer::{read_text_boxes, read_text_layer, PageText};
use crate::thumbnail::{bitmap_size, draw};

/// Bitmaps up to this size are kept for the next page; larger ones (a page zoomed past anything
/// the viewer offers) are freed once used, so they do not stay resident.
const KEPT_BUFFER_BYTES: usize = 32 << 20;
/// Documents kept open: a reader switching between two documents does not reopen either.
const OPEN_DOCUMENTS: usize = 2;

/// Binds PDFium on a new render thread and starts `encoders` encoder threads. Fails if the library
/// is missing; the threads end once the server has stopped and the last page is encoded.
pub(crate) fn start(shared: Arc<Shared>, encoders: usize) -> Result<(), PdfError> {
    let pool = Arc::new(BitmapPool::new(encoders + 1));
    let (to_encoders, encoder_inbox) = mpsc::channel::<Encoding>();
    let encoder_inbox = Arc::new(Mutex::new(encoder_inbox));
    let (ready_tx, ready_rx) = mpsc::channel();
    let spawn_error = |error: std::io::Error| PdfError::Library(format!("cannot start a render thread: {error}"));
    {
        let (shared, pool) = (Arc::clone(&shared), Arc::clone(&pool));
        std::thread::Builder::new()
            .name("phonghop-pdf-render".to_owned())
            .spawn(move || match bound_pdfium() {
                Ok(pdfium) => {
                    let _ = ready_tx.send(Ok(()));
                    render_jobs(pdfium, &shared, &pool, &to_encoders);
                }
                Err(error) => {
                    let _ = ready_tx.send(Err(error));
                }
            })
            .map_err(spawn_error)?;
    }
    ready_rx.recv().map_err(|_| PdfError::RendererStopped)??;
    for number in 0..encoders {
        let (shared, pool, inbox) = (Arc::clone(&shared), Arc::clone(&pool), Arc::clone(&encoder_inbox));
        std::thread::Builder::new()
            .name(format!("phonghop-pdf-encode-{number}"))
            .spawn(move || encode_jobs(&inbox, &shared, &pool))
            .map_err(spawn_error)?;
    }
    Ok(())
}

/// A rendered page on its way to an encoder.
struct Encoding {
    key: PageKey,
    bitmap: Bitmap,
}

fn render_jobs(pdfium: &'static Pdfium, shared: &Shared, pool: &BitmapPool, encoders: &mpsc::Sender<Encoding>) {
    let mut documents = OpenDocuments::default();
    while let Some(job) = shared.next_job() {
        match job {
            Job::Count { document, reply } => {
                let count = documents.open(pdfium, &document, shared).map(|open| open.page_count);
                shared.counted(&document, count.as_ref().ok().copied());
                let _ = reply.send(count);
            }
            Job::Text {
                document,
                index,
                only,
                reply,
            } => {
                let layer = documents
                    .open(pdfium, &document, shared)
                    .and_then(|open| read_page_text(open, index, only));
                shared.counted(&document, None);
                let _ = reply.send(layer);
            }
            Job::Page(key) => {
                let started = Instant::now();
                let rendered = documents
                    .open(pdfium, &key.document, shared)
                    .and_then(|open| render_page(open, &key, pool));
                shared.spent_rendering(started.elapsed());
                match rendered {
                    Ok(bitmap) => {
                        if let Err(mpsc::SendError(unsent)) = encoders.send(Encoding { key, bitmap }) {
                            // Every encoder is gone (they only end by panicking): answer here.
                            pool.give(unsent.bitmap.pixels);
                            shared.finish(&unsent.key, Err(PdfError::RendererStopped));
                        }
                    }
                    Err(error) => shared.finish(&key, Err(error)),
                }
            }
        }
    }
}

fn encode_jobs(inbox: &Mutex<mpsc::Receiver<Encoding>>, shared: &Shared, pool: &BitmapPool) {
    let mut rows = Vec::new();
    loop {
        let received = inbox.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(Encoding { key, bitmap }) = received else {
            return;
        };
        let started = Instant::now();
        let outcome = encode_png(&bitmap, &mut rows).map(|mut png| {
            // The cache counts the bytes it holds; without this it would hold up to twice as many,
            // in the capacity the encoder's guess left over.
            png.shrink_to_fit();
            PageImage {
                bytes: Bytes::from(png),
                width: bitmap.width,
                height: bitmap.height,
            }
        });
        shared.spent_encoding(started.elapsed());
        pool.give(bitmap.pixels);
        shared.finish(&key, outcome);
    }
}

struct OpenDocument {
    key: Arc<DocumentKey>,
    document: PdfDocument<'static>,
    page_count: u32,
}

/// The documents kept open, most recently used last.
#[derive(Default)]
struct OpenDocuments {
    open: Vec<OpenDocument>,
}

impl OpenDocuments {
    fn open(
        &mut self,
        pdfium: &'static Pdfium,
        key: &Arc<DocumentKey>,
        shared: &Shared,
    ) -> Result<&OpenDocument, PdfError> {
        if let Some(position) = self.open.iter().position(|open| open.key == *key) {
            let recent = self.open.remove(position);
            self.open.push(recent);
        } else {
            let document = pdfium
                .load_pdf_from_file(&key.path, None)
                .map_err(|error| PdfError::Open(format!("{}: {}", key.path.display(), describe_load_error(&error))))?;
            let page_count = u32::try_from(document.pages().len()).unwrap_or(0);
            shared.learn_page_count(key, page_count);
            if self.open.len() == OPEN_DOCUMENTS {
                self.open.remove(0);
            }
            self.open.push(OpenDocument {
                key: Arc::clone(key),
                document,
                page_count,
            });
        }
        self.open.last().ok_or(PdfError::RendererStopped)
    }
}

fn read_page_text(open: &OpenDocument, index: u32, only: Option<std::ops::Range<usize>>) -> Result<PageText, PdfError> {
    let no_such_page = PdfError::NoSuchPage {
        index,
        count: open.page_count,
    };
    if index >= open.page_count {
        return Err(no_such_page);
    }
    let page = open
        .document
        .pages()
        .get(i32::try_from(index).map_err(|_| no_such_page)?)
        .map_err(|error| PdfError::Render(format!("page {index} cannot be loaded: {error:?}")))?;
    match only {
        Some(range) => read_text_boxes(&page, range),
        None => read_text_layer(&page),
    }
}

fn render_page(open: &OpenDocument, key: &PageKey, pool: &BitmapPool) -> Result<Bitmap, PdfError> {
    let count = open.page_count;
    let no_such_page = PdfError::NoSuchPage {
        index: key.index,
        count,
    };
    if key.index >= count {
        return Err(no_such_page);
    }
    let index = i32::try_from(key.index).map_err(|_| no_such_page)?;
    let page = open
        .document
        .pages()
        .get(index)
        .map_err(|error| PdfError::Render(format!("page {} cannot be loaded: {error:?}", key.index)))?;
    let (width, height) = bitmap_size(page.width().value, page.height().value, key.width)
        .ok_or_else(|| PdfError::Render(format!("page {} has no usable size", key.index)))?;
    let mut pixels = pool.take(width as usize * height as usize * 4);
    let drawn = draw(&page, &mut pixels, width, height);
    match drawn {
        Ok(()) => Ok(Bitmap { pixels, width, height }),
        Err(error) => {
            pool.give(pixels);
            Err(PdfError::Render(format!("page {}: {error:?}", key.index)))
        }
    }
}

/// Bitmaps reused from page to page. At most `limit` exist at once; `take` waits for one to be
/// given back when all are in use.
struct BitmapPool {
    state: Mutex<PoolState>,
    returned: Condvar,
    limit: usize,
}

struct PoolState {
    free: Vec<Vec<u8>>,
    lent: usize,
}

impl BitmapPool {
    fn new(limit: usize) -> BitmapPool {
        BitmapPool {
            state: Mutex::new(PoolState {
                free: Vec::new(),
                lent: 0,
            }),
            returned: Condvar::new(),
            limit,
        }
    }

    /// A buffer of exactly `len` bytes. Its content is whatever the last page left: PDFium clears
    /// it before drawing, so only growth is zero-filled.
    fn take(&self, len: usize) -> Vec<u8> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(mut buffer) = state.free.pop() {
                state.lent += 1;
                buffer.resize(len, 0);
                return buffer;
            }
            if state.lent < self.limit {
                state.lent += 1;
                return vec![0; len];
            }
            state = self.returned.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn give(&self, buffer: Vec<u8>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.lent = state.lent.saturating_sub(1);
        if buffer.capacity() <= KEPT_BUFFER_BYTES {
            state.free.push(buffer);
        }
        drop(state);
        self.returned.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_reuses_given_back_buffers_and_never_lends_more_than_its_limit() {
        let pool = Arc::new(BitmapPool::new(2));
        let first = pool.take(16);
        let second = pool.take(32);
        let pointer = first.as_ptr();
        let (lent, taken) = std::sync::mpsc::channel();
        let waiting = {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                let third = pool.take(16);
                lent.send(third.as_ptr() as usize).unwrap();
            })
        };
        assert!(taken.try_recv().is_err(), "a third buffer was lent while two were out");
        pool.give(first);
        let reused = taken
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the waiting take got the buffer given back");
        assert_eq!(reused, pointer as usize, "the given-back buffer was reused");
        waiting.join().unwrap();
        drop(second);
    }
}
