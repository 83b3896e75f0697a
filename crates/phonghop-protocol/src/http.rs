//! Bodies of the HTTP API (`/api/...`); errors are [`crate::ErrorFrame`] with a matching status.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Document, MeetingSummary, Role, UserView};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LoginResponse {
    /// Sent as `Authorization: Bearer <token>` on HTTP and in `authenticate` on the WebSocket.
    pub token: String,
    /// Unix seconds after which the token is refused with `token_expired`.
    #[ts(type = "number")]
    pub expires_at: i64,
    pub user: UserView,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MeetingList {
    pub meetings: Vec<MeetingSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CreateMeetingRequest {
    pub title: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub starts_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AddMemberRequest {
    pub username: String,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UploadResponse {
    pub document: Document,
    pub seq: u32,
}
