//! The laptop's documents and annotations encrypted at rest, under a key only the councillor's
//! password opens.
//!
//! One random data key (256 bits) seals everything the cache keeps of a meeting: each PDF
//! (`<sha256>.sealed`, in chunks, so a download cut short resumes), and the index's columns that
//! say what a person wrote or read (annotations, the outbox, carried annotations, meetings as last
//! seen, page texts, the saved session with its token). The data key itself is kept only wrapped:
//! once per person who logged in here (a *key slot*, per server and user), under a key derived from
//! their password with Argon2id. Unwrapping proves the password, so the app can unlock offline —
//! after a restart without the server, the person types their password and reads on; nothing else
//! on the disk opens the documents. While locked every sealed read or write fails with
//! [`ClientError::Locked`].
//!
//! Sealed values are `MAGIC ‖ nonce (12) ‖ ChaCha20-Poly1305(value)`, stored as BLOBs (a TEXT value
//! is one written before the cache was sealed, read as it is until the first unlock seals it).
//! A sealed file is `FILE_MAGIC ‖ nonce prefix (8)` and then chunks of at most [`CHUNK`] bytes,
//! each sealed with the nonce `prefix ‖ chunk number (u32, big-endian)`: chunks cannot be moved,
//! and a file cut short or grown is caught by the document's SHA-256, checked on every opening.

use std::sync::{Arc, RwLock};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::error::{ClientError, Result};

/// What starts a sealed value.
const MAGIC: &[u8; 4] = b"PHV1";
/// What starts a sealed file.
pub(crate) const FILE_MAGIC: &[u8; 4] = b"PHS1";
/// A sealed file's header: its magic and the nonce prefix of its chunks.
pub(crate) const FILE_HEADER: u64 = 12;
/// Plain bytes per sealed chunk.
pub(crate) const CHUNK: usize = 64 * 1024;
/// What sealing adds to each chunk.
pub(crate) const TAG: usize = 16;

/// Argon2id as OWASP recommends it (19 MiB, 2 passes): about 50 ms on a laptop, each guess of a
/// stolen disk's password costing the same.
fn password_hasher() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, Some(32)).expect("valid Argon2 parameters"),
    )
}

/// Whether a stored value is sealed (rather than JSON kept before the cache was sealed).
pub(crate) fn is_sealed(stored: &[u8]) -> bool {
    stored.starts_with(MAGIC)
}

/// The data key, opened; its bytes are zeroed when the last copy is dropped.
pub(crate) struct DataKey {
    cipher: ChaCha20Poly1305,
}

impl DataKey {
    fn from_bytes(bytes: &[u8; 32]) -> DataKey {
        DataKey {
            cipher: ChaCha20Poly1305::new(Key::from_slice(bytes)),
        }
    }

    /// A new random data key, and its bytes to wrap.
    pub(crate) fn generate() -> (DataKey, Zeroizing<[u8; 32]>) {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::thread_rng().fill_bytes(bytes.as_mut());
        (DataKey::from_bytes(&bytes), bytes)
    }

    pub(crate) fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plain)
            .expect("sealing in memory cannot fail");
        [MAGIC.as_slice(), &nonce, &sealed].concat()
    }

    pub(crate) fn open(&self, sealed: &[u8]) -> Result<Vec<u8>> {
        let body = sealed
            .strip_prefix(MAGIC.as_slice())
            .filter(|body| body.len() >= 12 + TAG)
            .ok_or_else(|| ClientError::Protocol("a sealed value of the cache is damaged".into()))?;
        self.cipher
            .decrypt(Nonce::from_slice(&body[..12]), &body[12..])
            .map_err(|_| ClientError::Protocol("a sealed value of the cache does not open with this key".into()))
    }

    /// Chunk `number` of a sealed file whose chunks start with `prefix`.
    pub(crate) fn seal_chunk(&self, prefix: &[u8; 8], number: u32, plain: &[u8]) -> Vec<u8> {
        self.cipher
            .encrypt(&chunk_nonce(prefix, number), plain)
            .expect("sealing in memory cannot fail")
    }

    pub(crate) fn open_chunk(&self, prefix: &[u8; 8], number: u32, sealed: &[u8]) -> Result<Vec<u8>> {
        self.cipher
            .decrypt(&chunk_nonce(prefix, number), sealed)
            .map_err(|_| ClientError::Protocol(format!("chunk {number} of a kept document is damaged")))
    }
}

fn chunk_nonce(prefix: &[u8; 8], number: u32) -> Nonce {
    let mut nonce = [0u8; 12];
    nonce[..8].copy_from_slice(prefix);
    nonce[8..].copy_from_slice(&number.to_be_bytes());
    *Nonce::from_slice(&nonce)
}

/// A new random nonce prefix for a sealed file.
pub(crate) fn file_prefix() -> [u8; 8] {
    let mut prefix = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut prefix);
    prefix
}

/// How many plain bytes the complete chunks of a sealed file of `sealed_len` bytes hold.
pub(crate) fn plain_bytes_in(sealed_len: u64) -> u64 {
    let chunks = sealed_len.saturating_sub(FILE_HEADER) / (CHUNK + TAG) as u64;
    chunks * CHUNK as u64
}

