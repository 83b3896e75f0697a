//! The HTTP routes (documented in docs/protocol.md). Handlers are thin: they parse, authorise
//! and hand over to [`crate::commands`], [`crate::ingest`] or the store.

use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use phonghop_core::{roles, Request};
use phonghop_protocol::http::{
    AddMemberRequest, AnnotationSync, AnnotationSyncAnswer, AttendanceView, CommandRequest, ConfirmPasswordRequest,
    CreateMeetingRequest, DocumentText, LoginRequest, LoginResponse, MeetingList, MemberView, PasswordConfirmed,
    ReadReceipts, ReceiptReport, RecordKeyView, SearchResponse, SnapshotResponse, UploadResponse,
};
use phonghop_protocol::{
    CommandResult, DocumentId, ErrorCode, ItemId, MeetingId, MeetingSummary, PollId, Role, Sha256,
};
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::ingest::{Target, Upload};
use crate::App;

/// JSON bodies are small; uploads have their own, larger limit.
const JSON_BODY_LIMIT: usize = 1024 * 1024;

pub fn router(app: App) -> Router {
    let uploads = Router::new()
        .route(
            "/api/meetings/{meeting_id}/items/{item_id}/documents",
            post(upload_document),
        )
        .route(
            "/api/meetings/{meeting_id}/documents/{document_id}/revisions",
            post(upload_revision),
        )
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .route("/api/health", get(|| async { "ok" }))
        .route("/api/tls/handovers", get(certificate_handovers))
        .route("/api/login", post(login))
        .route("/api/confirm-password", post(confirm_password))
        .route("/api/meetings", get(list_meetings).post(create_meeting))
        .route("/api/meetings/{meeting_id}/members", post(add_member))
        .route(
            "/api/meetings/{meeting_id}/members/import",
            post(crate::member_import::import),
        )
        .route("/api/meetings/{meeting_id}/snapshot", get(snapshot))
        .route("/api/meetings/{meeting_id}/commands", post(command))
        .route("/api/meetings/{meeting_id}/search", get(search))
        .route(
            "/api/meetings/{meeting_id}/documents/{document_id}/text",
            get(document_text),
        )
        .route(
            "/api/meetings/{meeting_id}/documents/{document_id}/receipts",
            post(report_receipt),
        )
        .route("/api/meetings/{meeting_id}/receipts", get(read_receipts))
        .route("/api/meetings/{meeting_id}/attendance", get(attendance))
        .route("/api/meetings/{meeting_id}/annotations/sync", post(sync_annotations))
        .route("/api/meetings/{meeting_id}/polls/{poll_id}/record.pdf", get(record_pdf))
        .route("/api/meetings/{meeting_id}/polls/{poll_id}/record.csv", get(record_csv))
        .route("/api/records/key", get(record_key))
        .route("/api/meetings/{meeting_id}/audit", get(crate::audit::meeting_page))
        .route(
            "/api/meetings/{meeting_id}/audit.csv",
            get(crate::audit::meeting_export),
        )
        .route("/api/audit", get(crate::audit::whole_page))
        .route("/api/meetings/{meeting_id}/devices", get(crate::devices::list))
        .route(
            "/api/meetings/{meeting_id}/devices/revoke",
            post(crate::devices::revoke),
        )
        .route("/api/audit.csv", get(crate::audit::whole_export))
        .route("/api/blobs/{sha256}", get(blob))
        .route("/ws", get(websocket))
        .route(
            "/api/meetings/{meeting_id}/hall-link",
            post(crate::hall::create_link).delete(crate::hall::revoke_links),
        )
        .route(
            "/api/meetings/{meeting_id}/opinions",
            get(crate::opinions::list).post(crate::opinions::send),
        )
        .route("/api/meetings/{meeting_id}/opinions.csv", get(crate::opinions::export))
        .route("/hall", get(crate::hall::page))
        .route("/hall/hall.js", get(crate::hall::script))
        .route("/hall/hall.css", get(crate::hall::style))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .merge(uploads)
        .layer(axum::middleware::map_response(errors_as_json))
        .layer(axum::middleware::from_fn(crate::headers::security_headers))
        .with_state(app)
}

