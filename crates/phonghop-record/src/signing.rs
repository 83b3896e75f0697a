//! The server's record key (Ed25519, made on first start) and the signed trailer of a record.
//!
//! A record is its body followed by three trailer lines: the body's SHA-256, an Ed25519
//! signature of the body, and the public key that made it. In a CSV they are `# ` comment lines;
//! in a PDF they are `%` comment lines after `%%EOF`, which every reader ignores. Verifying
//! recomputes the hash of everything before the trailer, so a change of any byte fails; and it
//! compares the key with the server's, which the app and `GET /api/records/key` show.

use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

/// The file format of a record, told by its trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    Csv,
    Pdf,
}

impl RecordFormat {
    fn marker(self) -> &'static str {
        match self {
            RecordFormat::Csv => "# ",
            RecordFormat::Pdf => "%phonghop-record ",
        }
    }
}

/// Why a record does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("no phonghop signature at the end of the file: not a record, or cut short")]
    NoTrailer,
    #[error("the signature lines are damaged: {0}")]
    BadTrailer(String),
    #[error("the content was changed: its SHA-256 is {actual}, the record says {recorded}")]
    Changed { recorded: String, actual: String },
    #[error("the signature does not match the content and the key")]
    BadSignature,
    #[error("signed by key {found}, not by the server's key {expected}")]
    OtherKey { found: String, expected: String },
}

/// Why the record key cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the record key {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the record key {0} is not 64 hex digits")]
    Malformed(String),
}

/// The server's key for signing records.
#[derive(Clone)]
pub struct RecordKey {
    signing: SigningKey,
}

impl std::fmt::Debug for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecordKey({})", self.fingerprint())
    }
}

impl RecordKey {
    /// The key kept at `path` (its 32-byte seed as hex), made and written there (readable by the
    /// server's user only) when the file does not exist yet.
    pub fn load_or_create(path: &Path) -> Result<RecordKey, KeyError> {
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let seed: [u8; 32] = hex::decode(text.trim())
                    .ok()
                    .and_then(|bytes| bytes.try_into().ok())
                    .ok_or_else(|| KeyError::Malformed(path.display().to_string()))?;
                Ok(RecordKey {
                    signing: SigningKey::from_bytes(&seed),
                })
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
                let key = RecordKey {
                    signing: SigningKey::from_bytes(&seed),
                };
                let partial = path.with_extension("partial");
                let mut file = std::fs::OpenOptions::new();
                file.write(true).create(true).truncate(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
                let mut file = file.open(&partial).map_err(io)?;
                file.write_all(hex::encode(seed).as_bytes()).map_err(io)?;
                file.sync_all().map_err(io)?;
                std::fs::rename(&partial, path).map_err(io)?;
                Ok(key)
            }
            Err(error) => Err(io(error)),
        }
    }

    /// A key from its seed (tests).
    pub fn from_seed(seed: [u8; 32]) -> RecordKey {
        RecordKey {
            signing: SigningKey::from_bytes(&seed),
        }
    }

    /// The public key as 64 hex digits.
    pub fn public_hex(&self) -> String {
        hex::encode(self.signing.verifying_key().as_bytes())
    }

    /// A short form of the public key for people to compare: the first 16 hex digits of its
    /// SHA-256 in groups of four.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(self.signing.verifying_key().as_bytes())
    }

    /// `body` with its signed trailer.
    pub fn sign(&self, mut body: Vec<u8>, format: RecordFormat) -> Vec<u8> {
        let digest = hex::encode(Sha256::digest(&body));
        let signature = base64::engine::general_purpose::STANDARD.encode(self.signing.sign(&body).to_bytes());
        if !body.ends_with(b"\n") {
            body.push(b'\n');
        }
        let marker = format.marker();
        let trailer = format!(
            "{marker}sha256: {digest}\n{marker}ed25519: {signature}\n{marker}public_key: {}\n",
            self.public_hex()
        );
        body.extend_from_slice(trailer.as_bytes());
        body
    }
}

/// The short form of a public key (see [`RecordKey::fingerprint`]).
pub fn fingerprint_of(public_key: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(public_key));
    digest.as_bytes()[..16]
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a record that verifies says of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub format: RecordFormat,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub public_key: String,
    pub fingerprint: String,
}

