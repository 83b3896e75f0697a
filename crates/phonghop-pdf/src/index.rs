//! In-process indexing: page sizes and text of one document, read with PDFium, and which pages
//! PDFium cannot draw. Runs inside the indexing child (see `child.rs`), never in the server itself,
//! because PDFium on a hostile file can crash or run away with memory.

use std::io::Read;
use std::path::Path;

use pdfium_render::prelude::{PdfDocument, PdfPage, PdfiumError, PdfiumInternalError};
use serde::{Deserialize, Serialize};

use crate::error::{IngestError, PdfError};
use crate::library::bound_pdfium;
use crate::thumbnail::ThumbnailCheck;

/// How far into a file the `%PDF-` marker may sit; PDFium and other readers accept leading junk up to
/// this offset, so a stricter check would refuse files they open.
pub(crate) const HEADER_WINDOW: usize = 1024;

/// One page as the search index and the page layout need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexedPage {
    pub width_pt: f32,
    pub height_pt: f32,
    pub text: String,
}

/// A whole document's pages, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexedPdf {
    pub pages: Vec<IndexedPage>,
    /// Pages (0-based, ascending) PDFium loads but will not draw: a viewer shows a placeholder
    /// for them instead of asking PDFium again.
    pub unrenderable_pages: Vec<u32>,
}

/// Indexes `pdf` in this process, binding PDFium on first use.
pub fn index_file(pdf: &Path) -> Result<IndexedPdf, IngestError> {
    let mut head = Vec::with_capacity(HEADER_WINDOW);
    std::fs::File::open(pdf)?
        .take(HEADER_WINDOW as u64)
        .read_to_end(&mut head)?;
    if !starts_like_pdf(&head) {
        return Err(IngestError::NotAPdf);
    }
    let pdfium = bound_pdfium().map_err(|error| match error {
        PdfError::Library(message) => IngestError::Library(message),
        other => IngestError::Library(other.to_string()),
    })?;
    let document = pdfium.load_pdf_from_file(pdf, None).map_err(refusal_for_load_error)?;
    read_pages(&document)
}

/// True when the first bytes hold the `%PDF-` marker. Decided by content, because uploads arrive with
/// whatever name the sender gave them.
pub(crate) fn starts_like_pdf(head: &[u8]) -> bool {
    let window = &head[..head.len().min(HEADER_WINDOW)];
    window.windows(5).any(|bytes| bytes == b"%PDF-")
}

fn read_pages(document: &PdfDocument<'_>) -> Result<IndexedPdf, IngestError> {
    let pages = document.pages();
    let count = pages.len();
    if count <= 0 {
        return Err(IngestError::Unreadable("the document has no pages".to_owned()));
    }
    // Pages are fetched by index rather than with `pages.iter()`, which silently stops at the first
    // page PDFium fails to load and would index a truncated document as if it were whole.
    let mut indexed = Vec::with_capacity(count as usize);
    let mut unrenderable_pages = Vec::new();
    let mut thumbnails = ThumbnailCheck::default();
    for (index, position) in (0..count).zip(0u32..) {
        let page = document
            .pages()
            .get(index)
            .map_err(|error| IngestError::Unreadable(format!("page {} cannot be loaded: {error:?}", position + 1)))?;
        indexed.push(read_page(&page, position)?);
        // Drawn here, in the indexing child, because a page that runs PDFium out of memory or
        // crashes it while drawing must take down this child, not the app of each councillor.
        if thumbnails.draw(&page).is_err() {
            unrenderable_pages.push(position);
        }
    }
    if unrenderable_pages.len() == indexed.len() {
        // Nothing of it could be shown to anyone: refused like a file PDFium cannot read.
        return Err(IngestError::Unreadable(
            "PDFium cannot draw any page of the document".to_owned(),
        ));
    }
    Ok(IndexedPdf {
        pages: indexed,
        unrenderable_pages,
    })
}

fn read_page(page: &PdfPage<'_>, position: u32) -> Result<IndexedPage, IngestError> {
    let text = page.text().map_err(|error| {
        IngestError::Unreadable(format!("the text of page {} cannot be read: {error:?}", position + 1))
    })?;
    Ok(IndexedPage {
        width_pt: page.width().value,
        height_pt: page.height().value,
        text: text.all(),
    })
}

/// PDFium reports why a load failed only through `FPDF_GetLastError`, which pdfium-render wraps as
/// `PdfiumLibraryInternalError`; the password case is the one a person can fix, so it gets its own
/// variant.
pub(crate) fn refusal_for_load_error(error: PdfiumError) -> IngestError {
    match error {
        // An unsupported security handler is also encryption: the remedy for the person is the same
        // (send an unprotected copy), so it is not told apart from a password.
        PdfiumError::PdfiumLibraryInternalError(
            PdfiumInternalError::PasswordError | PdfiumInternalError::SecurityError,
        ) => IngestError::Encrypted,
        PdfiumError::IoError(io) => IngestError::Io(io),
        other => IngestError::Unreadable(describe_load_error(&other)),
    }
}

/// A short, stable description instead of pdfium-render's multi-line `Display`.
pub(crate) fn describe_load_error(error: &PdfiumError) -> String {
    match error {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => {
            "PDFium could not parse the file (damaged or not a valid PDF)".to_owned()
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FileError) => {
            "PDFium could not open or read the file".to_owned()
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PageError) => {
            "PDFium could not load the document's pages".to_owned()
        }
        other => format!("PDFium error: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::starts_like_pdf;

    #[test]
    fn header_is_recognised_by_content_within_the_first_kilobyte() {
        let cases: &[(&[u8], bool)] = &[
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", true),
            (b"\xef\xbb\xbf%PDF-1.4", true),
            (b"", false),
            (b"PK\x03\x04\x14\x00", false),
            (b"ma_dai_bieu,ho_ten,chuc_vu\n", false),
            (b"%PDF", false),
        ];
        for (head, expected) in cases {
            assert_eq!(starts_like_pdf(head), *expected, "{:?}", String::from_utf8_lossy(head));
        }
        let mut late = vec![b' '; 1019];
        late.extend_from_slice(b"%PDF-1.5");
        assert!(
            starts_like_pdf(&late),
            "marker ending at byte 1024 is inside the window"
        );
        let mut too_late = vec![b' '; 1020];
        too_late.extend_from_slice(b"%PDF-1.5");
        assert!(
            !starts_like_pdf(&too_late),
            "marker past byte 1024 is outside the window"
        );
    }
}