/// Gives the answers axum makes itself (an unknown route, a bad number in a path, a JSON body
/// over the limit) the same JSON error body as ours, so a client always finds an `ErrorFrame`
/// on a failed request; axum's text becomes the `detail`.
async fn errors_as_json(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    // 416 carries its own Content-Range and no body to speak of.
    if is_json
        || !(status.is_client_error() || status.is_server_error())
        || status == axum::http::StatusCode::RANGE_NOT_SATISFIABLE
    {
        return response;
    }
    let code = match status.as_u16() {
        401 => ErrorCode::Unauthenticated,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::FrameTooLarge,
        500..=599 => ErrorCode::Internal,
        _ => ErrorCode::InvalidMessage,
    };
    let detail = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let mut answer = ApiError::new(code, detail).into_response();
    *answer.status_mut() = status;
    answer
}

/// A CSV file being written in memory: UTF-8 with a byte-order mark, so a spreadsheet opens the
/// Vietnamese right.
pub(crate) fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec())
}

/// The answer that downloads `writer`'s CSV as `file_name`.
pub(crate) fn csv_download(writer: csv::Writer<Vec<u8>>, file_name: &str) -> ApiResult<Response> {
    let bytes = writer
        .into_inner()
        .map_err(|error| ApiError::new(ErrorCode::Internal, error.to_string()))?;
    let headers = [
        (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (
            axum::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ),
    ];
    Ok((headers, bytes).into_response())
}

/// Parses a JSON body into our own error on failure (axum's rejections are plain text).
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|err| {
        let code = if serde_json::from_slice::<serde_json::Value>(body).is_ok() {
            ErrorCode::InvalidMessage
        } else {
            ErrorCode::MalformedFrame
        };
        ApiError::new(code, err.to_string())
    })
}

async fn login(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> ApiResult<Json<LoginResponse>> {
    let request: LoginRequest = parse_json(&body)?;
    let laptop = crate::devices::Laptop::of_login(request.device.as_deref(), request.device_name.as_deref())?;
    crate::auth::login(&app, request.username.trim(), &request.password, peer.ip(), laptop)
        .await
        .map(Json)
}

async fn confirm_password(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    user: AuthUser,
    body: Bytes,
) -> ApiResult<Json<PasswordConfirmed>> {
    let request: ConfirmPasswordRequest = parse_json(&body)?;
    let confirmed_at = crate::auth::confirm_password(&app, &user, &request.password, peer.ip()).await?;
    Ok(Json(PasswordConfirmed { confirmed_at }))
}

async fn list_meetings(State(app): State<App>, user: AuthUser) -> ApiResult<Json<MeetingList>> {
    Ok(Json(MeetingList {
        meetings: app.store.meetings_of(user.id()).await?,
    }))
}

async fn create_meeting(State(app): State<App>, user: AuthUser, body: Bytes) -> ApiResult<Json<MeetingSummary>> {
    if !roles::may_create_meetings(user.record.is_admin, user.record.may_create_meetings) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "this account may not create meetings",
        ));
    }
    let request: CreateMeetingRequest = parse_json(&body)?;
    let title = phonghop_core::text::title(&request.title)
        .map_err(|error| ApiError::new(ErrorCode::InvalidCommand, error.to_string()))?;
    let meeting = app
        .store
        .create_meeting(
            &title,
            request.location.trim(),
            request.starts_at.trim(),
            request.kind.unwrap_or_default(),
        )
        .await?;
    let detail =
        serde_json::json!({ "title": meeting.title, "location": meeting.location, "starts_at": meeting.starts_at });
    crate::audit::record_by(&app, &user, Some(meeting.id), "meeting_created", detail).await?;
    let creator = Request::SetMember {
        user: user.id(),
        role: Role::Secretariat,
    };
    // The new meeting has no members yet: the server itself makes the creator its secretariat,
    // with the council office's power for this one request (creating was checked above).
    let server_for_creator = phonghop_core::Actor {
        is_admin: true,
        ..user.actor()
    };
    app.writer
        .submit(meeting.id, server_for_creator, user.origin(), None, creator)
        .await?;
    Ok(Json(MeetingSummary {
        id: meeting.id,
        title: meeting.title,
        location: meeting.location,
        starts_at: meeting.starts_at,
        role: Role::Secretariat,
    }))
}

