//! Uploads: size limit, type by content, SHA-256, PDFium indexing in a child process with a
//! time and memory limit, then the blob, then the document decided and committed by the writer
//! before the answer.

use phonghop_core::{Actor, IndexedPage, NewDocument, Request};
use phonghop_pdf::IngestError;
use phonghop_protocol::http::UploadResponse;
use phonghop_protocol::{ErrorCode, ItemId, MeetingEvent, MeetingId, Sha256};
use sha2::Digest;

use crate::error::{ApiError, ApiResult};
use crate::App;

/// What the uploader says about the file; the content decides what it is.
#[derive(Debug, Clone)]
pub struct Upload {
    pub meeting_id: MeetingId,
    pub item_id: ItemId,
    /// Empty: the title comes from the file name.
    pub title: String,
    pub file_name: String,
}

/// Office documents are ZIP (docx, xlsx, pptx, odt) or OLE2 (doc, xls) containers.
fn looks_like_office(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}

fn refusal(error: IngestError) -> ApiError {
    match error {
        IngestError::NotAPdf => ApiError::new(ErrorCode::InvalidDocument, "the content is not a PDF"),
        IngestError::Encrypted => ApiError::new(ErrorCode::EncryptedDocument, ""),
        IngestError::Unreadable(detail) => ApiError::new(ErrorCode::InvalidDocument, detail),
        IngestError::TimedOut(limit) => ApiError::new(
            ErrorCode::InvalidDocument,
            format!("reading the PDF took longer than {} s", limit.as_secs()),
        ),
        IngestError::Crashed(detail) => {
            ApiError::new(ErrorCode::InvalidDocument, format!("the PDF reader failed: {detail}"))
        }
        IngestError::Library(detail) => {
            tracing::error!(%detail, "PDFium is not available for ingest");
            ApiError::new(ErrorCode::Internal, "the PDF library is not available on the server")
        }
        IngestError::Io(error) => {
            tracing::error!(%error, "ingest I/O failure");
            ApiError::new(ErrorCode::Internal, "")
        }
    }
}

/// Validates, indexes and stores one upload by `uploader`, then announces it to the meeting.
pub async fn ingest(app: &App, uploader: Actor, upload: Upload, bytes: &[u8]) -> ApiResult<UploadResponse> {
    if bytes.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidDocument, "the file is empty"));
    }
    if looks_like_office(bytes) {
        return Err(ApiError::new(
            ErrorCode::OfficeConversionUnavailable,
            "LibreOffice was not found",
        ));
    }
    let sha256 = Sha256::from_digest(&sha2::Sha256::digest(bytes).into());
    let incoming = app
        .blobs
        .write_incoming(bytes)
        .map_err(|err| refusal(IngestError::Io(err)))?;
    let indexed = phonghop_pdf::index_in_child(&app.config.indexer, &[], incoming.path(), &app.config.indexer_limits)
        .await
        .map_err(refusal)?;
    if indexed.pages.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidDocument, "the PDF has no pages"));
    }
    app.blobs
        .keep(incoming, &sha256)
        .map_err(|err| refusal(IngestError::Io(err)))?;
    let document = NewDocument {
        item_id: upload.item_id,
        title: upload.title,
        file_name: upload.file_name,
        sha256,
        size: bytes.len() as u64,
        pages: indexed
            .pages
            .into_iter()
            .map(|page| IndexedPage {
                width_pt: page.width_pt,
                height_pt: page.height_pt,
                text: page.text,
            })
            .collect(),
    };
    let done = app
        .writer
        .submit(upload.meeting_id, uploader, None, Request::AddDocument(document))
        .await?;
    match done.events.into_iter().next() {
        Some((seq, MeetingEvent::DocumentAdded { document })) => Ok(UploadResponse { document, seq }),
        other => Err(ApiError::new(
            ErrorCode::Internal,
            format!("adding a document logged {other:?}"),
        )),
    }
}
