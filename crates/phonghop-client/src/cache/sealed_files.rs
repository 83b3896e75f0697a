//! The PDFs on disk, sealed in chunks as they arrive (see `vault.rs` for the format), and their
//! plain copies in memory while the cache is unlocked.
//!
//! PDFium opens documents by path, so an opened document gets a plain copy the renderer can open:
//! on Linux an anonymous memory file (`memfd`, opened as `/proc/self/fd/N`), which is never on a
//! disk and is gone with the app even when it is killed; elsewhere a file in a private temporary
//! folder, removed when the cache locks or the app ends. Locking drops every copy.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use phonghop_protocol::Sha256;
use sha2::Digest;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use super::vault::{file_prefix, plain_bytes_in, OpenKey, CHUNK, FILE_HEADER, FILE_MAGIC, TAG};
use crate::error::{ClientError, Result};

/// Appends a download's bytes to a sealed file, a whole chunk at a time.
pub(crate) struct SealedAppender {
    file: tokio::fs::File,
    key: Arc<OpenKey>,
    prefix: [u8; 8],
    next_chunk: u32,
    pending: Vec<u8>,
}

impl SealedAppender {
    /// Opens the sealed download at `path` to go on with, or starts it; and how many plain bytes it
    /// holds already (its complete chunks: a chunk cut short by a crash is cut off).
    pub(crate) async fn resume(path: &Path, key: Arc<OpenKey>) -> Result<(SealedAppender, u64)> {
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .await?;
        let len = file.metadata().await?.len();
        let mut header = [0u8; FILE_HEADER as usize];
        let prefix = if len >= FILE_HEADER {
            use tokio::io::AsyncReadExt;
            file.read_exact(&mut header).await?;
            (&header[..4] == FILE_MAGIC).then(|| header[4..].try_into().expect("8 bytes"))
        } else {
            None
        };
        let mut appender = SealedAppender {
            file,
            key,
            prefix: prefix.unwrap_or_else(file_prefix),
            next_chunk: 0,
            pending: Vec::with_capacity(CHUNK),
        };
        let kept = if prefix.is_some() { plain_bytes_in(len) } else { 0 };
        appender.cut_to(kept).await?;
        Ok((appender, kept))
    }

    /// Keeps the first `plain` bytes (a multiple of [`CHUNK`]) and drops the rest.
    async fn cut_to(&mut self, plain: u64) -> Result<()> {
        let chunks = plain / CHUNK as u64;
        self.file.set_len(FILE_HEADER + chunks * (CHUNK + TAG) as u64).await?;
        self.file.seek(std::io::SeekFrom::Start(0)).await?;
        self.file.write_all(FILE_MAGIC).await?;
        self.file.write_all(&self.prefix).await?;
        self.file.seek(std::io::SeekFrom::End(0)).await?;
        self.next_chunk = u32::try_from(chunks).map_err(|_| ClientError::Protocol("a document over 256 GiB".into()))?;
        self.pending.clear();
        Ok(())
    }

    /// Starts again from nothing (the server sent the whole file instead of the range asked for).
    pub(crate) async fn restart(&mut self) -> Result<()> {
        self.cut_to(0).await
    }

    pub(crate) async fn write(&mut self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            let take = (CHUNK - self.pending.len()).min(bytes.len());
            self.pending.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.pending.len() == CHUNK {
                self.seal_pending().await?;
            }
        }
        Ok(())
    }

    async fn seal_pending(&mut self) -> Result<()> {
        let sealed = self.key.key.seal_chunk(&self.prefix, self.next_chunk, &self.pending);
        self.file.write_all(&sealed).await?;
        self.next_chunk += 1;
        self.pending.clear();
        Ok(())
    }

    /// Seals what is left (the last, shorter chunk) and syncs the file to disk.
    pub(crate) async fn finish(mut self) -> Result<()> {
        if !self.pending.is_empty() {
            self.seal_pending().await?;
        }
        self.file.sync_all().await?;
        Ok(())
    }

    /// Syncs the complete chunks to disk; the bytes of a chunk not complete yet are dropped (the
    /// download resumes from the last complete chunk). The plain bytes kept.
    pub(crate) async fn stop(self) -> Result<u64> {
        self.file.sync_all().await?;
        Ok(u64::from(self.next_chunk) * CHUNK as u64)
    }
}

