//! Written opinions (góp ý): a member sends one on an agenda item or one of its documents; the
//! secretariat and the chair read them all and export them as CSV; a member reads their own.
//! They are not part of the meeting's public log, so no other councillor sees them.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::Json;
use phonghop_core::roles;
use phonghop_protocol::http::{OpinionList, OpinionRequest, OpinionView};
use phonghop_protocol::{ErrorCode, MeetingId};
use phonghop_store::NewOpinion;

use crate::api::{parse_json, role_in};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::App;

/// `POST /api/meetings/{id}/opinions`: any member; the same `id` again answers the opinion kept.
pub async fn send(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
    body: Bytes,
) -> ApiResult<Json<OpinionView>> {
    let request: OpinionRequest = parse_json(&body)?;
    role_in(&app, meeting_id, &user).await?;
    let text = phonghop_core::text::description(&request.text)
        .map_err(|error| ApiError::new(ErrorCode::InvalidCommand, error.to_string()))?;
    if text.trim().is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidCommand, "an opinion has no text"));
    }
    let client_id = request.id.trim();
    if client_id.is_empty() || client_id.len() > 100 {
        return Err(ApiError::new(
            ErrorCode::InvalidCommand,
            "an opinion's id is 1 to 100 characters",
        ));
    }
    let opinion = NewOpinion {
        meeting_id,
        user_id: user.id(),
        client_id: client_id.to_owned(),
        item_id: request.item_id,
        document_id: request.document_id,
        text,
    };
    let kept = app.store.add_opinion(&opinion).await?;
    // The text stays with the opinion; the trail says that one was sent, and where to.
    let detail =
        serde_json::json!({ "id": opinion.client_id, "item_id": opinion.item_id, "document_id": opinion.document_id });
    crate::audit::record_by(&app, &user, Some(meeting_id), "opinion_sent", detail).await?;
    Ok(Json(kept))
}

/// Whether `user` reads every opinion of the meeting: who prepares it, or the council office.
async fn reads_all(app: &App, meeting_id: MeetingId, user: &AuthUser) -> ApiResult<bool> {
    let role = role_in(app, meeting_id, user).await?;
    Ok(roles::capabilities(role, user.record.is_admin).run_meeting || user.record.is_admin)
}

/// `GET /api/meetings/{id}/opinions`: all of them for the secretariat and the chair, one's own
/// for anyone else.
pub async fn list(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
) -> ApiResult<Json<OpinionList>> {
    let of = if reads_all(&app, meeting_id, &user).await? {
        None
    } else {
        Some(user.id())
    };
    Ok(Json(OpinionList {
        opinions: app.store.opinions(meeting_id, of).await?,
    }))
}

/// `GET /api/meetings/{id}/opinions.csv`: every opinion as CSV (UTF-8 with a BOM, so a
/// spreadsheet opens the Vietnamese right), for the secretariat and the chair.
pub async fn export(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
) -> ApiResult<impl IntoResponse> {
    if !reads_all(&app, meeting_id, &user).await? {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the secretariat and the chair export the opinions",
        ));
    }
    let snapshot = app.store.load(meeting_id).await?.model.view;
    let opinions = app.store.opinions(meeting_id, None).await?;
    let mut writer = crate::api::csv_writer();
    let csv_error = |error: csv::Error| ApiError::new(ErrorCode::Internal, error.to_string());
    writer
        .write_record([
            "stt",
            "thoi_gian",
            "dai_bieu",
            "chuc_vu",
            "noi_dung",
            "tai_lieu",
            "gop_y",
        ])
        .map_err(csv_error)?;
    for (index, opinion) in opinions.iter().enumerate() {
        let item = snapshot.items.iter().find(|item| item.id == opinion.item_id);
        let document = opinion.document_id.and_then(|id| snapshot.document(id));
        writer
            .write_record([
                (index + 1).to_string(),
                phonghop_record::words::time(opinion.sent_at),
                opinion.user.full_name.clone(),
                opinion.user.position.clone(),
                item.map_or_else(String::new, |item| item.title.clone()),
                document.map_or_else(String::new, |document| document.title.clone()),
                opinion.text.clone(),
            ])
            .map_err(csv_error)?;
    }
    crate::api::csv_download(writer, &format!("gop-y-ky-hop-{meeting_id}.csv"))
}
