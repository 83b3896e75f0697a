//! Uploads: size limit, type by content, Office files converted to PDF by LibreOffice
//! ([`crate::office`]), SHA-256, PDFium indexing in a child process with a time and memory limit,
//! then the blobs, then the document (or its next revision, with what changed) decided and
//! committed by the writer before the answer. An upload id makes a retried upload answer as the
//! first one did.

use phonghop_core::{Actor, IndexedPage, NewDocument, NewFile, NewRevision, Request};
use phonghop_pdf::IngestError;
use phonghop_protocol::http::UploadResponse;
use phonghop_protocol::{
    CommandResult, DocumentId, ErrorCode, ItemId, MeetingEvent, MeetingId, OriginalFile, Role, Sha256,
};
use phonghop_store::Receipt;
use sha2::Digest;

use crate::error::{ApiError, ApiResult};
use crate::office::{sniff, Content, ConvertError};
use crate::writer::Origin;
use crate::App;

/// What the uploader says about the file; the content decides what it is.
#[derive(Debug, Clone)]
pub struct Upload {
    pub meeting_id: MeetingId,
    pub target: Target,
    pub file_name: String,
    /// Chosen by the uploader, unique per upload: the same id again is answered as the first
    /// time, and records nothing more.
    pub upload_id: Option<String>,
}

/// Where an upload goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// A new document of an agenda item. An empty title comes from the file name.
    NewDocument { item_id: ItemId, title: String },
    /// The next revision of a document.
    Revision { document_id: DocumentId },
}

/// Upload ids and command ids are a person's own; kept apart by this prefix in the receipts.
const UPLOAD_RECEIPT_PREFIX: &str = "upload:";
const MAX_UPLOAD_ID_BYTES: usize = 128;

fn refusal(error: IngestError) -> ApiError {
    match error {
        IngestError::NotAPdf => ApiError::new(ErrorCode::InvalidDocument, "the content is not a PDF"),
        IngestError::Encrypted => ApiError::new(ErrorCode::EncryptedDocument, ""),
        IngestError::Unreadable(detail) => ApiError::new(ErrorCode::InvalidDocument, detail),
        IngestError::TimedOut(limit) => ApiError::new(
            ErrorCode::InvalidDocument,
            format!("reading the PDF took longer than {} s", limit.as_secs()),
        ),
        IngestError::TooComplex(detail) => ApiError::new(ErrorCode::DocumentTooComplex, detail),
        IngestError::Crashed(detail) => {
            ApiError::new(ErrorCode::InvalidDocument, format!("the PDF reader failed: {detail}"))
        }
        IngestError::Library(detail) => {
            tracing::error!(%detail, "PDFium is not available for ingest");
            ApiError::new(ErrorCode::Internal, "the PDF library is not available on the server")
        }
        IngestError::Io(error) if crate::error::is_disk_full(&error) => disk_full(&error),
        IngestError::Io(error) => {
            tracing::error!(%error, "ingest I/O failure");
            ApiError::new(ErrorCode::Internal, "")
        }
    }
}

/// Whether `uploader`, whose role in the meeting is `role` (`None`: not a member), may send it
/// documents. Asked before an upload is read, so a refused one is not converted or indexed; the
/// rules decide again when the document is added.
pub fn may_upload(role: Option<Role>, uploader: &Actor) -> ApiResult<()> {
    match role {
        Some(role) if phonghop_core::roles::capabilities(role, uploader.is_admin).upload_documents => Ok(()),
        Some(_) => Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the secretariat and the chair upload documents",
        )),
        None => Err(ApiError::new(ErrorCode::NotFound, "no such meeting for this user")),
    }
}

/// Validates, converts, indexes and stores one upload by `uploader`, then announces it to the
/// meeting.
pub async fn ingest(
    app: &App,
    uploader: Actor,
    origin: Origin,
    upload: Upload,
    bytes: &[u8],
) -> ApiResult<UploadResponse> {
    let receipt = match &upload.upload_id {
        Some(upload_id) if upload_id.is_empty() || upload_id.len() > MAX_UPLOAD_ID_BYTES => {
            return Err(ApiError::new(
                ErrorCode::InvalidMessage,
                format!("an upload id is 1 to {MAX_UPLOAD_ID_BYTES} bytes"),
            ));
        }
        Some(upload_id) => Some(Receipt {
            user: uploader.user,
            command_id: format!("{UPLOAD_RECEIPT_PREFIX}{upload_id}"),
        }),
        None => None,
    };
    // A retried upload is answered without converting or indexing it again.
    if let Some(receipt) = &receipt {
        if let Some(Some(result)) = app.store.processed(std::slice::from_ref(receipt)).await?.pop() {
            return answer_from_receipt(app, upload.meeting_id, result).await;
        }
    }
    if bytes.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidDocument, "the file is empty"));
    }
    let current = match &upload.target {
        Target::Revision { document_id } => Some(
            app.store
                .document(upload.meeting_id, *document_id)
                .await?
                .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no document {document_id}")))?,
        ),
        Target::NewDocument { .. } => None,
    };
    let taken = take_in(app, bytes).await?;
    if let Some(document) = current
        .as_ref()
        .filter(|document| document.current.sha256 == taken.sha256)
    {
        // The same file again: recognised, nothing recorded.
        return Ok(UploadResponse {
            document: document.clone(),
            seq: app.store.last_seq(upload.meeting_id).await?,
            unchanged: true,
        });
    }
    let changes = match &current {
        Some(document) => {
            let before = app
                .store
                .revision_texts(upload.meeting_id, document.id, document.current.revision)
                .await?;
            let after: Vec<String> = taken.pages.iter().map(|page| page.text.clone()).collect();
            Some(phonghop_core::revision_changes(&before, &after))
        }
        None => None,
    };
    let file = NewFile {
        file_name: upload.file_name,
        sha256: taken.sha256,
        size: taken.size,
        pages: taken.pages,
        original: taken.original,
        unrenderable_pages: taken.unrenderable_pages,
        changes,
    };
    let request = match (upload.target, current) {
        (Target::NewDocument { item_id, title }, _) => Request::AddDocument(NewDocument { item_id, title, file }),
        (Target::Revision { document_id }, Some(document)) => Request::AddRevision(NewRevision {
            document_id,
            based_on: document.current.revision,
            file,
        }),
        (Target::Revision { .. }, None) => unreachable!("a revision's document was read above"),
    };
    let done = app
        .writer
        .submit(upload.meeting_id, uploader, origin, receipt, request)
        .await?;
    match done.events.into_iter().next() {
        Some((seq, event)) => response(seq, event),
        // Answered from the receipt of an upload with the same id that finished meanwhile.
        None => answer_from_receipt(app, upload.meeting_id, done.result).await,
    }
}