/// Checks a record: its content against its hash and signature, and, when `server_key` (hex) is
/// given, that the server's key signed it.
pub fn verify(record: &[u8], server_key: Option<&str>) -> Result<Verified, VerifyError> {
    let (format, start) = [RecordFormat::Pdf, RecordFormat::Csv]
        .into_iter()
        .find_map(|format| {
            let needle = format!("\n{}sha256: ", format.marker());
            find_last(record, needle.as_bytes()).map(|at| (format, at + 1))
        })
        .ok_or(VerifyError::NoTrailer)?;
    // What was signed: everything before the trailer, without the newline `sign` may have added.
    let body_with_newline = &record[..start];
    let trailer = std::str::from_utf8(&record[start..]).map_err(|_| VerifyError::BadTrailer("not text".into()))?;
    let field = |name: &str| {
        let prefix = format!("{}{name}: ", format.marker());
        trailer
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .ok_or_else(|| VerifyError::BadTrailer(format!("no {name} line")))
    };
    let recorded = field("sha256")?;
    let signature = field("ed25519")?;
    let public_key = field("public_key")?;
    // Byte for byte as `sign` writes it: nothing added, nothing changed, not even a line end.
    let marker = format.marker();
    let canonical =
        format!("{marker}sha256: {recorded}\n{marker}ed25519: {signature}\n{marker}public_key: {public_key}\n");
    if canonical.as_bytes() != trailer.as_bytes() {
        return Err(VerifyError::BadTrailer(
            "the signature lines are not as the server writes them".into(),
        ));
    }
    let key_bytes: [u8; 32] = hex::decode(public_key)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| VerifyError::BadTrailer("the public key is not 64 hex digits".into()))?;
    let key = VerifyingKey::from_bytes(&key_bytes).map_err(|_| VerifyError::BadTrailer("not an Ed25519 key".into()))?;
    let signature: [u8; 64] = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| VerifyError::BadTrailer("the signature is not 64 bytes of base64".into()))?;
    let signature = Signature::from_bytes(&signature);
    // `sign` adds a newline before the trailer only when the body lacked one.
    let candidates = [body_with_newline, &body_with_newline[..body_with_newline.len() - 1]];
    let body = candidates
        .into_iter()
        .find(|body| hex::encode(Sha256::digest(body)) == recorded)
        .ok_or_else(|| VerifyError::Changed {
            recorded: recorded.to_owned(),
            actual: hex::encode(Sha256::digest(body_with_newline)),
        })?;
    key.verify(body, &signature).map_err(|_| VerifyError::BadSignature)?;
    if let Some(expected) = server_key {
        if !expected.trim().eq_ignore_ascii_case(public_key) {
            return Err(VerifyError::OtherKey {
                found: fingerprint_of(&key_bytes),
                expected: hex::decode(expected.trim())
                    .map(|bytes| fingerprint_of(&bytes))
                    .unwrap_or_else(|_| expected.to_owned()),
            });
        }
    }
    Ok(Verified {
        format,
        sha256: recorded.to_owned(),
        public_key: public_key.to_owned(),
        fingerprint: fingerprint_of(&key_bytes),
    })
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> RecordKey {
        RecordKey::from_seed([7; 32])
    }

    #[test]
    fn a_signed_record_verifies_and_names_its_key() {
        for (body, format) in [
            (b"muc,gia_tri\nket_qua,THONG QUA\n".to_vec(), RecordFormat::Csv),
            (b"%PDF-1.7\n...\n%%EOF".to_vec(), RecordFormat::Pdf),
        ] {
            let signed = key().sign(body, format);
            let verified = verify(&signed, Some(&key().public_hex())).expect("verifies");
            assert_eq!(verified.format, format);
            assert_eq!(verified.fingerprint, key().fingerprint());
        }
    }

    #[test]
    fn any_changed_byte_fails() {
        let signed = key().sign(b"muc,gia_tri\ntan_thanh,20\n".to_vec(), RecordFormat::Csv);
        for at in 0..signed.len() {
            let mut changed = signed.clone();
            changed[at] ^= 0x01;
            assert!(
                verify(&changed, Some(&key().public_hex())).is_err(),
                "byte {at} changed still verifies"
            );
        }
    }

    #[test]
    fn another_key_is_named() {
        let signed = RecordKey::from_seed([9; 32]).sign(b"x\n".to_vec(), RecordFormat::Csv);
        assert!(verify(&signed, None).is_ok());
        assert!(matches!(
            verify(&signed, Some(&key().public_hex())),
            Err(VerifyError::OtherKey { .. })
        ));
    }

    #[test]
    fn the_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("a dir");
        let path = dir.path().join("record-key");
        let first = RecordKey::load_or_create(&path).expect("made");
        let again = RecordKey::load_or_create(&path).expect("read");
        assert_eq!(first.public_hex(), again.public_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("the file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not hex").expect("written");
        assert!(matches!(RecordKey::load_or_create(&path), Err(KeyError::Malformed(_))));
    }

    #[test]
    fn a_file_without_a_trailer_is_not_a_record() {
        assert_eq!(verify(b"muc,gia_tri\n", None), Err(VerifyError::NoTrailer));
    }
}
