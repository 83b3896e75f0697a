//! Logging in (passwords checked by [`crate::passwords`]), random session tokens stored hashed,
//! the login limits, and the extractor that turns `Authorization: Bearer <token>` into an
//! [`AuthUser`].

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use phonghop_core::Actor;
use phonghop_protocol::http::LoginResponse;
use phonghop_protocol::{ErrorCode, UserId};
use phonghop_store::UserRecord;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::passwords::hash_password;
use crate::writer::{Origin, LOCAL};
use crate::App;

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A logged-in user, as every authorised request knows them.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// Shared by every request and connection of the session.
    pub record: Arc<UserRecord>,
    /// Unix seconds; a WebSocket checks it again on every command, since a connection can
    /// outlive the session it was opened with.
    pub expires_at: i64,
    /// Where the request (or the WebSocket) came from, for the audit trail.
    pub address: Option<IpAddr>,
    /// The laptop the session was opened on, when the app named one.
    pub device: Option<Arc<str>>,
}

impl AuthUser {
    pub fn id(&self) -> UserId {
        self.record.id
    }

    pub fn is_expired(&self) -> bool {
        self.expires_at <= unix_now()
    }

    /// This user as the rules of a meeting see them.
    pub fn actor(&self) -> Actor {
        self.record.actor()
    }

    /// This user as the audit trail names them, with their address.
    pub fn origin(&self) -> Origin {
        Origin {
            who: crate::audit::who(&self.record),
            address: self
                .address
                .map_or_else(|| LOCAL.to_owned(), |address| address.to_string()),
        }
    }
}

/// A failed login's username is kept in the audit trail up to this many characters.
const MAX_USERNAME_CHARS_KEPT: usize = 64;

/// How long a failed login counts against its username and address.
const LOGIN_WINDOW: Duration = Duration::from_secs(60);

/// Beyond this many tracked usernames or addresses, expired ones are dropped, so made-up
/// usernames cannot grow the tables without bound.
const MAX_TRACKED: usize = 10_000;

/// Failed logins within [`LOGIN_WINDOW`], by some key.
struct Failures<K> {
    limit: u32,
    counts: HashMap<K, (u32, Instant)>,
}

impl<K: std::hash::Hash + Eq> Failures<K> {
    fn new(limit: u32) -> Self {
        Failures {
            limit,
            counts: HashMap::new(),
        }
    }

    fn is_blocked(&self, key: &K) -> bool {
        matches!(self.counts.get(key), Some((count, last)) if *count >= self.limit && last.elapsed() < LOGIN_WINDOW)
    }

    fn record(&mut self, key: K) {
        if self.counts.len() >= MAX_TRACKED {
            self.counts.retain(|_, (_, last)| last.elapsed() < LOGIN_WINDOW);
        }
        let entry = self.counts.entry(key).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= LOGIN_WINDOW {
            entry.0 = 0;
        }
        // The block lasts a full window after the latest failure.
        *entry = (entry.0 + 1, Instant::now());
    }
}

/// Counts failed logins per username *and* address, so a password cannot be guessed at network
/// speed while someone typing wrong passwords for a councillor from their own laptop cannot lock
/// the councillor out of theirs; and per address across usernames, so one machine cannot try a
/// common password against every account (or make the server hash for made-up ones).
pub struct LoginLimiter {
    by_user: Mutex<Failures<(String, IpAddr)>>,
    by_address: Mutex<Failures<IpAddr>>,
}

impl LoginLimiter {
    pub fn new(max_per_user: u32, max_per_address: u32) -> LoginLimiter {
        LoginLimiter {
            by_user: Mutex::new(Failures::new(max_per_user)),
            by_address: Mutex::new(Failures::new(max_per_address)),
        }
    }

    /// Why a login from `from` for `username` is refused before its password is checked.
    fn refusal(&self, username: &str, from: IpAddr) -> Option<&'static str> {
        if self.by_address.lock().expect("login limiter lock").is_blocked(&from) {
            return Some("too many failed logins from this address");
        }
        let key = (username.to_owned(), from);
        if self.by_user.lock().expect("login limiter lock").is_blocked(&key) {
            return Some("too many failed logins for this username");
        }
        None
    }

    fn record_failure(&self, username: &str, from: IpAddr) {
        self.by_address.lock().expect("login limiter lock").record(from);
        self.by_user
            .lock()
            .expect("login limiter lock")
            .record((username.to_owned(), from));
    }

    /// A successful login: its username starts afresh at that address.
    fn clear(&self, username: &str, from: IpAddr) {
        let key = (username.to_owned(), from);
        self.by_user.lock().expect("login limiter lock").counts.remove(&key);
    }
}