/// A file taken in: the PDF councillors read (kept as a blob), what the indexer read of it, and
/// the Office file it was converted from (kept as a blob too).
struct Taken {
    sha256: Sha256,
    size: u64,
    pages: Vec<IndexedPage>,
    /// Pages PDFium loads but will not draw, found by the indexer drawing each page.
    unrenderable_pages: Vec<u32>,
    original: Option<OriginalFile>,
}

async fn take_in(app: &App, bytes: &[u8]) -> ApiResult<Taken> {
    let (pdf, original) = match sniff(bytes) {
        Content::Office(format) => {
            let pdf = app.office.convert(bytes, format).await.map_err(conversion_refusal)?;
            (std::borrow::Cow::Owned(pdf), Some(format))
        }
        Content::EncryptedOffice => {
            return Err(ApiError::new(
                ErrorCode::EncryptedDocument,
                "the Office file is protected by a password",
            ))
        }
        Content::Program => {
            return Err(ApiError::new(
                ErrorCode::InvalidDocument,
                "the file is a program, not a PDF or Office document",
            ))
        }
        Content::OtherContainer => {
            return Err(ApiError::new(
                ErrorCode::InvalidDocument,
                "the file is an archive, not a PDF or Office document",
            ))
        }
        Content::Pdf | Content::Unknown => (std::borrow::Cow::Borrowed(bytes), None),
    };
    let sha256 = Sha256::from_digest(&sha2::Sha256::digest(&pdf).into());
    let incoming = app
        .blobs
        .write_incoming(&pdf)
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
    let original = match original {
        Some(format) => {
            let original_sha256 = Sha256::from_digest(&sha2::Sha256::digest(bytes).into());
            let incoming = app
                .blobs
                .write_incoming(bytes)
                .map_err(|err| refusal(IngestError::Io(err)))?;
            app.blobs
                .keep(incoming, &original_sha256)
                .map_err(|err| refusal(IngestError::Io(err)))?;
            Some(OriginalFile {
                // Named by the decision, after the upload.
                file_name: String::new(),
                sha256: original_sha256,
                size: bytes.len() as u64,
                media_type: format.media_type.to_owned(),
            })
        }
        None => None,
    };
    Ok(Taken {
        sha256,
        size: pdf.len() as u64,
        pages: indexed
            .pages
            .into_iter()
            .map(|page| IndexedPage {
                width_pt: page.width_pt,
                height_pt: page.height_pt,
                text: page.text,
            })
            .collect(),
        unrenderable_pages: indexed.unrenderable_pages,
        original,
    })
}

fn conversion_refusal(error: ConvertError) -> ApiError {
    match error {
        ConvertError::Unavailable => ApiError::new(ErrorCode::OfficeConversionUnavailable, "LibreOffice was not found"),
        ConvertError::Failed(detail) => ApiError::new(ErrorCode::OfficeConversionFailed, detail),
        ConvertError::TimedOut(limit) => ApiError::new(
            ErrorCode::OfficeConversionFailed,
            format!("converting took longer than {} s", limit.as_secs()),
        ),
        ConvertError::Io(error) if crate::error::is_disk_full(&error) => disk_full(&error),
        ConvertError::Io(error) => {
            tracing::error!(%error, "Office conversion I/O failure");
            ApiError::new(ErrorCode::Internal, "")
        }
    }
}

/// An upload the disk had no room for: nothing of it was kept (its incoming file is removed).
fn disk_full(error: &std::io::Error) -> ApiError {
    tracing::error!(%error, "the disk is full: an upload was refused");
    ApiError::new(ErrorCode::StorageFull, "no space left on the server's disk")
}

fn response(seq: u32, event: MeetingEvent) -> ApiResult<UploadResponse> {
    match event {
        MeetingEvent::DocumentAdded { document } | MeetingEvent::DocumentRevised { document } => Ok(UploadResponse {
            document: *document,
            seq,
            unchanged: false,
        }),
        other => Err(ApiError::new(
            ErrorCode::Internal,
            format!("taking a document in logged {other:?}"),
        )),
    }
}

/// The answer an upload got the first time: the document as its event logged it.
async fn answer_from_receipt(app: &App, meeting: MeetingId, result: CommandResult) -> ApiResult<UploadResponse> {
    let CommandResult::Logged { seq } = result else {
        return Err(ApiError::new(
            ErrorCode::InvalidMessage,
            "this id was used for a ballot",
        ));
    };
    match app.store.events_after(meeting, seq.saturating_sub(1), 1).await?.pop() {
        Some((logged, event)) if logged == seq => response(seq, event),
        // The same file as the current revision recorded no event.
        _ => Err(ApiError::new(
            ErrorCode::InvalidMessage,
            "this upload id was already used for another request",
        )),
    }
}
