//! The audit trail on the server: writing what happens outside the meeting writer (logins,
//! failed logins, accounts, hall links, opinions), and showing the trail to whoever manages a
//! meeting — a page of JSON (`GET /api/meetings/{id}/audit`) or a CSV export — and the whole of
//! it to the council office (`GET /api/audit`, `GET /api/audit.csv`). The writer records a
//! meeting's changes itself, in the transaction that commits them. docs/audit.md says what is
//! recorded and how the chain is checked.

use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::Json;
use phonghop_protocol::http::{AuditEntry, AuditPage};
use phonghop_protocol::{ErrorCode, MeetingId, UserId};
use phonghop_store::{AuditRecord, UserRecord};
use serde::Deserialize;
use serde_json::Value;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::writer::Origin;
use crate::App;

/// The most entries one page holds, and what a page without `limit` holds.
const MAX_PAGE: u32 = 1000;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// How the trail names a person: `Nguyễn Văn A (db001)`.
pub fn who(record: &UserRecord) -> String {
    format!("{} ({})", record.full_name, record.username)
}

/// Writes one entry now, in a transaction of its own.
pub async fn record(
    app: &App,
    meeting_id: Option<MeetingId>,
    user_id: Option<UserId>,
    origin: &Origin,
    action: &str,
    detail: Value,
) -> ApiResult<()> {
    let entry = AuditRecord {
        at_ms: now_ms(),
        meeting_id,
        user_id,
        who: origin.who.clone(),
        address: origin.address.clone(),
        action: action.to_owned(),
        detail: detail.to_string(),
    };
    app.store.record_audit(&[entry]).await?;
    Ok(())
}

/// Writes one entry of what `user` did.
pub async fn record_by(
    app: &App,
    user: &AuthUser,
    meeting_id: Option<MeetingId>,
    action: &str,
    detail: Value,
) -> ApiResult<()> {
    record(app, meeting_id, Some(user.id()), &user.origin(), action, detail).await
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    after: u64,
    limit: Option<u32>,
}

/// `GET /api/meetings/{id}/audit?after=&limit=`: the meeting's entries, for its secretariat and
/// the council office.
pub async fn meeting_page(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<AuditPage>> {
    crate::api::may_manage_members(&app, &user, meeting_id, "only the secretariat reads the audit trail").await?;
    page(&app, Some(meeting_id), query).await.map(Json)
}

/// `GET /api/audit?after=&limit=`: every entry (logins and accounts too), for the council office.
pub async fn whole_page(
    State(app): State<App>,
    user: AuthUser,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<AuditPage>> {
    office_only(&user)?;
    page(&app, None, query).await.map(Json)
}

/// `GET /api/meetings/{id}/audit.csv`: the meeting's entries as CSV.
pub async fn meeting_export(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
) -> ApiResult<impl IntoResponse> {
    crate::api::may_manage_members(&app, &user, meeting_id, "only the secretariat exports the audit trail").await?;
    export(&app, Some(meeting_id), format!("nhat-ky-ky-hop-{meeting_id}.csv")).await
}

/// `GET /api/audit.csv`: the whole trail as CSV, which can be checked link by link (docs/audit.md).
pub async fn whole_export(State(app): State<App>, user: AuthUser) -> ApiResult<impl IntoResponse> {
    office_only(&user)?;
    export(&app, None, "nhat-ky-may-chu.csv".to_owned()).await
}

fn office_only(user: &AuthUser) -> ApiResult<()> {
    if user.record.is_admin {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the council office reads the whole audit trail",
        ))
    }
}

async fn page(app: &App, meeting: Option<MeetingId>, query: PageQuery) -> ApiResult<AuditPage> {
    let limit = query.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    // One more than asked tells whether more follow.
    let mut entries = app.store.audit_entries(meeting, query.after, limit + 1).await?;
    let more = entries.len() > limit as usize;
    entries.truncate(limit as usize);
    Ok(AuditPage { entries, more })
}

async fn export(app: &App, meeting: Option<MeetingId>, file_name: String) -> ApiResult<impl IntoResponse> {
    let csv_error = |error: csv::Error| ApiError::new(ErrorCode::Internal, error.to_string());
    let mut writer = crate::api::csv_writer();
    writer
        .write_record([
            "seq",
            "at_ms",
            "thoi_gian",
            "meeting_id",
            "user_id",
            "who",
            "address",
            "action",
            "detail",
            "hash",
        ])
        .map_err(csv_error)?;
    let mut after = 0;
    loop {
        let entries = app.store.audit_entries(meeting, after, MAX_PAGE).await?;
        let Some(last) = entries.last() else { break };
        after = last.seq;
        for entry in &entries {
            writer.write_record(csv_row(entry)).map_err(csv_error)?;
        }
    }
    crate::api::csv_download(writer, &file_name)
}

fn csv_row(entry: &AuditEntry) -> [String; 10] {
    let id = |id: Option<u32>| id.map_or_else(String::new, |id| id.to_string());
    [
        entry.seq.to_string(),
        entry.at_ms.to_string(),
        phonghop_record::words::time(entry.at_ms.div_euclid(1000)),
        id(entry.meeting_id.map(|meeting| meeting.0)),
        id(entry.user_id.map(|user| user.0)),
        entry.who.clone(),
        entry.address.clone(),
        entry.action.clone(),
        entry.detail.clone(),
        entry.hash.clone(),
    ]
}
