//! The ballot box of secret polls: each choice sealed (ChaCha20-Poly1305) with a key of its poll
//! that lives in a file beside the database, never in it, and is destroyed when the poll closes.
//!
//! The database keeps that a member has voted (`secret_voters`) and, apart, the sealed choices
//! under random ids (`sealed_ballots`): no key, time or order is shared by the two. Page layout
//! and the WAL's history still tell which rows were written together, so the choice itself must
//! be unreadable there: it is, without the poll's key. At the close the choices are counted,
//! the sealed rows deleted (with `secure_delete`) and the key file removed, after which no copy
//! of the database, its WAL or a backup can link a choice to anyone. docs/secret-ballots.md says
//! what the operator can and cannot learn.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use phonghop_protocol::{BallotForm, Choice, MeetingId, PollId, Vote};
use rand::RngCore;

use crate::columns::corrupt;
use crate::{Result, StoreError};

/// Bytes of a sealed ballot of a poll whose ballots carry `lines` bytes (1 for a motion's
/// choice, one mark per line otherwise): a 12-byte nonce, those bytes, a 16-byte tag. Every
/// ballot of a poll seals to the same length, whatever it says.
pub fn sealed_len(lines: usize) -> usize {
    12 + lines + 16
}

/// Bytes of a sealed ballot's random id.
pub const BALLOT_ID_LEN: usize = 16;

/// A key file not named by any open poll is removed when the store opens, once it is this old
/// (a younger one may belong to a poll another process is opening right now).
const ORPHAN_AGE: Duration = Duration::from_secs(60);

/// The keys of the secret polls open now, as files in one folder.
pub struct BallotBox {
    folder: PathBuf,
    keys: Mutex<HashMap<String, Key>>,
}

impl BallotBox {
    /// The ballot box beside the database file `database`: the folder `<database>.ballot-keys`.
    pub fn beside(database: &Path) -> Result<BallotBox> {
        let mut name = database.file_name().unwrap_or_default().to_os_string();
        name.push(".ballot-keys");
        BallotBox::in_folder(&database.with_file_name(name))
    }

    /// The ballot box in `folder` (made if missing, readable by its owner only).
    pub fn in_folder(folder: &Path) -> Result<BallotBox> {
        std::fs::create_dir_all(folder).map_err(|error| key_error(folder, error))?;
        restrict(folder, 0o700)?;
        Ok(BallotBox {
            folder: folder.to_path_buf(),
            keys: Mutex::new(HashMap::new()),
        })
    }

    /// Where the keys are.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Makes a new random key, on disk (synced) before it returns; its id names the file.
    pub fn new_key(&self) -> Result<String> {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let mut id = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut id);
        let key_id = hex::encode(id);
        let path = self.path(&key_id);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|error| key_error(&path, error))?;
        restrict(&path, 0o600)?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .map_err(|error| key_error(&path, error))?;
        sync_folder(&self.folder)?;
        self.keys
            .lock()
            .expect("the key cache is never poisoned")
            .insert(key_id.clone(), *Key::from_slice(&bytes));
        Ok(key_id)
    }

    /// Seals `vote` of poll `poll` of `meeting` under key `key_id`: a random ballot id and the
    /// sealed bytes (nonce, ciphertext, tag). The meeting and poll are bound in, so a sealed row
    /// moved to another poll does not open.
    pub fn seal(&self, key_id: &str, meeting: MeetingId, poll: PollId, vote: &Vote) -> Result<(Vec<u8>, Vec<u8>)> {
        let cipher = ChaCha20Poly1305::new(&self.key(key_id)?);
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let aad = bound_to(meeting, poll);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &vote_bytes(vote),
                    aad: &aad,
                },
            )
            .map_err(|_| corrupt("a choice could not be sealed"))?;
        let mut ballot_id = vec![0u8; BALLOT_ID_LEN];
        rand::thread_rng().fill_bytes(&mut ballot_id);
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Ok((ballot_id, bytes))
    }

    /// Opens a sealed ballot of poll `poll` of `meeting`, whose ballot is `form`.
    pub fn unseal(
        &self,
        key_id: &str,
        meeting: MeetingId,
        poll: PollId,
        form: &BallotForm,
        sealed: &[u8],
    ) -> Result<Vote> {
        if sealed.len() != sealed_len(form.lines().len().max(1)) {
            return Err(corrupt(format!("a sealed ballot of {} bytes", sealed.len())));
        }
        let cipher = ChaCha20Poly1305::new(&self.key(key_id)?);
        let (nonce, body) = sealed.split_at(12);
        let aad = bound_to(meeting, poll);
        let opened = cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: &aad })
            .map_err(|_| corrupt(format!("a sealed ballot of poll {poll} does not open with its key")))?;
        match (form, opened.as_slice()) {
            (BallotForm::Motion, [byte]) => Ok(Vote::Choice(parse_choice_byte(*byte)?)),
            (BallotForm::Motion, _) => Err(corrupt("a sealed ballot holds no choice")),
            (_, marks) => Ok(Vote::Marks(marks.to_vec())),
        }
    }

    /// Removes a closed poll's key: its sealed ballots can never be opened again.
    pub fn destroy(&self, key_id: &str) {
        self.keys
            .lock()
            .expect("the key cache is never poisoned")
            .remove(key_id);
        let path = self.path(key_id);
        match std::fs::remove_file(&path) {
            Ok(()) => {
                if let Err(error) = sync_folder(&self.folder) {
                    tracing::warn!(%error, "the removal of a closed poll's key is not synced yet");
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => tracing::error!(%error, path = %path.display(), "a closed poll's key could not be removed"),
        }
    }

    /// Removes key files that no open poll names (left by a crash between a close and its
    /// key's removal), unless younger than [`ORPHAN_AGE`].
    pub fn sweep(&self, in_use: &[String]) -> Result<()> {
        let entries = std::fs::read_dir(&self.folder).map_err(|error| key_error(&self.folder, error))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(key_id) = name.strip_suffix(".key") else {
                continue;
            };
            if in_use.iter().any(|used| used == key_id) {
                continue;
            }
            let age = entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .ok()
                .and_then(|modified| SystemTime::now().duration_since(modified).ok())
                .unwrap_or_default();
            if age >= ORPHAN_AGE {
                self.destroy(key_id);
            }
        }
        Ok(())
    }

    fn path(&self, key_id: &str) -> PathBuf {
        self.folder.join(format!("{key_id}.key"))
    }

    fn key(&self, key_id: &str) -> Result<Key> {
        let mut keys = self.keys.lock().expect("the key cache is never poisoned");
        if let Some(key) = keys.get(key_id) {
            return Ok(*key);
        }
        if key_id.len() != 32 || !key_id.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(corrupt(format!("a ballot key id {key_id:?}")));
        }
        let path = self.path(key_id);
        let bytes = std::fs::read(&path).map_err(|error| key_error(&path, error))?;
        if bytes.len() != 32 {
            return Err(corrupt(format!(
                "the ballot key {} has {} bytes",
                path.display(),
                bytes.len()
            )));
        }
        let key = *Key::from_slice(&bytes);
        keys.insert(key_id.to_owned(), key);
        Ok(key)
    }
}

