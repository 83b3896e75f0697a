//! PDF handling for the meeting app: indexing uploaded documents safely and rendering their pages.
//!
//! # Layout
//!
//! - `library`: finds libpdfium on disk and binds it once per process, because PDFium
//!   can be initialised only once and every later call shares that one binding.
//! - `index`: reads a document's page sizes and text in-process ([`index_file`]), and draws each
//!   page small to find those PDFium cannot draw.
//! - `thumbnail`: drawing a page as the viewer does (its render settings and bitmap size), at
//!   thumbnail width for that check.
//! - `child`: runs indexing in a child process with a time and memory limit
//!   ([`index_in_child`] on the server's side, [`run_index_child`] on the child's side), so a hostile
//!   or broken upload can crash or exhaust only that child.
//! - `pages`: the page server ([`PageServer`]) the desktop app's page handler and the render
//!   benchmark both call: a page of a file at a width in, an encoded image out, from a bounded
//!   cache or queued for rendering, with the next pages rendered ahead.
//! - `render`: the threads behind it: one owns PDFium and draws into reused bitmaps, others
//!   encode.
//! - `page_frame`: the page as drawn ↔ its own points, the frame of annotations and the text layer.
//! - `text_layer`: a page's characters as runs with their boxes, for selectable text over the
//!   page image ([`PageServer::text_layer`]).
//! - `export`: "my annotated copy" ([`export_annotated`]): a document written again with a
//!   reader's annotations as real PDF annotations, optionally flattened into the pages for printing.
//! - `raw`: the few PDFium calls pdfium-render does not wrap (an ink annotation's /InkList, a free
//!   text annotation's /DA); the crate's only unsafe code.
//! - `encode`: a rendered bitmap to PNG, greyscale when the page is grey.
//! - `cache`: the rendered pages kept, least recently used dropped first, bounded in bytes.
//! - `error`: [`IngestError`] (why an upload was refused) and [`PdfError`] (why a page
//!   could not be shown).
//!
//! **Architecture invariant:** nothing here knows about meetings, agendas or storage; callers pass
//! paths and get plain values back.

mod appearance;
mod cache;
mod child;
mod encode;
mod error;
mod export;
mod index;
mod library;
mod page_frame;
mod pages;
mod raw;
mod render;
mod text_layer;
mod thumbnail;

pub use child::{index_in_child, run_index_child, ChildLimits, MEMORY_LIMIT_ENV};
pub use error::{IngestError, PdfError};
pub use export::{export_annotated, ExportOptions, ExportSummary};
pub use index::{index_file, IndexedPage, IndexedPdf};
pub use library::{locate_library, LIBRARY_ENV};
pub use pages::{PageImage, PageServer, PageServerOptions, PageServerStats, MAX_WIDTH_PX, MIN_WIDTH_PX};
pub use text_layer::{PageText, TextRun};