/// Checks the logged-in person's password again (the app asks before a secret ballot once it
/// has been idle), under the same limits as logins: a laptop left open cannot be used to guess it.
pub async fn confirm_password(app: &App, user: &AuthUser, password: &str, from: IpAddr) -> ApiResult<i64> {
    let username = user.record.username.as_str();
    if let Some(reason) = app.login_limiter.refusal(username, from) {
        return Err(ApiError::new(ErrorCode::RateLimited, reason));
    }
    let verified = app
        .passwords
        .verify(password, &user.record.password_hash)
        .await
        .map_err(|_| ApiError::new(ErrorCode::ServerBusy, "too many password checks at once"))?;
    if !verified {
        app.login_limiter.record_failure(username, from);
        crate::audit::record_by(app, user, None, "password_confirm_failed", serde_json::json!({})).await?;
        return Err(ApiError::new(
            ErrorCode::WrongCredentials,
            "the password is not this account's",
        ));
    }
    app.login_limiter.clear(username, from);
    Ok(unix_now())
}

/// Checks a username and password and starts a session.
pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    from: IpAddr,
    laptop: Option<crate::devices::Laptop>,
) -> ApiResult<LoginResponse> {
    if let Some(reason) = app.login_limiter.refusal(username, from) {
        return Err(ApiError::new(ErrorCode::RateLimited, reason));
    }
    let user = app.store.user_by_username(username).await?;
    // Verify against a real hash even for an unknown username, so timing does not tell which
    // usernames exist.
    let phc = user
        .as_ref()
        .map_or(DUMMY_HASH.as_str(), |user| user.password_hash.as_str());
    // A burst of attempts waits in the checker's short queue or is told the server is busy, so it
    // cannot outrun the limits by more than the queue holds.
    let verified = app
        .passwords
        .verify(password, phc)
        .await
        .map_err(|_| ApiError::new(ErrorCode::ServerBusy, "too many logins at once"))?;
    let user = match user {
        Some(user) if verified => user,
        _ => {
            app.login_limiter.record_failure(username, from);
            // Only failures the limits let through are written, so a flood cannot fill the trail.
            let origin = Origin {
                who: username.chars().take(MAX_USERNAME_CHARS_KEPT).collect(),
                address: from.to_string(),
            };
            let detail = serde_json::json!({ "known_username": user.is_some() });
            crate::audit::record(app, None, None, &origin, "login_failed", detail).await?;
            return Err(ApiError::new(ErrorCode::WrongCredentials, ""));
        }
    };
    app.login_limiter.clear(username, from);
    if let Some(laptop) = &laptop {
        if !app
            .store
            .record_device_login(&laptop.id, &laptop.name, user.id, &from.to_string())
            .await?
        {
            let origin = Origin {
                who: crate::audit::who(&user),
                address: from.to_string(),
            };
            let detail = serde_json::json!({ "device": laptop.id });
            crate::audit::record(app, None, Some(user.id), &origin, "login_revoked_device", detail).await?;
            return Err(ApiError::new(ErrorCode::DeviceRevoked, "this laptop was revoked"));
        }
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires_at = unix_now() + app.config.session_ttl.as_secs() as i64;
    let hash = token_hash(&token);
    let device = laptop.map(|laptop| laptop.id);
    app.store
        .create_session(&hash, user.id, expires_at, device.as_deref())
        .await?;
    let origin = Origin {
        who: crate::audit::who(&user),
        address: from.to_string(),
    };
    crate::audit::record(
        app,
        None,
        Some(user.id),
        &origin,
        "login",
        serde_json::json!({ "expires_at": expires_at, "device": device }),
    )
    .await?;
    let response = LoginResponse {
        token,
        expires_at,
        user: user.view(),
        is_admin: user.is_admin,
        may_create_meetings: phonghop_core::roles::may_create_meetings(user.is_admin, user.may_create_meetings),
    };
    app.sessions
        .insert(hash, Arc::new(user), expires_at, device.map(Arc::from));
    Ok(response)
}

/// Sessions already looked up, by token hash, so checking a token (every HTTP request, every
/// `authenticate`) costs no database read. Sessions never change once made: an entry is right
/// until its expiry, when it is refused anyway.
#[derive(Default)]
pub struct SessionCache {
    sessions: Mutex<HashMap<[u8; 32], CachedSession>>,
}

/// A session's user, its expiry (Unix seconds) and its laptop.
type CachedSession = (Arc<UserRecord>, i64, Option<Arc<str>>);

/// Beyond this many cached sessions, expired ones are dropped.
const MAX_CACHED_SESSIONS: usize = 100_000;

impl SessionCache {
    fn get(&self, token_hash: &[u8; 32]) -> Option<CachedSession> {
        self.sessions
            .lock()
            .expect("session cache lock")
            .get(token_hash)
            .cloned()
    }

    fn insert(&self, token_hash: [u8; 32], user: Arc<UserRecord>, expires_at: i64, device: Option<Arc<str>>) {
        let mut sessions = self.sessions.lock().expect("session cache lock");
        if sessions.len() >= MAX_CACHED_SESSIONS {
            let now = unix_now();
            sessions.retain(|_, (_, expires_at, _)| *expires_at > now);
        }
        sessions.insert(token_hash, (user, expires_at, device));
    }

    /// Forgets every session: the next request of each reads the store.
    pub fn forget_all(&self) {
        self.sessions.lock().expect("session cache lock").clear();
    }

    /// Forgets every session of a revoked laptop: the next request reads the store, which
    /// refuses it.
    pub fn forget_device(&self, device: &str) {
        self.sessions
            .lock()
            .expect("session cache lock")
            .retain(|_, (_, _, of)| of.as_deref() != Some(device));
    }
}

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password("phonghop-no-such-user"));