fn bound_to(meeting: MeetingId, poll: PollId) -> Vec<u8> {
    format!("phonghop secret ballot/{meeting}/{poll}").into_bytes()
}

/// What is sealed: a motion's choice as one byte, or the marks as they are (one byte per line).
fn vote_bytes(vote: &Vote) -> Vec<u8> {
    match vote {
        Vote::Choice(choice) => vec![choice_byte(*choice)],
        Vote::Marks(marks) => marks.clone(),
    }
}

fn choice_byte(choice: Choice) -> u8 {
    match choice {
        Choice::Yes => 1,
        Choice::No => 2,
        Choice::Abstain => 3,
    }
}

fn parse_choice_byte(byte: u8) -> Result<Choice> {
    match byte {
        1 => Ok(Choice::Yes),
        2 => Ok(Choice::No),
        3 => Ok(Choice::Abstain),
        other => Err(corrupt(format!("a sealed ballot holds choice {other}"))),
    }
}

fn key_error(path: &Path, error: std::io::Error) -> StoreError {
    StoreError::BallotKey(format!("{}: {error}", path.display()))
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|error| key_error(path, error))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// A file's creation or removal survives a power cut only once its folder is synced.
fn sync_folder(folder: &Path) -> Result<()> {
    #[cfg(unix)]
    std::fs::File::open(folder)
        .and_then(|folder| folder.sync_all())
        .map_err(|error| key_error(folder, error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_choice_opens_only_with_its_key_and_poll_and_all_look_alike() {
        let dir = tempfile::tempdir().unwrap();
        let boxes = BallotBox::beside(&dir.path().join("db.sqlite3")).unwrap();
        let key = boxes.new_key().unwrap();
        let other_key = boxes.new_key().unwrap();
        let (meeting, poll) = (MeetingId(1), PollId(2));
        let mut seen = Vec::new();
        let motion = BallotForm::Motion;
        for choice in [Choice::Yes, Choice::Yes, Choice::No, Choice::Abstain] {
            let vote = Vote::Choice(choice);
            let (id, sealed) = boxes.seal(&key, meeting, poll, &vote).unwrap();
            assert_eq!((id.len(), sealed.len()), (BALLOT_ID_LEN, sealed_len(1)));
            assert_eq!(boxes.unseal(&key, meeting, poll, &motion, &sealed).unwrap(), vote);
            assert!(boxes.unseal(&other_key, meeting, poll, &motion, &sealed).is_err());
            assert!(boxes.unseal(&key, meeting, PollId(3), &motion, &sealed).is_err());
            assert!(!seen.contains(&sealed), "the same choice seals differently each time");
            seen.push(sealed);
        }
        // Every ballot of an election seals to one length, whatever it marks.
        let election = BallotForm::Election {
            candidates: vec!["An".into(), "Bình".into(), "Cường".into()],
            seats: 2,
        };
        for marks in [vec![0, 0, 0], vec![1, 1, 0], vec![0, 0, 1]] {
            let (_, sealed) = boxes.seal(&key, meeting, poll, &Vote::Marks(marks.clone())).unwrap();
            assert_eq!(sealed.len(), sealed_len(3));
            assert_eq!(
                boxes.unseal(&key, meeting, poll, &election, &sealed).unwrap(),
                Vote::Marks(marks)
            );
            assert!(boxes.unseal(&key, meeting, poll, &motion, &sealed).is_err());
        }
        // A fresh box (another process, or after a restart) reads the key from its file.
        let reopened = BallotBox::beside(&dir.path().join("db.sqlite3")).unwrap();
        assert_eq!(
            reopened.unseal(&key, meeting, poll, &motion, &seen[2]).unwrap(),
            Vote::Choice(Choice::No)
        );
        reopened.destroy(&key);
        assert!(!reopened.folder().join(format!("{key}.key")).exists());
        let fresh = BallotBox::beside(&dir.path().join("db.sqlite3")).unwrap();
        assert!(
            fresh.unseal(&key, meeting, poll, &motion, &seen[0]).is_err(),
            "the key is gone"
        );
    }
}
