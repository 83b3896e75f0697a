//! Document bytes on disk, named by their SHA-256, and serving them with `ETag` and `Range` so
//! an interrupted download resumes.

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use phonghop_protocol::Sha256;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// The blob folder. Only a [`Sha256`] (64 lower-case hex characters) names a file in it, so no
/// path from a client reaches the file system.
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn open(root: PathBuf) -> std::io::Result<BlobStore> {
        std::fs::create_dir_all(root.join("incoming"))?;
        Ok(BlobStore { root })
    }

    pub fn path_of(&self, sha256: &Sha256) -> PathBuf {
        let name = sha256.as_str();
        self.root.join(&name[..2]).join(name)
    }

    /// A fresh file for an upload in progress, in the same file system as the blobs so that
    /// the final rename is atomic.
    pub fn incoming(&self) -> std::io::Result<tempfile::NamedTempFile> {
        tempfile::NamedTempFile::new_in(self.root.join("incoming"))
    }

    /// Writes `bytes` to a new incoming file and syncs it to disk.
    pub fn write_incoming(&self, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
        let mut file = self.incoming()?;
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        Ok(file)
    }

    /// Moves a synced incoming file to its place; a blob already stored is kept as it is.
    pub fn keep(&self, incoming: tempfile::NamedTempFile, sha256: &Sha256) -> std::io::Result<PathBuf> {
        let target = self.path_of(sha256);
        if target.exists() {
            return Ok(target);
        }
        let folder = target.parent().expect("blob paths have a folder");
        std::fs::create_dir_all(folder)?;
        incoming.persist(&target).map_err(|err| err.error)?;
        sync_folder(folder)?;
        Ok(target)
    }
}

/// Syncs a folder so a file just renamed into it survives a crash.
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    std::fs::File::open(folder)?.sync_all()
}

/// Serves a blob file, whole or one byte range, with its hash as a strong `ETag`.
pub async fn serve_file(path: &Path, sha256: &Sha256, request_headers: &HeaderMap) -> Response {
    let etag = format!("\"{sha256}\"");
    if request_headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mut file = match tokio::fs::File::open(path).await {
        Ok(file) => file,
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    let size = match file.metadata().await {
        Ok(metadata) => metadata.len(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let range = request_headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|v| parse_range(v, size));
    let (status, start, end) = match range {
        None => (StatusCode::OK, 0, size),
        Some(Some((start, end))) => (StatusCode::PARTIAL_CONTENT, start, end),
        Some(None) => {
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(header::CONTENT_RANGE, format!("bytes */{size}"))],
            )
                .into_response()
        }
    };
    if file.seek(std::io::SeekFrom::Start(start)).await.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    // Streamed, so a hall of laptops fetching a large report does not hold it in memory once
    // per download.
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file.take(end - start)));
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex etag is a valid header"),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        let content_range = format!("bytes {start}-{}/{size}", end - 1);
        headers.insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&content_range).expect("valid header"),
        );
    }
    response
}

/// Parses one `bytes=a-b`, `bytes=a-` or `bytes=-n` range into a half-open `[start, end)`;
/// `None` when it cannot be satisfied.
fn parse_range(value: &str, size: u64) -> Option<(u64, u64)> {
    let spec = value.strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (start, end) = if first.is_empty() {
        let suffix: u64 = last.parse().ok()?;
        (size.saturating_sub(suffix), size)
    } else {
        let start: u64 = first.parse().ok()?;
        let end = if last.is_empty() {
            size
        } else {
            last.parse::<u64>().ok()?.saturating_add(1).min(size)
        };
        (start, end)
    };
    (start < end && start < size).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_half_open_and_clamped() {
        assert_eq!(parse_range("bytes=0-99", 1000), Some((0, 100)));
        assert_eq!(parse_range("bytes=900-", 1000), Some((900, 1000)));
        assert_eq!(parse_range("bytes=-100", 1000), Some((900, 1000)));
        assert_eq!(parse_range("bytes=990-2000", 1000), Some((990, 1000)));
        assert_eq!(parse_range("bytes=1000-", 1000), None);
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(parse_range("lines=1-2", 1000), None);
    }
}