async fn add_member(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
    body: Bytes,
) -> ApiResult<Json<MemberView>> {
    let request: AddMemberRequest = parse_json(&body)?;
    let member = app
        .store
        .user_by_username(request.username.trim())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no user {:?}", request.username)))?;
    let set = Request::SetMember {
        user: member.id,
        role: request.role,
    };
    app.writer
        .submit(meeting_id, user.actor(), user.origin(), None, set)
        .await?;
    Ok(Json(MemberView {
        user: member.view(),
        role: request.role,
    }))
}

async fn snapshot(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
) -> ApiResult<Json<SnapshotResponse>> {
    role_in(&app, meeting_id, &user).await?;
    let loaded = app.store.load(meeting_id).await?;
    let my_ballots = app.store.my_ballots(meeting_id, user.id()).await?;
    Ok(Json(SnapshotResponse {
        seq: loaded.model.seq,
        state: loaded.model.view,
        my_ballots,
    }))
}

async fn command(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
    body: Bytes,
) -> ApiResult<Json<CommandResult>> {
    let request: CommandRequest = parse_json(&body)?;
    crate::commands::execute(&app, &user, meeting_id, &request.id, request.command)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize)]
struct UploadQuery {
    title: Option<String>,
    file_name: Option<String>,
    upload_id: Option<String>,
}

async fn upload_document(
    State(app): State<App>,
    user: AuthUser,
    Path((meeting_id, item_id)): Path<(MeetingId, ItemId)>,
    Query(query): Query<UploadQuery>,
    body: Body,
) -> ApiResult<Json<UploadResponse>> {
    let target = Target::NewDocument {
        item_id,
        title: query.title.unwrap_or_default(),
    };
    upload(app, user, meeting_id, target, query.file_name, query.upload_id, body).await
}

async fn upload_revision(
    State(app): State<App>,
    user: AuthUser,
    Path((meeting_id, document_id)): Path<(MeetingId, DocumentId)>,
    Query(query): Query<UploadQuery>,
    body: Body,
) -> ApiResult<Json<UploadResponse>> {
    let target = Target::Revision { document_id };
    upload(app, user, meeting_id, target, query.file_name, query.upload_id, body).await
}

async fn upload(
    app: App,
    user: AuthUser,
    meeting_id: MeetingId,
    target: Target,
    file_name: Option<String>,
    upload_id: Option<String>,
    body: Body,
) -> ApiResult<Json<UploadResponse>> {
    crate::ingest::may_upload(app.store.member_role(meeting_id, user.id()).await?, &user.actor())?;
    let limit = app.config.max_upload_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            ErrorCode::DocumentTooLarge,
            format!("the limit is {} MiB", limit / (1024 * 1024)),
        )
    })?;
    let upload = Upload {
        meeting_id,
        target,
        file_name: file_name.unwrap_or_default(),
        upload_id,
    };
    crate::ingest::ingest(&app, user.actor(), user.origin(), upload, &bytes)
        .await
        .map(Json)
}

#[derive(Debug, Deserialize)]
struct SearchQuery {
    q: Option<String>,
    limit: Option<u32>,
}

/// Longest query read, in characters; hits returned at most.
const MAX_QUERY_CHARS: usize = 200;
const MAX_SEARCH_HITS: u32 = 200;

