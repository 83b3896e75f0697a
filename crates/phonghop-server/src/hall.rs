//! The hall screen: a page this server serves itself (`/hall`, its script and style built into
//! the binary) for a browser on the hall's TV, and the read-only codes it opens a meeting with.
//!
//! Whoever runs a meeting makes a code (`POST /api/meetings/{id}/hall-link`); only its SHA-256
//! is kept. The page authenticates on the WebSocket with the code instead of a session token:
//! such a connection may subscribe to that one meeting and sends no command (`forbidden`).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::Json;
use phonghop_core::roles;
use phonghop_protocol::http::{HallLink, HallLinksRevoked};
use phonghop_protocol::{ErrorCode, MeetingId, UserId, UserView};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::App;

const PAGE: &str = include_str!("../hall/hall.html");
const SCRIPT: &str = include_str!("../hall/hall.js");
const STYLE: &str = include_str!("../hall/hall.css");

/// Letters and digits that cannot be mistaken for each other on a TV (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Twelve characters: about 59 bits, shown in groups of four.
const CODE_LENGTH: usize = 12;

/// The user a hall screen is welcomed as: no account, id 0.
pub fn viewer() -> UserView {
    UserView {
        id: UserId(0),
        username: "hall-screen".into(),
        full_name: "Màn hình hội trường".into(),
        position: String::new(),
    }
}

/// A new code, such as `K7QM-2XPD-9RTA`.
fn new_code() -> String {
    let mut random = rand::thread_rng();
    let letters: Vec<char> = (0..CODE_LENGTH)
        .map(|_| CODE_ALPHABET[random.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    letters
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The hash a code is kept and looked up by: typed in any case, with or without its dashes.
pub fn code_hash(code: &str) -> [u8; 32] {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Sha256::digest(format!("phonghop hall link/{normal}").as_bytes()).into()
}

/// The meeting a code shows and when the code expires, if it is a hall link's still valid.
pub async fn meeting_for_code(app: &App, code: &str) -> Result<Option<(MeetingId, i64)>, ApiError> {
    Ok(app.store.hall_link(&code_hash(code)).await?)
}

/// `POST /api/meetings/{id}/hall-link`: a new code for the meeting's hall screen, for whoever
/// runs the meeting (chair, secretariat) or the council office.
pub async fn create_link(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
) -> ApiResult<Json<HallLink>> {
    may_open_hall(&app, &user, meeting_id).await?;
    let code = new_code();
    let expires_at = crate::auth::unix_now() + app.config.hall_link_ttl.as_secs() as i64;
    app.store
        .create_hall_link(&code_hash(&code), meeting_id, user.id(), expires_at)
        .await?;
    let detail = serde_json::json!({ "expires_at": expires_at });
    crate::audit::record_by(&app, &user, Some(meeting_id), "hall_link_created", detail).await?;
    Ok(Json(HallLink {
        path: format!("/hall?meeting={meeting_id}&code={code}"),
        code,
        expires_at,
    }))
}

/// `DELETE /api/meetings/{id}/hall-link`: every code of the meeting's hall screen stops working,
/// and the screens open with one are closed at once (a code seen by the wrong person, a TV
/// taken out of the hall).
pub async fn revoke_links(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
) -> ApiResult<Json<HallLinksRevoked>> {
    may_open_hall(&app, &user, meeting_id).await?;
    let revoked = app.store.revoke_hall_links(meeting_id).await?;
    let detail = serde_json::json!({ "revoked": revoked });
    crate::audit::record_by(&app, &user, Some(meeting_id), "hall_links_revoked", detail).await?;
    // No hall screen listening is no one to tell.
    let _ = app.hall_revocations.send(meeting_id);
    Ok(Json(HallLinksRevoked {
        revoked: revoked as u32,
    }))
}

/// Whoever runs the meeting (chair, secretariat) or the council office.
async fn may_open_hall(app: &App, user: &AuthUser, meeting_id: MeetingId) -> ApiResult<()> {
    let role = app.store.member_role(meeting_id, user.id()).await?;
    let may = match role {
        Some(role) => roles::capabilities(role, user.record.is_admin).run_meeting || user.record.is_admin,
        None if user.record.is_admin => true,
        None => return Err(ApiError::new(ErrorCode::NotFound, "no such meeting for this user")),
    };
    if !may {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the chair or the secretariat opens the hall screen",
        ));
    }
    Ok(())
}

pub async fn page() -> Html<&'static str> {
    Html(PAGE)
}

pub async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

pub async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_twelve_unmistakable_characters_and_is_found_however_it_is_typed() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LENGTH + 2);
        assert!(code.chars().all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8))));
        let typed = code.replace('-', " ").to_lowercase();
        assert_eq!(code_hash(&typed), code_hash(&code));
        assert_ne!(code_hash(&new_code()), code_hash(&code));
    }
}