/// The data key wrapped under one person's password.
pub(crate) struct KeySlot {
    pub salt: Vec<u8>,
    pub wrapped: Vec<u8>,
}

impl KeySlot {
    /// Wraps `key` under `password`.
    pub(crate) fn wrap(key: &[u8; 32], password: &str) -> KeySlot {
        let mut salt = vec![0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt);
        let wrapping = DataKey::from_bytes(&derive(password, &salt));
        KeySlot {
            wrapped: wrapping.seal(key),
            salt,
        }
    }

    /// The data key, if `password` is the one the slot was made with.
    pub(crate) fn unwrap(&self, password: &str) -> Option<(DataKey, Zeroizing<[u8; 32]>)> {
        let wrapping = DataKey::from_bytes(&derive(password, &self.salt));
        let bytes = Zeroizing::new(wrapping.open(&self.wrapped).ok()?);
        let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(bytes.as_slice().try_into().ok()?);
        Some((DataKey::from_bytes(&bytes), bytes))
    }
}

fn derive(password: &str, salt: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    password_hasher()
        .hash_password_into(password.as_bytes(), salt, key.as_mut())
        .expect("Argon2 takes any password and a 16-byte salt");
    key
}

/// The open data key while the cache is unlocked (shared by every clone of the cache), with its
/// bytes to wrap for another person logging in meanwhile.
#[derive(Clone, Default)]
pub(crate) struct Vault {
    open: Arc<RwLock<Option<Arc<OpenKey>>>>,
}

pub(crate) struct OpenKey {
    pub key: DataKey,
    pub bytes: Zeroizing<[u8; 32]>,
}

impl Vault {
    pub(crate) fn key(&self) -> Option<Arc<OpenKey>> {
        self.open.read().expect("vault lock").clone()
    }

    pub(crate) fn set(&self, key: DataKey, bytes: Zeroizing<[u8; 32]>) {
        *self.open.write().expect("vault lock") = Some(Arc::new(OpenKey { key, bytes }));
    }

    pub(crate) fn lock(&self) {
        *self.open.write().expect("vault lock") = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How long the sealed file of `plain_len` bytes is.
    fn sealed_len_of(plain_len: u64) -> u64 {
        let chunks = plain_len.div_ceil(CHUNK as u64);
        FILE_HEADER + plain_len + chunks * TAG as u64
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_shows_nothing_of_itself() {
        let (key, _) = DataKey::generate();
        let (other, _) = DataKey::generate();
        let plain = "Hỏi thêm về kinh phí".as_bytes();
        let sealed = key.seal(plain);
        assert!(!sealed.windows(plain.len()).any(|window| window == plain));
        assert_ne!(key.seal(plain), sealed, "each sealing has its own nonce");
        assert_eq!(key.open(&sealed).expect("opens"), plain);
        assert!(other.open(&sealed).is_err());
        let mut flipped = sealed.clone();
        *flipped.last_mut().expect("not empty") ^= 1;
        assert!(key.open(&flipped).is_err(), "a changed byte is caught");
        assert!(key.open(b"PHV1short").is_err());
    }

    #[test]
    fn a_key_slot_opens_with_the_password_it_was_made_with_only() {
        let (_, bytes) = DataKey::generate();
        let slot = KeySlot::wrap(&bytes, "mật khẩu đúng");
        let (opened, opened_bytes) = slot.unwrap("mật khẩu đúng").expect("the right password");
        assert_eq!(*opened_bytes, *bytes);
        assert_eq!(
            opened.open(&DataKey::from_bytes(&bytes).seal(b"x")).expect("same key"),
            b"x"
        );
        assert!(slot.unwrap("mật khẩu sai").is_none());
        assert!(slot.unwrap("").is_none());
    }

    #[test]
    fn chunks_are_bound_to_their_place() {
        let (key, _) = DataKey::generate();
        let prefix = file_prefix();
        let sealed = key.seal_chunk(&prefix, 3, b"page");
        assert_eq!(key.open_chunk(&prefix, 3, &sealed).expect("opens"), b"page");
        assert!(key.open_chunk(&prefix, 4, &sealed).is_err(), "moved to another place");
    }

    #[test]
    fn sealed_lengths_and_the_plain_bytes_of_complete_chunks_agree() {
        assert_eq!(sealed_len_of(0), FILE_HEADER);
        assert_eq!(sealed_len_of(1), FILE_HEADER + 1 + TAG as u64);
        assert_eq!(sealed_len_of(CHUNK as u64), FILE_HEADER + (CHUNK + TAG) as u64);
        assert_eq!(plain_bytes_in(sealed_len_of(CHUNK as u64 * 3)), CHUNK as u64 * 3);
        assert_eq!(plain_bytes_in(sealed_len_of(CHUNK as u64 * 3 + 10)), CHUNK as u64 * 3);
        assert_eq!(plain_bytes_in(FILE_HEADER + 5), 0);
    }
}
