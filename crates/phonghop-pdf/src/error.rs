//! The crate's two error types: why an uploaded file was refused, and why a page could not be shown.

use std::time::Duration;

/// Why a file could not be indexed. Each variant is a distinct reason a person can be told about and
/// act on, so callers match on the variant and never on the message.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The content does not start like a PDF (judged by the bytes, not the file name).
    #[error("the file is not a PDF")]
    NotAPdf,
    /// The document is protected by a password (or a security scheme PDFium does not support).
    #[error("the PDF is password-protected")]
    Encrypted,
    /// PDFium could not parse the document, or it has no pages.
    #[error("the PDF cannot be read: {0}")]
    Unreadable(String),
    /// The indexing child ran past its time limit and was killed.
    #[error("indexing took longer than {0:?} and was stopped")]
    TimedOut(std::time::Duration),
    /// Reading the document ran the indexing child out of the memory it is allowed (PDFium's or
    /// the child's own allocation failed): the document is too large or too complex to read.
    #[error("the PDF is too large or too complex to read: {0}")]
    TooComplex(String),
    /// The indexing child died (a signal other than running out of memory) or printed nothing
    /// usable.
    #[error("the indexing process failed: {0}")]
    Crashed(String),
    /// libpdfium was not found or could not be bound.
    #[error("PDFium is not available: {0}")]
    Library(String),
    /// Reading the file or starting the child failed.
    #[error("input/output error: {0}")]
    Io(#[from] std::io::Error),
}

impl IngestError {
    /// The child's report of a timeout carries milliseconds; this keeps the conversion in one place.
    pub(crate) fn timed_out_millis(millis: u64) -> Self {
        IngestError::TimedOut(Duration::from_millis(millis))
    }
}

/// Why the renderer could not answer. `Clone`, because one rendered page answers everyone awaiting it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PdfError {
    /// libpdfium was not found or could not be bound.
    #[error("PDFium is not available: {0}")]
    Library(String),
    /// The document could not be opened.
    #[error("cannot open the PDF: {0}")]
    Open(String),
    /// The requested page does not exist; `count` lets the caller clamp or explain.
    #[error("page {index} does not exist; the document has {count} pages")]
    NoSuchPage { index: u32, count: u32 },
    /// PDFium or the PNG encoder failed on an existing page.
    #[error("cannot render the page: {0}")]
    Render(String),
    /// An annotated copy could not be made: an annotation PDFium would not write, or the file
    /// could not be saved.
    #[error("cannot export the annotated copy: {0}")]
    Export(String),
    /// The render thread is gone (it panicked or its channel closed).
    #[error("the render thread has stopped")]
    RendererStopped,
}