/// The user a session token belongs to, if it is known and not expired.
pub async fn user_for_token(app: &App, token: &str) -> ApiResult<AuthUser> {
    let hash = token_hash(token);
    let (record, expires_at, device) = match app.sessions.get(&hash) {
        Some(cached) => cached,
        None => {
            let found = app
                .store
                .session_user(&hash)
                .await?
                .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "unknown session token"))?;
            if found.device_revoked {
                return Err(ApiError::new(
                    ErrorCode::DeviceRevoked,
                    "this session's laptop was revoked",
                ));
            }
            let record = Arc::new(found.user);
            let device: Option<Arc<str>> = found.device.map(Arc::from);
            app.sessions
                .insert(hash, Arc::clone(&record), found.expires_at, device.clone());
            (record, found.expires_at, device)
        }
    };
    if expires_at <= unix_now() {
        return Err(ApiError::new(ErrorCode::TokenExpired, ""));
    }
    Ok(AuthUser {
        record,
        expires_at,
        address: None,
        device,
    })
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
        let mut user = user_for_token(app, token.trim()).await?;
        user.address = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limiter_blocks_a_username_from_one_address_and_an_address_across_usernames() {
        let limiter = LoginLimiter::new(3, 5);
        let guesser: IpAddr = [192, 0, 2, 7].into();
        let owner: IpAddr = [192, 0, 2, 8].into();
        for _ in 0..3 {
            assert_eq!(limiter.refusal("db003", guesser), None);
            limiter.record_failure("db003", guesser);
        }
        assert!(limiter.refusal("db003", guesser).is_some());
        assert_eq!(
            limiter.refusal("db003", owner),
            None,
            "the councillor's own laptop is not locked out"
        );
        assert_eq!(limiter.refusal("db004", guesser), None);
        limiter.clear("db003", guesser);
        assert_eq!(limiter.refusal("db003", guesser), None);
        for name in ["x1", "x2"] {
            limiter.record_failure(name, guesser);
        }
        assert_eq!(
            limiter.refusal("db009", guesser),
            Some("too many failed logins from this address"),
            "five failures from one address block every username there"
        );
        assert_eq!(limiter.refusal("db009", owner), None);
    }
}
