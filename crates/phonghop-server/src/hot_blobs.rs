//! The blobs a hall is downloading, kept in memory up to a budget: when thirty-five laptops fetch
//! the same report at once it is read from disk once, and every download sends the same shared
//! bytes instead of copying the file from the page cache again, one step at a time, on a blocking
//! thread. Blobs are named by their hash, so a kept blob can never be stale.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use phonghop_protocol::Sha256;
use tokio::sync::OnceCell;

use crate::blobs::{open, read_at};

/// Where a download's bytes come from.
#[derive(Debug)]
pub enum Source {
    /// The whole blob, shared with every other download of it.
    Memory(Bytes),
    /// The opened file and its size: too large to keep, or the budget is taken by blobs being
    /// loaded.
    Disk(File, u64),
}

pub struct HotBlobs {
    /// Most bytes kept, loaded or being loaded. Bytes of a blob dropped from here while
    /// downloads still send them are freed when the last of those downloads ends.
    budget: u64,
    /// A larger blob is streamed from disk, so that one huge file cannot push out every other.
    largest: u64,
    /// A std mutex: held only to look up, insert or drop entries, never across an await.
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<Sha256, Entry>,
    /// The sizes of every entry, loaded or being loaded.
    held: u64,
    /// Counts look-ups, to find the least recently used entry.
    clock: u64,
}

struct Entry {
    /// Filled once by the first download that finds the blob missing; the others wait for it
    /// instead of each reading the same file.
    bytes: Arc<OnceCell<Bytes>>,
    size: u64,
    last_used: u64,
}

impl HotBlobs {
    /// Keeps up to `budget` bytes; blobs larger than half of it are never kept.
    pub fn new(budget: u64) -> HotBlobs {
        HotBlobs {
            budget,
            largest: budget / 2,
            state: Mutex::new(State::default()),
        }
    }