/// The plain bytes of a sealed file, and their SHA-256 (read in a blocking thread).
pub(crate) async fn open_sealed(path: &Path, key: Arc<OpenKey>) -> Result<(Vec<u8>, Sha256)> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || open_sealed_now(&path, &key))
        .await
        .map_err(|error| ClientError::Io(std::io::Error::other(error)))?
}

fn open_sealed_now(path: &Path, key: &OpenKey) -> Result<(Vec<u8>, Sha256)> {
    let mut file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut header = [0u8; FILE_HEADER as usize];
    file.read_exact(&mut header)?;
    if &header[..4] != FILE_MAGIC {
        return Err(ClientError::Protocol(format!(
            "{} is not a sealed document",
            path.display()
        )));
    }
    let prefix: [u8; 8] = header[4..].try_into().expect("8 bytes");
    let mut plain = Vec::new();
    let mut hasher = sha2::Sha256::new();
    let mut sealed = vec![0u8; CHUNK + TAG];
    for number in 0u32.. {
        let read = read_up_to(&mut file, &mut sealed)?;
        if read == 0 {
            break;
        }
        let chunk = key.key.open_chunk(&prefix, number, &sealed[..read])?;
        hasher.update(&chunk);
        plain.extend_from_slice(&chunk);
        if read < sealed.len() {
            break;
        }
    }
    Ok((plain, Sha256::from_digest(&hasher.finalize().into())))
}

/// Fills `buffer` as far as the file goes.
fn read_up_to(file: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            read => filled += read,
        }
    }
    Ok(filled)
}

/// Seals a whole file at once (a document kept before the cache was sealed).
pub(crate) fn seal_whole(plain: &[u8], key: &OpenKey, to: &Path) -> Result<()> {
    let prefix = file_prefix();
    let mut out = std::io::BufWriter::new(std::fs::File::create(to)?);
    out.write_all(FILE_MAGIC)?;
    out.write_all(&prefix)?;
    for (number, chunk) in plain.chunks(CHUNK).enumerate() {
        let number = u32::try_from(number).map_err(|_| ClientError::Protocol("a document over 256 GiB".into()))?;
        out.write_all(&key.key.seal_chunk(&prefix, number, chunk))?;
    }
    out.into_inner().map_err(|error| error.into_error())?.sync_all()?;
    Ok(())
}

/// The plain copies of the documents opened while the cache is unlocked.
#[derive(Clone, Default)]
pub(crate) struct PlainCopies {
    copies: Arc<Mutex<HashMap<Sha256, Arc<PlainCopy>>>>,
}

/// One plain copy; the memory file (or temporary file) goes with the last reference.
pub(crate) struct PlainCopy {
    pub path: PathBuf,
    _file: std::fs::File,
    #[cfg(not(target_os = "linux"))]
    _folder: tempfile::TempDir,
}

impl PlainCopies {
    pub(crate) fn get(&self, sha256: &Sha256) -> Option<Arc<PlainCopy>> {
        self.copies.lock().expect("copies lock").get(sha256).cloned()
    }

    /// Keeps `plain` as the copy of `sha256`.
    pub(crate) fn insert(&self, sha256: &Sha256, plain: &[u8]) -> Result<Arc<PlainCopy>> {
        let copy = Arc::new(PlainCopy::of(plain)?);
        self.copies
            .lock()
            .expect("copies lock")
            .insert(sha256.clone(), copy.clone());
        Ok(copy)
    }

    /// Drops the copies of documents no longer kept.
    pub(crate) fn retain(&self, kept: impl Fn(&Sha256) -> bool) {
        self.copies
            .lock()
            .expect("copies lock")
            .retain(|sha256, _| kept(sha256));
    }

    pub(crate) fn clear(&self) {
        self.copies.lock().expect("copies lock").clear();
    }
}

