//! Checking passwords against argon2id hashes on a few dedicated threads, each with its own
//! preallocated argon2 memory, behind a short queue.
//!
//! Each check needs ~19 MiB of argon2 memory. Run unbounded on tokio's blocking pool, 128
//! concurrent logins grew the server to 2.35 GB that the allocator never gave back. Here at most
//! one check per thread runs at once, each thread reuses one buffer, and a login that finds the
//! queue full is answered `server_busy` at once instead of waiting without bound.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

/// Hashes a password with argon2id and a random salt (PHC string format). Used when accounts are
/// created, not on the login path.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any password")
        .to_string()
}

/// Whether `password` matches the PHC string `phc`, computed in `memory` (grown if the hash asks
/// for more than it holds). An unreadable hash matches nothing.
fn verify(password: &[u8], phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (Params::try_from(&hash), Algorithm::try_from(hash.algorithm)) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::new());
    }
    let mut computed = vec![0u8; expected.len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt,
        &mut computed,
        &mut memory[..blocks],
    );
    // `Output`'s equality is constant-time.
    hashed.is_ok() && Output::new(&computed).is_ok_and(|computed| computed == expected)
}

/// The queue is full: the server has more logins to check than it will hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

struct Check {
    password: String,
    phc: String,
    answer: oneshot::Sender<bool>,
}

/// A handle to the checking threads. Cheap to clone.
#[derive(Clone)]
pub struct PasswordChecker {
    checks: SyncSender<Check>,
}

impl PasswordChecker {
    /// Starts `threads` checking threads with room for `queue` waiting checks.
    pub fn start(threads: usize, queue: usize) -> PasswordChecker {
        let (checks, waiting) = sync_channel(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for n in 0..threads.max(1) {
            let waiting = Arc::clone(&waiting);
            std::thread::Builder::new()
                .name(format!("password-check-{n}"))
                .spawn(move || check_until_stopped(&waiting))
                .expect("a password-checking thread starts");
        }
        PasswordChecker { checks }
    }

    /// Checks a password, waiting in the queue if other checks run; [`Busy`] if it is full.
    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool, Busy> {
        let (answer, answered) = oneshot::channel();
        let check = Check {
            password: password.to_owned(),
            phc: phc.to_owned(),
            answer,
        };
        match self.checks.try_send(check) {
            Ok(()) => answered.await.map_err(|_| Busy),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Busy),
        }
    }
}

fn check_until_stopped(waiting: &Mutex<Receiver<Check>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let next = waiting.lock().map(|receiver| receiver.recv());
        let Ok(Ok(check)) = next else { return };
        let matches = verify(check.password.as_bytes(), &check.phc, &mut memory);
        let _ = check.answer.send(matches);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("Hội đồng 2026");
        assert!(hash.starts_with("$argon2id$"));
        let mut memory = Vec::new();
        assert!(verify("Hội đồng 2026".as_bytes(), &hash, &mut memory));
        assert!(!verify("hội đồng 2026".as_bytes(), &hash, &mut memory));
        assert!(!verify(b"anything", "not a hash", &mut memory));
        assert_eq!(memory.len(), Params::DEFAULT_M_COST as usize, "one buffer, reused");
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_instead_of_waiting() {
        let hash = hash_password("mật khẩu");
        let checker = PasswordChecker::start(1, 1);
        let checks: Vec<_> = (0..8).map(|_| checker.verify("mật khẩu", &hash)).collect();
        let answers = futures_util::future::join_all(checks).await;
        assert!(answers.contains(&Ok(true)), "{answers:?}");
        assert!(answers.contains(&Err(Busy)), "{answers:?}");
    }
}
