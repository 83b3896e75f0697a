//! Passwords (argon2id), random session tokens stored hashed, login rate limit, and the
//! extractor that turns `Authorization: Bearer <token>` into an [`AuthUser`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use phonghop_protocol::http::LoginResponse;
use phonghop_protocol::ErrorCode;
use phonghop_store::{unix_now, UserRecord};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::App;

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters hashes any password")
        .to_string()
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A logged-in user, as every authorised request knows them.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub record: UserRecord,
    /// Unix seconds; a WebSocket checks it again on every command, since a connection can
    /// outlive the session it was opened with.
    pub expires_at: i64,
}

impl AuthUser {
    pub fn id(&self) -> u32 {
        self.record.id
    }

    pub fn is_expired(&self) -> bool {
        self.expires_at <= unix_now()
    }
}

/// Counts failed logins per username *and* address, so a password cannot be guessed at network
/// speed, while someone typing wrong passwords for a councillor from their own laptop cannot lock
/// the councillor out of theirs.
pub struct LoginLimiter {
    max_failures: u32,
    failures: Mutex<HashMap<(String, IpAddr), (u32, Instant)>>,
}

const LOGIN_WINDOW: Duration = Duration::from_secs(60);

/// Beyond this many tracked (username, address) pairs, expired ones are dropped, so made-up
/// usernames cannot grow the table without bound.
const MAX_TRACKED: usize = 10_000;

impl LoginLimiter {
    pub fn new(max_failures: u32) -> LoginLimiter {
        LoginLimiter {
            max_failures,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn is_blocked(&self, username: &str, from: IpAddr) -> bool {
        let failures = self.failures.lock().expect("login limiter lock");
        matches!(failures.get(&(username.to_owned(), from)),
            Some((count, last)) if *count >= self.max_failures && last.elapsed() < LOGIN_WINDOW)
    }

    fn record_failure(&self, username: &str, from: IpAddr) {
        let mut failures = self.failures.lock().expect("login limiter lock");
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, (_, last)| last.elapsed() < LOGIN_WINDOW);
        }
        let entry = failures
            .entry((username.to_owned(), from))
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= LOGIN_WINDOW {
            entry.0 = 0;
        }
        // The block lasts a full window after the latest failure.
        *entry = (entry.0 + 1, Instant::now());
    }

    fn clear(&self, username: &str, from: IpAddr) {
        self.failures
            .lock()
            .expect("login limiter lock")
            .remove(&(username.to_owned(), from));
    }
}

/// Checks a username and password and starts a session.
pub async fn login(app: &App, username: &str, password: &str, from: IpAddr) -> ApiResult<LoginResponse> {
    if app.login_limiter.is_blocked(username, from) {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many failed logins for this username",
        ));
    }
    let user = app.store.user_by_username(username).await?;
    // Verify against a real hash even for an unknown username, so timing does not tell which
    // usernames exist.
    let phc = user
        .as_ref()
        .map(|user| user.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.clone());
    let password = password.to_owned();
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|err| ApiError::new(ErrorCode::Internal, err.to_string()))?;
    let user = match user {
        Some(user) if verified => user,
        _ => {
            app.login_limiter.record_failure(username, from);
            return Err(ApiError::new(ErrorCode::WrongCredentials, ""));
        }
    };
    app.login_limiter.clear(username, from);
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires_at = unix_now() + app.config.session_ttl.as_secs() as i64;
    app.store
        .create_session(&token_hash(&token), user.id, expires_at)
        .await?;
    Ok(LoginResponse {
        token,
        expires_at,
        user: user.view(),
    })
}

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password("phonghop-no-such-user"));

/// The user a session token belongs to, if it is known and not expired.
pub async fn user_for_token(app: &App, token: &str) -> ApiResult<AuthUser> {
    let (record, expires_at) = app
        .store
        .session_user(&token_hash(token))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "unknown session token"))?;
    if expires_at <= unix_now() {
        return Err(ApiError::new(ErrorCode::TokenExpired, ""));
    }
    Ok(AuthUser { record, expires_at })
}

impl FromRequestParts<App> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "missing Authorization header"))?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "Authorization is not a Bearer token"))?;
        user_for_token(app, token.trim()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("Hội đồng 2026");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("Hội đồng 2026", &hash));
        assert!(!verify_password("hội đồng 2026", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn the_limiter_blocks_after_the_maximum_failures() {
        let limiter = LoginLimiter::new(3);
        let guesser: IpAddr = [192, 0, 2, 7].into();
        let owner: IpAddr = [192, 0, 2, 8].into();
        for _ in 0..3 {
            assert!(!limiter.is_blocked("db003", guesser));
            limiter.record_failure("db003", guesser);
        }
        assert!(limiter.is_blocked("db003", guesser));
        assert!(
            !limiter.is_blocked("db003", owner),
            "the councillor's own laptop is not locked out"
        );
        assert!(!limiter.is_blocked("db004", guesser));
        limiter.clear("db003", guesser);
        assert!(!limiter.is_blocked("db003", guesser));
    }
}
