//! Laptops: the app names its laptop at login ([`Laptop`], checked here); a meeting's secretariat
//! lists the laptops of its members (`GET /api/meetings/{id}/devices`) and revokes one
//! (`POST …/devices/revoke`): its sessions end at once — the session cache forgets them, open
//! WebSockets are told `device_revoked` and closed — it may not log in again, and the app, told
//! so, removes what it keeps of the meetings.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use phonghop_protocol::http::{DeviceList, RevokeDeviceRequest};
use phonghop_protocol::{ErrorCode, MeetingId};

use crate::api::parse_json;
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::App;

/// Longest laptop id, and longest name kept, in characters.
const MAX_ID_CHARS: usize = 64;
const MAX_NAME_CHARS: usize = 100;

/// A laptop as a login names it: an id of letters, digits, `-` and `_`, and a name to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Laptop {
    pub id: String,
    pub name: String,
}

impl Laptop {
    /// The laptop a login names, checked: `None` when it names none; `invalid_message` for an id
    /// that is empty, too long or of other characters. The name is cleaned (controls dropped,
    /// trimmed, at most 100 characters; the id when empty).
    pub fn of_login(id: Option<&str>, name: Option<&str>) -> ApiResult<Option<Laptop>> {
        let Some(id) = id else { return Ok(None) };
        let valid = !id.is_empty()
            && id.chars().count() <= MAX_ID_CHARS
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(ApiError::new(
                ErrorCode::InvalidMessage,
                "a device id is 1 to 64 letters, digits, '-' or '_'",
            ));
        }
        let name: String = name
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_NAME_CHARS)
            .collect();
        let name = name.trim();
        Ok(Some(Laptop {
            id: id.to_owned(),
            name: if name.is_empty() {
                id.to_owned()
            } else {
                name.to_owned()
            },
        }))
    }
}

/// `GET /api/meetings/{id}/devices`: the laptops of the meeting's members.
pub async fn list(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
) -> ApiResult<Json<DeviceList>> {
    crate::api::may_manage_members(
        &app,
        &user,
        meeting_id,
        "only the secretariat sees the members' laptops",
    )
    .await?;
    Ok(Json(DeviceList {
        devices: app.store.devices_of_meeting(meeting_id).await?,
    }))
}

/// `POST /api/meetings/{id}/devices/revoke`: revokes a laptop of one of the meeting's members.
pub async fn revoke(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
    body: Bytes,
) -> ApiResult<Json<DeviceList>> {
    crate::api::may_manage_members(&app, &user, meeting_id, "only the secretariat revokes a laptop").await?;
    let request: RevokeDeviceRequest = parse_json(&body)?;
    let devices = app.store.devices_of_meeting(meeting_id).await?;
    let Some(device) = devices.iter().find(|device| device.id == request.device) else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "no such laptop among the meeting's members",
        ));
    };
    if app.store.revoke_device(&device.id, user.id()).await? {
        let detail = serde_json::json!({ "device": device.id, "name": device.name, "user_id": device.user.id });
        crate::audit::record_by(&app, &user, Some(meeting_id), "device_revoked", detail).await?;
    }
    // Every process's sessions of it end at their next request; this one's at once.
    let id: Arc<str> = Arc::from(device.id.as_str());
    app.sessions.forget_device(&id);
    let _ = app.device_revocations.send(id);
    Ok(Json(DeviceList {
        devices: app.store.devices_of_meeting(meeting_id).await?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_laptops_id_is_checked_and_its_name_cleaned() {
        assert_eq!(Laptop::of_login(None, Some("x")).expect("none"), None);
        let laptop = Laptop::of_login(Some("a1b2-c3_d4"), Some("  Máy của chị Hằng\u{7}  ")).expect("valid");
        assert_eq!(
            laptop,
            Some(Laptop {
                id: "a1b2-c3_d4".into(),
                name: "Máy của chị Hằng".into()
            })
        );
        assert_eq!(
            Laptop::of_login(Some("abc"), None)
                .expect("valid")
                .map(|laptop| laptop.name),
            Some("abc".into())
        );
        for bad in ["", "có dấu", "a/b", &"x".repeat(65)] {
            assert!(Laptop::of_login(Some(bad), None).is_err(), "{bad:?}");
        }
        let long = Laptop::of_login(Some("x"), Some(&"ă".repeat(300)))
            .expect("valid")
            .expect("a laptop");
        assert_eq!(long.name.chars().count(), 100);
    }
}
