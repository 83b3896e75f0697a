//! Document bytes on disk, named by their SHA-256, and serving them with `ETag` and `Range` so
//! an interrupted download resumes: from memory while they are hot ([`HotBlobs`]), else
//! streamed from disk in large steps.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::Stream;
use phonghop_protocol::Sha256;

use crate::hot_blobs::{HotBlobs, Source};

/// The blob folder. Only a [`Sha256`] (64 lower-case hex characters) names a file in it, so no
/// path from a client reaches the file system.
pub struct BlobStore {
    root: PathBuf,
    /// Blobs being downloaded, kept in memory up to a budget.
    hot: HotBlobs,
}

impl BlobStore {
    /// Opens the folder; up to `hot_budget` bytes of blobs are kept in memory while downloaded.
    pub fn open(root: PathBuf, hot_budget: u64) -> std::io::Result<BlobStore> {
        std::fs::create_dir_all(root.join("incoming"))?;
        Ok(BlobStore {
            root,
            hot: HotBlobs::new(hot_budget),
        })
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

/// Bytes read from disk per step of a download of a blob not kept in memory. Large, so that the hop to a blocking thread and
/// the system calls are small beside copying the bytes (4 KiB steps held downloads to a few
/// percent of what the disk and the network give); bounded, so that each download in flight
/// holds at most about one step in memory, however large the file.
pub const CHUNK_BYTES: u64 = 1024 * 1024;

impl BlobStore {
    /// Serves a blob, whole or one byte range, with its hash as a strong `ETag`
    /// (docs/protocol.md §3.10).
    pub async fn serve(&self, sha256: &Sha256, request_headers: &HeaderMap) -> Response {
        let etag = format!("\"{sha256}\"");
        if request_headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
        }
        let source = match self.hot.source(sha256, &self.path_of(sha256)).await {
            Ok(source) => source,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return StatusCode::NOT_FOUND.into_response(),
            Err(error) => {
                tracing::error!(%error, %sha256, "a blob file cannot be read");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let size = match &source {
            Source::Memory(bytes) => bytes.len() as u64,
            Source::Disk(_, size) => *size,
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
        let body = match source {
            // The bytes are shared: a download holds a reference, not a copy.
            Source::Memory(bytes) => Body::from(bytes.slice(start as usize..end as usize)),
            // Streamed, so a hall of laptops fetching a large report does not hold it in memory
            // once per download.
            Source::Disk(file, _) => Body::from_stream(read_chunks(file, start, end)),
        };
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
}

/// Opens a blob file and reads its size, in one hop to a blocking thread.
pub(crate) async fn open(path: PathBuf) -> std::io::Result<(File, u64)> {
    tokio::task::spawn_blocking(move || {
        let file = File::open(path)?;
        let size = file.metadata()?.len();
        Ok((file, size))
    })
    .await
    .map_err(std::io::Error::other)?
}

/// The bytes `[start, end)` of `file`, [`CHUNK_BYTES`] at a time, each step read on a blocking
/// thread straight into the buffer that is sent (no copy between buffers).
fn read_chunks(file: File, start: u64, end: u64) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
    futures_util::stream::try_unfold((file, start), move |(file, at)| async move {
        if at >= end {
            return Ok(None);
        }
        let length = (end - at).min(CHUNK_BYTES);
        let (file, chunk) = tokio::task::spawn_blocking(move || {
            let chunk = read_at(&file, at, length);
            (file, chunk)
        })
        .await
        .map_err(std::io::Error::other)?;
        Ok(Some((Bytes::from(chunk?), (file, at + length))))
    })
}

/// Reads exactly `length` bytes at `offset`. A file shorter than that is an error: its length
/// was already promised in `Content-Length`.
pub(crate) fn read_at(mut file: &File, offset: u64, length: u64) -> std::io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(offset))?;
    // Read into spare capacity: nothing is zeroed first only to be overwritten.
    let mut chunk = Vec::with_capacity(length as usize);
    file.take(length).read_to_end(&mut chunk)?;
    if chunk.len() as u64 != length {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the blob file is shorter than when its download began",
        ));
    }
    Ok(chunk)
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

    /// The budgets a store is tested with: nothing kept (every download streamed from disk), and
    /// room for the test blob (downloads from memory).
    const BUDGETS: [u64; 2] = [0, 16 * CHUNK_BYTES];

