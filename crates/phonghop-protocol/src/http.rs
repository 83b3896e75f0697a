//! Bodies of the HTTP API (`/api/...`); errors are [`crate::ErrorFrame`] with a matching status.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::message::Command;
use crate::model::{Document, MeetingState, MeetingSummary, MyBallot, Role, UserView};

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
    /// The account belongs to the council office: it may create meetings and manage the
    /// members of any meeting.
    pub is_admin: bool,
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
    /// The document with the upload as its current revision.
    pub document: Document,
    /// The meeting's log position after the upload.
    pub seq: u32,
    /// The file was the same as the document's current revision (same SHA-256): nothing was
    /// recorded.
    pub unchanged: bool,
}

/// The answer of `POST /api/meetings/{id}/members`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MemberView {
    pub user: UserView,
    pub role: Role,
}

/// The answer of `GET /api/meetings/{id}/snapshot`: the meeting at `seq`, with the caller's ballots.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SnapshotResponse {
    pub seq: u32,
    pub state: MeetingState,
    pub my_ballots: Vec<MyBallot>,
}

/// The body of `POST /api/meetings/{id}/commands`; the answer is a
/// [`crate::CommandResult`].
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CommandRequest {
    pub id: String,
    pub command: Command,
}