async fn search(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
    Query(query): Query<SearchQuery>,
) -> ApiResult<Json<SearchResponse>> {
    role_in(&app, meeting_id, &user).await?;
    let text = query.q.unwrap_or_default();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::new(
            ErrorCode::InvalidMessage,
            format!("a search is at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_SEARCH_HITS);
    // More than asked: pages holding the words together are put first among them.
    let pages = app.store.search(meeting_id, &text, limit * 4).await?;
    Ok(Json(crate::search::hits(text, pages, limit as usize)))
}

#[derive(Debug, Deserialize)]
struct TextQuery {
    revision: Option<u32>,
}

/// The text of each page of a document's current revision, or of the revision asked for.
async fn document_text(
    State(app): State<App>,
    user: AuthUser,
    Path((meeting_id, document_id)): Path<(MeetingId, DocumentId)>,
    Query(query): Query<TextQuery>,
) -> ApiResult<Json<DocumentText>> {
    role_in(&app, meeting_id, &user).await?;
    let not_found = || ApiError::new(ErrorCode::NotFound, "no such document or revision for this user");
    let document = app
        .store
        .document(meeting_id, document_id)
        .await?
        .ok_or_else(not_found)?;
    let wanted = query.revision.unwrap_or(document.current.revision);
    let revision = std::iter::once(&document.current)
        .chain(&document.earlier)
        .find(|revision| revision.revision == wanted)
        .ok_or_else(not_found)?;
    let pages = app.store.revision_texts(meeting_id, document_id, wanted).await?;
    Ok(Json(DocumentText {
        document_id,
        revision: wanted,
        sha256: revision.sha256.clone(),
        pages,
    }))
}

/// A member's app says a revision reached the laptop, or was opened.
async fn report_receipt(
    State(app): State<App>,
    user: AuthUser,
    Path((meeting_id, document_id)): Path<(MeetingId, DocumentId)>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let report: ReceiptReport = parse_json(&body)?;
    role_in(&app, meeting_id, &user).await?;
    let recorded = app
        .store
        .record_receipt(meeting_id, document_id, &report.sha256, user.id(), report.event)
        .await?;
    if recorded {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(ErrorCode::NotFound, "no such document for this user"))
    }
}

/// Who has each document and who opened it: for those who prepare the meeting.
async fn read_receipts(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
) -> ApiResult<Json<ReadReceipts>> {
    let role = role_in(&app, meeting_id, &user).await?;
    if !roles::capabilities(role, user.record.is_admin).upload_documents {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the secretariat and the chair see read receipts",
        ));
    }
    let documents = app.store.read_receipts(meeting_id).await?;
    Ok(Json(ReadReceipts { documents }))
}

/// Every member with their attendance and the meeting's quorum: for every member (the chair sees
/// the quorum live, the secretariat marks from it, a councillor sees who is here).
async fn attendance(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
) -> ApiResult<Json<AttendanceView>> {
    role_in(&app, meeting_id, &user).await?;
    Ok(Json(app.store.attendance(meeting_id).await?))
}

/// The server's key for poll records; public, so anyone holding a record can check it.
async fn record_key(State(app): State<App>) -> Json<RecordKeyView> {
    Json(RecordKeyView {
        public_key: app.record_key.public_hex(),
        fingerprint: app.record_key.fingerprint(),
    })
}

/// A closed poll's signed record as PDF: any member of the meeting.
async fn record_pdf(app: State<App>, user: AuthUser, path: Path<(MeetingId, PollId)>) -> ApiResult<Response> {
    record_download(app, user, path, "pdf", "application/pdf").await
}

/// A closed poll's signed record as CSV: any member of the meeting.
async fn record_csv(app: State<App>, user: AuthUser, path: Path<(MeetingId, PollId)>) -> ApiResult<Response> {
    record_download(app, user, path, "csv", "text/csv; charset=utf-8").await
}