    /// A store holding one blob of a little over two read steps, whose bytes tell their
    /// position apart.
    fn store_with_blob(budget: u64) -> (tempfile::TempDir, BlobStore, Vec<u8>, Sha256) {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let store = BlobStore::open(folder.path().join("blobs"), budget).expect("the store opens");
        let bytes: Vec<u8> = (0..2 * CHUNK_BYTES + 12_345).map(|at| (at % 251) as u8).collect();
        let sha256 = Sha256::parse(&"ab".repeat(32)).expect("a valid hash");
        let path = store.path_of(&sha256);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("the folder is made");
        std::fs::write(&path, &bytes).expect("the blob is written");
        (folder, store, bytes, sha256)
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_str(value).expect("a valid header")))
            .collect()
    }

    fn header_of(response: &Response, name: header::HeaderName) -> Option<String> {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().expect("text").to_owned())
    }

    async fn body_of(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the body is read")
            .to_vec()
    }

    #[tokio::test]
    async fn whole_files_and_ranges_across_read_steps_carry_exactly_their_bytes() {
        for budget in BUDGETS {
            let (_folder, store, bytes, sha256) = store_with_blob(budget);
            let size = bytes.len() as u64;
            let chunk = CHUNK_BYTES;
            let cases: Vec<(Option<String>, StatusCode, u64, u64)> = vec![
                (None, StatusCode::OK, 0, size),
                (Some("bytes=0-0".into()), StatusCode::PARTIAL_CONTENT, 0, 1),
                (
                    Some(format!("bytes={}-{}", chunk - 1, chunk)),
                    StatusCode::PARTIAL_CONTENT,
                    chunk - 1,
                    chunk + 1,
                ),
                (
                    Some(format!("bytes={chunk}-")),
                    StatusCode::PARTIAL_CONTENT,
                    chunk,
                    size,
                ),
                (
                    Some(format!("bytes=10-{}", 2 * chunk + 5)),
                    StatusCode::PARTIAL_CONTENT,
                    10,
                    2 * chunk + 6,
                ),
                (Some("bytes=-5".into()), StatusCode::PARTIAL_CONTENT, size - 5, size),
                (
                    Some(format!("bytes={}-", size - 1)),
                    StatusCode::PARTIAL_CONTENT,
                    size - 1,
                    size,
                ),
                (
                    Some(format!("bytes=7-{}", 10 * size)),
                    StatusCode::PARTIAL_CONTENT,
                    7,
                    size,
                ),
            ];
            for (range, status, start, end) in cases {
                let case = format!("{range:?} with a budget of {budget}");
                let request = match &range {
                    Some(range) => headers(&[(header::RANGE, range)]),
                    None => HeaderMap::new(),
                };
                let response = store.serve(&sha256, &request).await;
                assert_eq!(response.status(), status, "{case}");
                assert_eq!(header_of(&response, header::ETAG), Some(format!("\"{sha256}\"")));
                assert_eq!(header_of(&response, header::ACCEPT_RANGES).as_deref(), Some("bytes"));
                assert_eq!(
                    header_of(&response, header::CONTENT_TYPE).as_deref(),
                    Some("application/pdf")
                );
                assert_eq!(
                    header_of(&response, header::CONTENT_LENGTH),
                    Some((end - start).to_string()),
                    "{case}"
                );
                let content_range =
                    (status == StatusCode::PARTIAL_CONTENT).then(|| format!("bytes {start}-{}/{size}", end - 1));
                assert_eq!(header_of(&response, header::CONTENT_RANGE), content_range, "{case}");
                assert!(body_of(response).await == bytes[start as usize..end as usize], "{case}");
            }
        }
    }

    #[tokio::test]
    async fn unsatisfiable_ranges_get_416_with_the_size_and_no_body() {
        for budget in BUDGETS {
            let (_folder, store, bytes, sha256) = store_with_blob(budget);
            let size = bytes.len();
            for range in [
                format!("bytes={size}-"),
                "bytes=0-1,5-6".into(),
                "bytes=5-2".into(),
                "lines=0-1".into(),
            ] {
                let response = store.serve(&sha256, &headers(&[(header::RANGE, &range)])).await;
                assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE, "{range}");
                assert_eq!(
                    header_of(&response, header::CONTENT_RANGE),
                    Some(format!("bytes */{size}"))
                );
                assert!(body_of(response).await.is_empty());
            }
        }
    }

    #[tokio::test]
    async fn the_exact_etag_gets_304_before_the_range_is_looked_at() {
        for budget in BUDGETS {
            let (_folder, store, _bytes, sha256) = store_with_blob(budget);
            let etag = format!("\"{sha256}\"");
            let unchanged = store
                .serve(
                    &sha256,
                    &headers(&[(header::IF_NONE_MATCH, &etag), (header::RANGE, "bytes=999999999-")]),
                )
                .await;
            assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
            assert_eq!(header_of(&unchanged, header::ETAG), Some(etag.clone()));
            assert!(body_of(unchanged).await.is_empty());
            for other in ["*", "W/\"ab\"", "\"khac\""] {
                let response = store.serve(&sha256, &headers(&[(header::IF_NONE_MATCH, other)])).await;
                assert_eq!(response.status(), StatusCode::OK, "{other} is not our ETag");
            }
        }
    }

    #[tokio::test]
    async fn a_missing_file_is_not_found() {
        for budget in BUDGETS {
            let folder = tempfile::tempdir().expect("a temporary folder");
            let store = BlobStore::open(folder.path().join("blobs"), budget).expect("the store opens");
            let sha256 = Sha256::parse(&"cd".repeat(32)).expect("a valid hash");
            let response = store.serve(&sha256, &HeaderMap::new()).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND);
        }
    }

    #[test]
    fn a_file_shorter_than_promised_is_an_error_not_a_short_body() {
        let (_folder, store, bytes, sha256) = store_with_blob(0);
        let file = File::open(store.path_of(&sha256)).expect("the blob opens");
        let size = bytes.len() as u64;
        assert_eq!(
            read_at(&file, size - 3, 3).expect("the last bytes"),
            bytes[bytes.len() - 3..]
        );
        let short = read_at(&file, size - 3, 4).expect_err("one byte too many");
        assert_eq!(short.kind(), std::io::ErrorKind::UnexpectedEof);
    }
}
