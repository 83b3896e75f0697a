//! Uploads: size limit, type by content, SHA-256, PDFium indexing in a child process with a
//! time and memory limit, then the blob and the document, committed before the answer.

use phonghop_pdf::IngestError;
use phonghop_protocol::http::UploadResponse;
use phonghop_protocol::{ErrorCode, MeetingEvent};
use phonghop_store::{NewDocument, NewPage};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::App;

/// What the uploader says about the file; the content decides what it is.
#[derive(Debug, Clone)]
pub struct Upload {
    pub meeting_id: u32,
    pub item_id: u32,
    pub title: String,
    pub file_name: String,
}

/// The name a person sees, without any folder part: paths from clients never reach the disk.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() || cleaned == "." || cleaned == ".." {
        "tai-lieu.pdf".to_owned()
    } else {
        cleaned.trim().to_owned()
    }
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

/// Validates, indexes and stores one upload, then announces it to the meeting.
pub async fn ingest(app: &App, upload: Upload, bytes: &[u8]) -> ApiResult<UploadResponse> {
    if bytes.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidDocument, "the file is empty"));
    }
    if looks_like_office(bytes) {
        return Err(ApiError::new(
            ErrorCode::OfficeConversionUnavailable,
            "LibreOffice was not found",
        ));
    }
    if !app.store.item_in_meeting(upload.meeting_id, upload.item_id).await? {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "no such agenda item in this meeting",
        ));
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
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
            .map(|page| NewPage {
                width_pt: page.width_pt,
                height_pt: page.height_pt,
                text: page.text,
            })
            .collect(),
    };
    let meeting_id = upload.meeting_id;
    let (seq, event) = app
        .hub
        .logged(meeting_id, || app.store.add_document(meeting_id, &document))
        .await?;
    match event {
        MeetingEvent::DocumentAdded { document } => Ok(UploadResponse { document, seq }),
        other => Err(ApiError::new(
            ErrorCode::Internal,
            format!("unexpected event {other:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\Users\\x\\Tờ trình.pdf"), "Tờ trình.pdf");
        assert_eq!(clean_file_name(".."), "tai-lieu.pdf");
        assert_eq!(clean_file_name(""), "tai-lieu.pdf");
    }
}