impl PlainCopy {
    #[cfg(target_os = "linux")]
    fn of(plain: &[u8]) -> Result<PlainCopy> {
        use std::os::fd::AsRawFd;
        let fd = rustix::fs::memfd_create("phonghop-document", rustix::fs::MemfdFlags::CLOEXEC)
            .map_err(std::io::Error::from)?;
        let mut file = std::fs::File::from(fd);
        file.write_all(plain)?;
        Ok(PlainCopy {
            path: PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd())),
            _file: file,
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn of(plain: &[u8]) -> Result<PlainCopy> {
        let folder = tempfile::Builder::new().prefix("phonghop-").tempdir()?;
        let path = folder.path().join("document.pdf");
        let mut file = std::fs::File::create(&path)?;
        file.write_all(plain)?;
        Ok(PlainCopy {
            path,
            _file: file,
            _folder: folder,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::vault::DataKey;

    fn open_key() -> Arc<OpenKey> {
        let (key, bytes) = DataKey::generate();
        Arc::new(OpenKey { key, bytes })
    }

    fn sha_of(bytes: &[u8]) -> Sha256 {
        Sha256::from_digest(&sha2::Sha256::digest(bytes).into())
    }

    #[tokio::test]
    async fn a_download_cut_short_resumes_from_its_last_whole_chunk_and_opens_whole() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("a.partial");
        let key = open_key();
        let pdf: Vec<u8> = (0..(CHUNK * 2 + 5000)).map(|i| (i * 7 % 251) as u8).collect();

        let (mut appender, kept) = SealedAppender::resume(&path, key.clone()).await.expect("started");
        assert_eq!(kept, 0);
        appender.write(&pdf[..CHUNK + 1000]).await.expect("written");
        appender.stop().await.expect("stopped");
        let on_disk = std::fs::read(&path).expect("the file");
        assert!(
            !on_disk.windows(64).any(|window| window == &pdf[100..164]),
            "no plain bytes on the disk"
        );

        let (mut appender, kept) = SealedAppender::resume(&path, key.clone()).await.expect("resumed");
        assert_eq!(kept, CHUNK as u64, "the chunk not complete was dropped");
        appender.write(&pdf[CHUNK..]).await.expect("written");
        appender.finish().await.expect("finished");
        let (plain, sha256) = open_sealed(&path, key.clone()).await.expect("opened");
        assert_eq!(plain, pdf);
        assert_eq!(sha256, sha_of(&pdf));
        assert!(
            open_sealed(&path, open_key()).await.is_err(),
            "another key opens nothing"
        );
    }

    #[tokio::test]
    async fn a_sealed_file_cut_or_with_its_chunks_swapped_does_not_pass_as_the_document() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("a.sealed");
        let key = open_key();
        let pdf: Vec<u8> = (0..(CHUNK * 2))
            .map(|i| (i % 13) as u8 + if i < CHUNK { 0 } else { 100 })
            .collect();
        seal_whole(&pdf, &key, &path).expect("sealed");
        assert_eq!(open_sealed(&path, key.clone()).await.expect("opened").1, sha_of(&pdf));

        let whole = std::fs::read(&path).expect("the file");
        let chunk = CHUNK + TAG;
        let head = FILE_HEADER as usize;
        std::fs::write(&path, &whole[..head + chunk]).expect("cut");
        let (_, cut) = open_sealed(&path, key.clone()).await.expect("a shorter file opens");
        assert_ne!(cut, sha_of(&pdf), "but is not the document");

        let swapped = [&whole[..head], &whole[head + chunk..], &whole[head..head + chunk]].concat();
        std::fs::write(&path, swapped).expect("swapped");
        assert!(open_sealed(&path, key).await.is_err());
    }

    #[test]
    fn a_plain_copy_reads_back_by_its_path_and_goes_with_the_cache_lock() {
        let copies = PlainCopies::default();
        let sha256 = sha_of(b"%PDF-1.7 x");
        let path = copies.insert(&sha256, b"%PDF-1.7 x").expect("copied").path.clone();
        assert_eq!(std::fs::read(&path).expect("read by path"), b"%PDF-1.7 x");
        copies.clear();
        assert!(copies.get(&sha256).is_none());
        assert_ne!(std::fs::read(&path).ok().as_deref(), Some(b"%PDF-1.7 x".as_slice()));
    }
}