    /// The blob's bytes from memory, loaded from `path` when they are not there yet; or the
    /// opened file when the blob is not to be kept.
    pub async fn source(&self, sha256: &Sha256, path: &Path) -> std::io::Result<Source> {
        if let Some(cell) = self.lookup(sha256) {
            if let Some(bytes) = cell.get() {
                return Ok(Source::Memory(bytes.clone()));
            }
            return self.fill(sha256, &cell, None, path).await;
        }
        let (file, size) = open(path.to_owned()).await?;
        match self.reserve(sha256, size) {
            Some(cell) => self.fill(sha256, &cell, Some((file, size)), path).await,
            None => Ok(Source::Disk(file, size)),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is consistent after every statement; a panic elsewhere leaves it usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The entry of a blob, marked as just used.
    fn lookup(&self, sha256: &Sha256) -> Option<Arc<OnceCell<Bytes>>> {
        let mut state = self.state();
        state.clock += 1;
        let now = state.clock;
        let entry = state.entries.get_mut(sha256)?;
        entry.last_used = now;
        Some(Arc::clone(&entry.bytes))
    }

    /// Makes room for a blob of `size` bytes by dropping the least recently used loaded blobs;
    /// `None` when it is too large or the room is taken by blobs still loading.
    fn reserve(&self, sha256: &Sha256, size: u64) -> Option<Arc<OnceCell<Bytes>>> {
        if size > self.largest {
            return None;
        }
        let mut state = self.state();
        state.clock += 1;
        let now = state.clock;
        if let Some(entry) = state.entries.get_mut(sha256) {
            // Another download reserved it in the meantime.
            entry.last_used = now;
            return Some(Arc::clone(&entry.bytes));
        }
        while state.held + size > self.budget {
            let oldest = state
                .entries
                .iter()
                .filter(|(_, entry)| entry.bytes.initialized())
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(sha256, _)| sha256.clone())?;
            let dropped = state.entries.remove(&oldest).expect("the oldest entry is there");
            state.held -= dropped.size;
        }
        let bytes = Arc::new(OnceCell::new());
        state.held += size;
        state.entries.insert(
            sha256.clone(),
            Entry {
                bytes: Arc::clone(&bytes),
                size,
                last_used: now,
            },
        );
        Some(bytes)
    }

    /// Loads the blob into its entry, or waits while another download does; reads the file
    /// already opened, or opens it when this download waited and the loading download failed.
    async fn fill(
        &self,
        sha256: &Sha256,
        cell: &OnceCell<Bytes>,
        opened: Option<(File, u64)>,
        path: &Path,
    ) -> std::io::Result<Source> {
        let loaded = cell
            .get_or_try_init(|| async {
                let (file, size) = match opened {
                    Some(opened) => opened,
                    None => open(path.to_owned()).await?,
                };
                read_whole(file, size).await
            })
            .await;
        match loaded {
            Ok(bytes) => Ok(Source::Memory(bytes.clone())),
            Err(error) => {
                self.forget_unloaded(sha256);
                Err(error)
            }
        }
    }

    /// Drops an entry whose loading failed, so its reservation does not hold the budget.
    fn forget_unloaded(&self, sha256: &Sha256) {
        let mut state = self.state();
        if state
            .entries
            .get(sha256)
            .is_some_and(|entry| !entry.bytes.initialized())
        {
            let dropped = state.entries.remove(sha256).expect("the entry is there");
            state.held -= dropped.size;
        }
    }

    /// How many bytes are kept or being loaded, and how many blobs.
    pub fn held(&self) -> (u64, usize) {
        let state = self.state();
        (state.held, state.entries.len())
    }
}

/// Reads a whole file on a blocking thread.
async fn read_whole(file: File, size: u64) -> std::io::Result<Bytes> {
    tokio::task::spawn_blocking(move || read_at(&file, 0, size))
        .await
        .map_err(std::io::Error::other)?
        .map(Bytes::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blob folder with blobs of the given sizes, each filled with its own byte.
    fn blobs(sizes: &[usize]) -> (tempfile::TempDir, Vec<(Sha256, std::path::PathBuf)>) {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let named = sizes
            .iter()
            .enumerate()
            .map(|(index, size)| {
                let sha256 = Sha256::parse(&format!("{index:02x}").repeat(32)).expect("a valid hash");
                let path = folder.path().join(sha256.as_str());
                std::fs::write(&path, vec![index as u8; *size]).expect("the blob is written");
                (sha256, path)
            })
            .collect();
        (folder, named)
    }

    /// The bytes' address: the same address means the same load, shared.
    async fn from_memory(hot: &HotBlobs, (sha256, path): &(Sha256, std::path::PathBuf)) -> Bytes {
        match hot.source(sha256, path).await.expect("the blob is there") {
            Source::Memory(bytes) => bytes,
            Source::Disk(..) => panic!("{sha256} was not kept"),
        }
    }

    #[tokio::test]
    async fn downloads_at_once_share_one_load() {
        let (_folder, named) = blobs(&[1000]);
        let hot = HotBlobs::new(10_000);
        let all = futures_util::future::join_all((0..8).map(|_| from_memory(&hot, &named[0]))).await;
        assert!(all
            .iter()
            .all(|bytes| bytes.as_ptr() == all[0].as_ptr() && bytes.len() == 1000));
        assert_eq!(hot.held(), (1000, 1));
    }

    #[tokio::test]
    async fn the_least_recently_used_blob_makes_room() {
        let (_folder, named) = blobs(&[400, 400, 400]);
        let hot = HotBlobs::new(1000);
        let first = from_memory(&hot, &named[0]).await;
        let second = from_memory(&hot, &named[1]).await;
        // The first is used again, so the second is the one left longest unused.
        assert_eq!(from_memory(&hot, &named[0]).await.as_ptr(), first.as_ptr());
        from_memory(&hot, &named[2]).await;
        assert_eq!(hot.held(), (800, 2));
        assert_eq!(
            from_memory(&hot, &named[0]).await.as_ptr(),
            first.as_ptr(),
            "still kept"
        );
        let reloaded = from_memory(&hot, &named[1]).await;
        assert_ne!(reloaded.as_ptr(), second.as_ptr(), "dropped, then read again");
        assert_eq!(reloaded, second);
    }

    #[tokio::test]
    async fn a_blob_over_half_the_budget_is_streamed_from_disk() {
        let (_folder, named) = blobs(&[501, 500]);
        let hot = HotBlobs::new(1000);
        let (sha256, path) = &named[0];
        assert!(matches!(hot.source(sha256, path).await, Ok(Source::Disk(_, 501))));
        assert_eq!(hot.held(), (0, 0));
        from_memory(&hot, &named[1]).await;
        assert_eq!(hot.held(), (500, 1));
    }

    #[tokio::test]
    async fn nothing_is_kept_with_no_budget() {
        let (_folder, named) = blobs(&[1]);
        let hot = HotBlobs::new(0);
        let (sha256, path) = &named[0];
        assert!(matches!(hot.source(sha256, path).await, Ok(Source::Disk(_, 1))));
        assert_eq!(hot.held(), (0, 0));
    }

    #[tokio::test]
    async fn a_missing_file_holds_no_room() {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let hot = HotBlobs::new(1000);
        let sha256 = Sha256::parse(&"ef".repeat(32)).expect("a valid hash");
        let missing = hot.source(&sha256, &folder.path().join("gone")).await;
        assert_eq!(missing.expect_err("no file").kind(), std::io::ErrorKind::NotFound);
        assert_eq!(hot.held(), (0, 0));
    }

    #[tokio::test]
    async fn a_failed_load_gives_its_room_back() {
        // A folder opens like a file but cannot be read; one entry gives it a size everywhere.
        let folder = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(folder.path().join("entry"), b"x").expect("the entry is written");
        let hot = HotBlobs::new(1 << 20);
        let sha256 = Sha256::parse(&"ef".repeat(32)).expect("a valid hash");
        let unreadable = hot.source(&sha256, folder.path()).await;
        assert!(unreadable.is_err());
        assert_eq!(hot.held(), (0, 0));
    }
}