async fn record_download(
    State(app): State<App>,
    user: AuthUser,
    Path((meeting_id, poll_id)): Path<(MeetingId, PollId)>,
    extension: &str,
    content_type: &str,
) -> ApiResult<Response> {
    role_in(&app, meeting_id, &user).await?;
    let (csv, pdf) = crate::records::record(&app, meeting_id, poll_id).await?;
    let bytes = if extension == "pdf" { pdf } else { csv };
    let file_name = format!("bien-ban-bieu-quyet-{meeting_id}-{poll_id}.{extension}");
    Ok(record_file(bytes, content_type, &file_name))
}

fn record_file(bytes: Vec<u8>, content_type: &str, file_name: &str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    let header = |value: &str| axum::http::HeaderValue::from_str(value).ok();
    if let Some(value) = header(content_type) {
        headers.insert(axum::http::header::CONTENT_TYPE, value);
    }
    if let Some(value) = header(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A member's laptop syncs its annotations: any member of the meeting, for their own only.
async fn sync_annotations(
    State(app): State<App>,
    user: AuthUser,
    Path(meeting_id): Path<MeetingId>,
    body: Bytes,
) -> ApiResult<Json<AnnotationSyncAnswer>> {
    let request: AnnotationSync = parse_json(&body)?;
    role_in(&app, meeting_id, &user).await?;
    crate::annotations::sync(&app, &user, meeting_id, request)
        .await
        .map(Json)
}

/// Refuses (with `refusal` as the detail) unless the caller manages the meeting's members: its
/// secretariat, or the council office (a member or not; the meeting is loaded to see it exists).
pub(crate) async fn may_manage_members(
    app: &App,
    user: &AuthUser,
    meeting_id: MeetingId,
    refusal: &str,
) -> ApiResult<()> {
    let may_manage = match app.store.member_role(meeting_id, user.id()).await? {
        Some(role) => roles::capabilities(role, user.record.is_admin).manage_members,
        None if user.record.is_admin => app.store.load(meeting_id).await.map(|_| true)?,
        None => return Err(ApiError::new(ErrorCode::NotFound, "no such meeting for this user")),
    };
    if may_manage {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Forbidden, refusal))
    }
}

/// The caller's role in the meeting; someone outside it learns only that it is not found.
pub(crate) async fn role_in(app: &App, meeting_id: MeetingId, user: &AuthUser) -> ApiResult<Role> {
    app.store
        .member_role(meeting_id, user.id())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such meeting for this user"))
}

async fn blob(
    State(app): State<App>,
    user: AuthUser,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let not_found = || ApiError::new(ErrorCode::NotFound, "no such document");
    let sha256 = Sha256::parse(&sha256).map_err(|_| not_found())?;
    if !app.store.blob_visible_to(&sha256, user.id()).await? {
        return Err(not_found());
    }
    Ok(app.blobs.serve(&sha256, &headers).await)
}

async fn websocket(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .max_message_size(crate::ws::HARD_FRAME_LIMIT)
        .max_frame_size(crate::ws::HARD_FRAME_LIMIT)
        // Clients send small frames; tungstenite's default 128 KiB read buffer, zero-filled on
        // every read, cost a quarter of the CPU of a fan-out and 128 KiB per connection.
        .read_buffer_size(crate::ws::READ_BUFFER_BYTES)
        // Every frame is written at once (each send is flushed anyway), so no buffer waits.
        .write_buffer_size(0)
        .on_upgrade(move |socket| crate::ws::run(app, socket, Some(peer.ip())))
}

/// `GET /api/tls/handovers`: the hand-overs of the server's own certificate (public: each is
/// signed by the key of the certificate it hands over).
async fn certificate_handovers(
    State(app): State<App>,
) -> ApiResult<Json<phonghop_protocol::http::CertificateHandovers>> {
    crate::tls::handovers(&app.config.data_dir).map(Json).map_err(|error| {
        tracing::error!(error = %format!("{error:#}"), "the certificate hand-overs cannot be read");
        ApiError::new(ErrorCode::Internal, "the certificate hand-overs cannot be read")
    })
}
