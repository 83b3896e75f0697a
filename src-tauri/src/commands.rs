//! The commands the webview invokes. Each is a few lines over [`phonghop_client::Seat`];
//! errors reach the UI as [`UserFacingError`] (a code and plain Vietnamese/English text).

use std::sync::Arc;

use phonghop_client::annotations::AnnotationShown;
use phonghop_client::cache::KeptMeetings;
use phonghop_client::carry::UnplacedShown;
use phonghop_client::packet::PacketView;
use phonghop_client::seat::SavedRecord;
use phonghop_client::seat::{LoginView, MirrorView, OpenedDocument, SearchView};
use phonghop_client::{ClientError, UserFacingError};
use phonghop_protocol::http::{
    AddMemberRequest, AttendanceView, AuditPage, CreateMeetingRequest, DeviceList, ImportMembersRequest,
    ImportMembersResponse, MemberView, OpinionRequest, OpinionView, ReadReceipts, UploadResponse,
};
use phonghop_protocol::{
    Annotation, AnnotationId, AttendanceStatus, BallotForm, Choice, Command, DocumentId, Fraction, ItemId, MeetingId,
    MeetingSummary, PollId, RulePreset, Secrecy, UserId,
};
use serde::{Deserialize, Serialize};
use tauri::{Emitter, State};

use crate::{annotated_copy, Shared};

type Answer<T> = Result<T, UserFacingError>;

fn shown(error: ClientError) -> UserFacingError {
    UserFacingError::from(&error)
}

#[derive(Serialize)]
pub struct Defaults {
    server_url: String,
    username: String,
    /// Minutes untouched after which a secret ballot asks for the password again.
    reconfirm_after_minutes: u32,
}

#[tauri::command]
pub fn app_defaults(shared: State<'_, Arc<Shared>>) -> Defaults {
    Defaults {
        server_url: shared.launch.server.clone().unwrap_or_default(),
        username: shared.launch.username.clone().unwrap_or_default(),
        reconfirm_after_minutes: shared.launch.reconfirm_after_minutes,
    }
}

/// Connects to an `https://` server without trusting it and answers its certificate's
/// fingerprint (16 groups of 4 hex digits), for the person to compare with the secretariat's.
#[tauri::command]
pub async fn probe_server(shared: State<'_, Arc<Shared>>, server_url: String) -> Answer<String> {
    shared
        .seat
        .probe_server(&server_url)
        .await
        .map(|fingerprint| fingerprint.to_string())
        .map_err(shown)
}

/// Pins the fingerprint the person compared for `server_url` (replacing an earlier pin: the
/// explicit re-pin after a certificate changed on purpose).
#[tauri::command]
pub async fn pin_server(shared: State<'_, Arc<Shared>>, server_url: String, fingerprint: String) -> Answer<()> {
    let fingerprint = phonghop_client::tls::Fingerprint::parse(&fingerprint).map_err(shown)?;
    shared.seat.pin_server(&server_url, fingerprint).await.map_err(shown)
}

/// The fingerprint pinned for `server_url` on this laptop, if any.
#[tauri::command]
pub async fn pinned_fingerprint(shared: State<'_, Arc<Shared>>, server_url: String) -> Answer<Option<String>> {
    shared
        .seat
        .pinned(&server_url)
        .await
        .map(|pinned| pinned.map(|fingerprint| fingerprint.to_string()))
        .map_err(shown)
}

#[tauri::command]
pub async fn login(
    shared: State<'_, Arc<Shared>>,
    server_url: String,
    username: String,
    password: String,
) -> Answer<LoginView> {
    shared
        .seat
        .login(&server_url, &username, &password)
        .await
        .map_err(shown)
}

/// Logs in as `--auto-login` says, with the password only the Rust side holds; `None` when the
/// app was not launched so.
#[tauri::command]
pub async fn auto_login(shared: State<'_, Arc<Shared>>) -> Answer<Option<LoginView>> {
    let Some(auto) = &shared.launch.auto_login else {
        return Ok(None);
    };
    shared
        .seat
        .login(&auto.server, &auto.username, &auto.password)
        .await
        .map(Some)
        .map_err(shown)
}

/// The UI has the agenda on screen; the first time, the app prints when (see [`crate::startup`]).
#[tauri::command]
pub fn agenda_shown(shared: State<'_, Arc<Shared>>) {
    if let Some(since_start) = shared.startup.agenda_shown() {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        // Nobody may be reading (a desktop launch): the line is for whoever is.
        let _ = writeln!(out, "{}", crate::startup::agenda_visible_line(since_start));
        let _ = out.flush();
    }
}

#[tauri::command]
pub async fn logout(shared: State<'_, Arc<Shared>>) -> Answer<()> {
    shared.seat.logout().await;
    Ok(())
}

/// Whose session the laptop keeps, for the unlock screen; `None` when none is kept.
#[tauri::command]
pub async fn vault_owner(shared: State<'_, Arc<Shared>>) -> Answer<Option<phonghop_client::cache::VaultOwner>> {
    shared.seat.vault_owner().await.map_err(shown)
}

/// Unlocks the documents and notes kept on this laptop with the password of the person whose
/// session it keeps — no server needed (`wrong_password` otherwise).
#[tauri::command]
pub async fn unlock(shared: State<'_, Arc<Shared>>, password: String) -> Answer<()> {
    shared.seat.unlock(&password).await.map_err(shown)
}

/// Opens the meeting of the last session kept on this laptop as last seen, with or without the
/// server; `None` when there is none (the login form shows); `locked` until [`unlock`].
#[tauri::command]
pub async fn resume_saved(app: tauri::AppHandle, shared: State<'_, Arc<Shared>>) -> Answer<Option<MirrorView>> {
    let resumed = match (shared.seat.resume_saved().await, &shared.launch.auto_login) {
        // Launched with `--auto-login`, the Rust side holds the password: it unlocks as the
        // person would.
        (Err(phonghop_client::ClientError::Locked), Some(auto)) => {
            shared.seat.unlock(&auto.password).await.map_err(shown)?;
            shared.seat.resume_saved().await
        }
        (resumed, _) => resumed,
    };
    let Some(mirror) = resumed.map_err(shown)? else {
        return Ok(None);
    };
    crate::forward_mirror(app, shared.inner().clone(), mirror);
    Ok(shared.seat.mirror_view())
}

#[tauri::command]
pub async fn open_meeting(
    app: tauri::AppHandle,
    shared: State<'_, Arc<Shared>>,
    meeting_id: MeetingId,
) -> Answer<Option<MirrorView>> {
    let mirror = shared.seat.open_meeting(meeting_id).await.map_err(shown)?;
    crate::forward_mirror(app, shared.inner().clone(), mirror);
    Ok(shared.seat.mirror_view())
}

#[tauri::command]
pub fn mirror(shared: State<'_, Arc<Shared>>) -> Option<MirrorView> {
    shared.seat.mirror_view()
}

/// Searches the meeting's documents (on the laptop when the server cannot be reached).
#[tauri::command]
pub async fn search(shared: State<'_, Arc<Shared>>, query: String) -> Answer<SearchView> {
    shared.seat.search(&query).await.map_err(shown)
}

/// Who has each document and who opened it (the chair and the secretariat).
#[tauri::command]
pub async fn read_receipts(shared: State<'_, Arc<Shared>>) -> Answer<ReadReceipts> {
    shared.seat.read_receipts().await.map_err(shown)
}

/// Every member with their attendance, and whether the meeting's quorum is present.
#[tauri::command]
pub async fn attendance(shared: State<'_, Arc<Shared>>) -> Answer<AttendanceView> {
    shared.seat.attendance().await.map_err(shown)
}

/// The member checks themselves in (điểm danh).
#[tauri::command]
pub async fn check_in(shared: State<'_, Arc<Shared>>) -> Answer<()> {
    shared.seat.send(Command::CheckIn).await.map_err(shown)
}

/// The secretariat or the chair marks a member present, absent with leave or absent.
#[tauri::command]
pub async fn set_attendance(
    shared: State<'_, Arc<Shared>>,
    user_id: UserId,
    status: AttendanceStatus,
    reason: String,
) -> Answer<()> {
    shared
        .seat
        .send(Command::SetAttendance {
            user_id,
            status,
            reason,
        })
        .await
        .map_err(shown)
}

/// The secretariat sets the share of the voting members who must be present to open a poll.
#[tauri::command]
pub async fn set_meeting_quorum(shared: State<'_, Arc<Shared>>, quorum: Option<Fraction>) -> Answer<()> {
    shared
        .seat
        .send(Command::SetMeetingQuorum { quorum })
        .await
        .map_err(shown)
}

/// Where the meeting's packet stands (its changes follow as `packet-changed` events).
#[tauri::command]
pub fn packet(shared: State<'_, Arc<Shared>>) -> Option<PacketView> {
    shared.seat.packet()
}

/// The meetings whose documents are on this laptop, and the space they take.
#[tauri::command]
pub async fn kept_meetings(shared: State<'_, Arc<Shared>>) -> Answer<KeptMeetings> {
    shared.seat.kept_meetings().await.map_err(shown)
}

/// Removes an old meeting's documents from the laptop; the bytes freed.
#[tauri::command]
pub async fn remove_kept_meeting(shared: State<'_, Arc<Shared>>, server: String, meeting_id: MeetingId) -> Answer<u64> {
    shared
        .seat
        .remove_kept_meeting(&server, meeting_id)
        .await
        .map_err(shown)
}

/// A page's text layer, for selectable text over the page image, with where `query` (a search
/// the reader came from) matches on it.
#[derive(Serialize)]
pub struct PageTextView {
    runs: Vec<phonghop_pdf::TextRun>,
    marks: Vec<phonghop_core::search::RunMark>,
}

#[tauri::command]
pub async fn page_text(
    shared: State<'_, Arc<Shared>>,
    sha256: String,
    page: u32,
    query: Option<String>,
) -> Answer<PageTextView> {
    let unavailable = |detail: String| UserFacingError::from(&ClientError::Protocol(detail));
    let sha256 = phonghop_protocol::Sha256::parse(&sha256).map_err(|error| unavailable(error.to_string()))?;
    let pages = shared
        .pages
        .as_ref()
        .ok_or_else(|| unavailable("PDFium is not available".into()))?;
    let file = shared
        .seat
        .cached_file(&sha256)
        .await
        .map_err(shown)?
        .ok_or_else(|| shown(ClientError::NotCached))?;
    let layer = pages
        .text_layer(&file, page)
        .await
        .map_err(|error| unavailable(error.to_string()))?;
    let texts: Vec<&str> = layer.runs.iter().map(|run| run.text.as_str()).collect();
    let marks = query.map_or_else(Vec::new, |query| phonghop_core::search::marks_in_runs(&texts, &query));
    Ok(PageTextView {
        runs: layer.runs,
        marks,
    })
}

/// The annotations on a document the reader sees: their own, and those others share.
#[tauri::command]
pub async fn annotations(shared: State<'_, Arc<Shared>>, document_id: DocumentId) -> Answer<Vec<AnnotationShown>> {
    shared.seat.annotations(document_id).await.map_err(shown)
}

/// Saves a change of one of the reader's annotations on the laptop (at once, offline too), then
/// tries to send it.
#[tauri::command]
pub async fn save_annotation(shared: State<'_, Arc<Shared>>, annotation: Annotation) -> Answer<Annotation> {
    let saved = shared.seat.save_annotation(annotation).await.map_err(shown)?;
    sync_annotations_soon(shared.inner().clone());
    Ok(saved)
}

/// Deletes one of the reader's annotations (on every laptop of theirs once synced).
#[tauri::command]
pub async fn delete_annotation(shared: State<'_, Arc<Shared>>, id: AnnotationId) -> Answer<()> {
    shared.seat.delete_annotation(&id).await.map_err(shown)?;
    sync_annotations_soon(shared.inner().clone());
    Ok(())
}

/// The reader's annotations that could not be placed on the document's current revision.
#[tauri::command]
pub async fn unplaced_annotations(
    shared: State<'_, Arc<Shared>>,
    document_id: DocumentId,
) -> Answer<Vec<UnplacedShown>> {
    shared.seat.unplaced_annotations(document_id).await.map_err(shown)
}

/// "My annotated copy": the revision the reader has open (`revision`, else the current one) with
/// their own annotations on it as real PDF annotations — flattened into the pages for printing
/// when asked — written to their Downloads folder; the path written.
#[tauri::command]
pub async fn export_annotated(
    app: tauri::AppHandle,
    shared: State<'_, Arc<Shared>>,
    document_id: DocumentId,
    flatten: bool,
    revision: Option<u32>,
) -> Answer<String> {
    let view = shared
        .seat
        .mirror_view()
        .ok_or_else(|| shown(ClientError::NotLoggedIn))?;
    let (title, revision) =
        annotated_copy::revision_of(&view, document_id, revision).ok_or_else(|| shown(ClientError::NotCached))?;
    let file = shared.seat.cached_file(&revision.sha256).await.map_err(shown)?;
    let file = file.ok_or_else(|| shown(ClientError::NotCached))?;
    let mine = annotated_copy::mine_on(shared.seat.annotations(document_id).await.map_err(shown)?, &revision);
    let out = annotated_copy::folder(&app).map_err(annotated_copy::failed)?;
    let watermark = annotated_copy::watermark(&view.user.full_name, &view.user.username, annotated_copy::unix_now());
    annotated_copy::write(
        file,
        mine,
        view.user.full_name,
        watermark,
        flatten,
        out.join(annotated_copy::file_name(&title)),
    )
    .await
}

/// Sends what waits in the background; the server unreachable, the next packet round does.
fn sync_annotations_soon(shared: Arc<Shared>) {
    tauri::async_runtime::spawn(async move {
        if let Err(error) = shared.seat.sync_annotations_soon().await {
            tracing::debug!(%error, "annotations not synced for now");
        }
    });
}

/// Opens a document; the meeting's view follows at once (its revision is no longer new).
#[tauri::command]
pub async fn open_document(
    app: tauri::AppHandle,
    shared: State<'_, Arc<Shared>>,
    document_id: DocumentId,
    revision: Option<u32>,
) -> Answer<OpenedDocument> {
    let opened = shared.seat.open_document(document_id, revision).await.map_err(shown)?;
    if let Some(view) = shared.seat.mirror_view() {
        let _ = app.emit("mirror-changed", view);
    }
    Ok(opened)
}

#[tauri::command]
pub async fn cast_ballot(shared: State<'_, Arc<Shared>>, poll_id: PollId, choice: Choice) -> Answer<()> {
    shared.seat.cast_ballot(poll_id, choice).await.map_err(shown)
}

/// A ballot of marks (options, an election, a confidence vote): one mark per line.
#[tauri::command]
pub async fn cast_marks(shared: State<'_, Arc<Shared>>, poll_id: PollId, marks: Vec<u8>) -> Answer<()> {
    shared
        .seat
        .send(Command::CastMarks { poll_id, marks })
        .await
        .map_err(shown)
}

/// What the chair chose in the app's form to open a poll (the rule always from a preset).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PollForm {
    item_id: ItemId,
    title: String,
    /// Options, an election, a confidence vote; a motion when absent.
    ballot: Option<BallotForm>,
    preset: Option<String>,
    secrecy: Option<Secrecy>,
    changeable: Option<bool>,
    quorum_override: Option<String>,
    duration_seconds: Option<u32>,
}

#[tauri::command]
pub async fn open_poll(shared: State<'_, Arc<Shared>>, form: PollForm) -> Answer<()> {
    shared
        .seat
        .send(Command::OpenPoll {
            ballot: form.ballot,
            item_id: form.item_id,
            title: form.title,
            rule: None,
            preset: form.preset,
            secrecy: form.secrecy,
            changeable: form.changeable,
            quorum_override: form.quorum_override,
            duration_seconds: form.duration_seconds,
        })
        .await
        .map_err(shown)
}

/// Saves the signed result record of a closed poll ("pdf" or "csv") into the Downloads folder,
/// after checking its signature against the server's key.
#[tauri::command]
pub async fn save_poll_record(
    app: tauri::AppHandle,
    shared: State<'_, Arc<Shared>>,
    poll_id: PollId,
    format: String,
) -> Answer<SavedRecord> {
    if format != "pdf" && format != "csv" {
        return Err(shown(ClientError::Protocol(format!(
            "a record is pdf or csv, not {format:?}"
        ))));
    }
    let (bytes, fingerprint) = shared.seat.poll_record(poll_id, &format).await.map_err(shown)?;
    let meeting = shared
        .seat
        .mirror_view()
        .and_then(|view| view.state.map(|state| state.meeting.id));
    let name = format!(
        "Biên bản biểu quyết {}-{poll_id}.{format}",
        meeting.map_or_else(String::new, |meeting| meeting.to_string())
    );
    let out = annotated_copy::folder(&app).map_err(annotated_copy::failed)?.join(name);
    tokio::fs::write(&out, &bytes)
        .await
        .map_err(|error| annotated_copy::failed(format!("{}: {error}", out.display())))?;
    Ok(SavedRecord {
        path: out.display().to_string(),
        fingerprint,
    })
}

/// Sends a written opinion (góp ý) on an agenda item or one of its documents; `id` is the app's,
/// so a resend after a dropped answer keeps one.
#[tauri::command]
pub async fn send_opinion(shared: State<'_, Arc<Shared>>, request: OpinionRequest) -> Answer<OpinionView> {
    shared.seat.send_opinion(&request).await.map_err(shown)
}

/// The meeting's opinions: all of them for the secretariat and the chair, one's own otherwise.
#[tauri::command]
pub async fn list_opinions(shared: State<'_, Arc<Shared>>) -> Answer<Vec<OpinionView>> {
    shared.seat.opinions().await.map_err(shown)
}

/// Saves the meeting's opinions as CSV into the Downloads folder; the file's path.
#[tauri::command]
pub async fn save_opinions_csv(app: tauri::AppHandle, shared: State<'_, Arc<Shared>>) -> Answer<String> {
    let (meeting, bytes) = shared.seat.opinions_csv().await.map_err(shown)?;
    let out = annotated_copy::folder(&app)
        .map_err(annotated_copy::failed)?
        .join(format!("Góp ý kỳ họp {meeting}.csv"));
    tokio::fs::write(&out, &bytes)
        .await
        .map_err(|error| annotated_copy::failed(format!("{}: {error}", out.display())))?;
    Ok(out.display().to_string())
}

/// The laptops of the open meeting's members, the most recently used first (the secretariat's).
#[tauri::command]
pub async fn list_devices(shared: State<'_, Arc<Shared>>) -> Answer<DeviceList> {
    shared.seat.devices().await.map_err(shown)
}

/// Revokes a member's laptop: its sessions end, it may not log in, and it removes what it keeps.
#[tauri::command]
pub async fn revoke_device(shared: State<'_, Arc<Shared>>, device: String) -> Answer<DeviceList> {
    shared.seat.revoke_device(&device).await.map_err(shown)
}

/// A page of the open meeting's audit trail after entry `after`, oldest first (the secretariat's).
#[tauri::command]
pub async fn audit_page(shared: State<'_, Arc<Shared>>, after: u64) -> Answer<AuditPage> {
    shared.seat.audit(after).await.map_err(shown)
}

/// Saves the open meeting's audit trail as CSV into the Downloads folder; the file's path.
#[tauri::command]
pub async fn save_audit_csv(app: tauri::AppHandle, shared: State<'_, Arc<Shared>>) -> Answer<String> {
    let (meeting, bytes) = shared.seat.audit_csv().await.map_err(shown)?;
    let out = annotated_copy::folder(&app)
        .map_err(annotated_copy::failed)?
        .join(format!("Nhật ký thao tác kỳ họp {meeting}.csv"));
    tokio::fs::write(&out, &bytes)
        .await
        .map_err(|error| annotated_copy::failed(format!("{}: {error}", out.display())))?;
    Ok(out.display().to_string())
}

/// Adds or corrects a voting rule preset of the open meeting (the secretariat's).
#[tauri::command]
pub async fn set_rule_preset(shared: State<'_, Arc<Shared>>, preset: RulePreset) -> Answer<()> {
    shared.seat.send(Command::SetRulePreset { preset }).await.map_err(shown)
}

#[tauri::command]
pub async fn remove_rule_preset(shared: State<'_, Arc<Shared>>, preset_id: String) -> Answer<()> {
    shared
        .seat
        .send(Command::RemoveRulePreset { preset_id })
        .await
        .map_err(shown)
}

/// Makes an agenda item the one under discussion on every screen (`null`: none).
#[tauri::command]
pub async fn set_current_item(shared: State<'_, Arc<Shared>>, item_id: Option<ItemId>) -> Answer<()> {
    shared
        .seat
        .send(Command::SetCurrentItem { item_id })
        .await
        .map_err(shown)
}

/// Asks for the floor, on an item or the meeting in general.
#[tauri::command]
pub async fn request_to_speak(shared: State<'_, Arc<Shared>>, item_id: Option<ItemId>) -> Answer<()> {
    shared
        .seat
        .send(Command::RequestToSpeak { item_id })
        .await
        .map_err(shown)
}

/// Takes back one's own request to speak, or (who runs the meeting) someone else's.
#[tauri::command]
pub async fn withdraw_speech_request(shared: State<'_, Arc<Shared>>, user_id: Option<UserId>) -> Answer<()> {
    shared
        .seat
        .send(Command::WithdrawSpeechRequest { user_id })
        .await
        .map_err(shown)
}

/// The complete new order of the waiting speakers.
#[tauri::command]
pub async fn order_speakers(shared: State<'_, Arc<Shared>>, user_ids: Vec<UserId>) -> Answer<()> {
    shared
        .seat
        .send(Command::OrderSpeakers { user_ids })
        .await
        .map_err(shown)
}

/// Gives the floor to a waiting member for `seconds`.
#[tauri::command]
pub async fn grant_floor(shared: State<'_, Arc<Shared>>, user_id: UserId, seconds: u32) -> Answer<()> {
    shared
        .seat
        .send(Command::GrantFloor { user_id, seconds })
        .await
        .map_err(shown)
}

/// Ends the speech in progress.
#[tauri::command]
pub async fn end_speech(shared: State<'_, Arc<Shared>>) -> Answer<()> {
    shared.seat.send(Command::EndSpeech).await.map_err(shown)
}

/// Names a member who may present pages besides the chair and the secretariat (`null`: none).
#[tauri::command]
pub async fn set_presenter(shared: State<'_, Arc<Shared>>, user_id: Option<UserId>) -> Answer<()> {
    shared.seat.send(Command::SetPresenter { user_id }).await.map_err(shown)
}

/// Shows a page (0-based) of a document to every reader that follows.
#[tauri::command]
pub async fn present_page(shared: State<'_, Arc<Shared>>, document_id: DocumentId, page: u32) -> Answer<()> {
    shared
        .seat
        .send(Command::PresentPage { document_id, page })
        .await
        .map_err(shown)
}

/// Ends the presentation.
#[tauri::command]
pub async fn stop_presenting(shared: State<'_, Arc<Shared>>) -> Answer<()> {
    shared.seat.send(Command::StopPresenting).await.map_err(shown)
}

/// Cancels an open poll, with the reason kept in the log.
#[tauri::command]
pub async fn cancel_poll(shared: State<'_, Arc<Shared>>, poll_id: PollId, reason: String) -> Answer<()> {
    shared
        .seat
        .send(Command::CancelPoll { poll_id, reason })
        .await
        .map_err(shown)
}

#[tauri::command]
pub async fn close_poll(shared: State<'_, Arc<Shared>>, poll_id: PollId) -> Answer<()> {
    shared.seat.send(Command::ClosePoll { poll_id }).await.map_err(shown)
}

/// Creates a meeting; the account becomes its secretariat.
#[tauri::command]
pub async fn create_meeting(shared: State<'_, Arc<Shared>>, request: CreateMeetingRequest) -> Answer<MeetingSummary> {
    shared.seat.create_meeting(&request).await.map_err(shown)
}

/// Sends one command of the open meeting as it is (the agenda builder's add, edit, move,
/// remove and publish); the server decides.
#[tauri::command]
pub async fn send_command(shared: State<'_, Arc<Shared>>, command: Command) -> Answer<()> {
    shared.seat.send(command).await.map_err(shown)
}

/// Checks a councillors file against the open meeting line by line; with `commit`, imports it.
#[tauri::command]
pub async fn import_members(
    shared: State<'_, Arc<Shared>>,
    request: ImportMembersRequest,
) -> Answer<ImportMembersResponse> {
    shared.seat.import_members(&request).await.map_err(shown)
}

/// Adds an account to the open meeting with a role, or changes its role.
#[tauri::command]
pub async fn set_member(shared: State<'_, Arc<Shared>>, request: AddMemberRequest) -> Answer<MemberView> {
    shared.seat.set_member(&request).await.map_err(shown)
}

/// Checks the logged-in person's password again, before a secret ballot after the app was idle.
#[tauri::command]
pub async fn confirm_password(shared: State<'_, Arc<Shared>>, password: String) -> Answer<()> {
    shared.seat.confirm_password(&password).await.map_err(shown)
}

/// A hall screen's code for the open meeting, and the whole address to open on the hall's TV.
#[derive(Serialize)]
pub struct HallScreen {
    code: String,
    address: String,
    expires_at: i64,
}

/// Makes a new code for the open meeting's hall screen (chair, secretariat).
#[tauri::command]
pub async fn hall_link(shared: State<'_, Arc<Shared>>) -> Answer<HallScreen> {
    let link = shared.seat.hall_link().await.map_err(shown)?;
    let server = shared.seat.server_address().map_err(shown)?;
    Ok(HallScreen {
        address: format!("{server}{}", link.path),
        code: link.code,
        expires_at: link.expires_at,
    })
}

/// Revokes every code of the open meeting's hall screen; how many there were.
#[tauri::command]
pub async fn revoke_hall_links(shared: State<'_, Arc<Shared>>) -> Answer<u32> {
    shared
        .seat
        .revoke_hall_links()
        .await
        .map(|revoked| revoked.revoked)
        .map_err(shown)
}

/// How far an upload is, sent as `upload-progress` events.
#[derive(Clone, Serialize)]
pub struct UploadProgress {
    upload: String,
    sent: u64,
    total: u64,
}

/// Uploads a file dropped on an agenda item. The file's bytes are the invoke's raw body; the
/// headers `x-upload` (the app's id for the progress events), `x-item-id`, `x-file-name` and
/// `x-title` (both URI-encoded) say what it is.
#[tauri::command]
pub async fn upload_document(
    app: tauri::AppHandle,
    shared: State<'_, Arc<Shared>>,
    request: tauri::ipc::Request<'_>,
) -> Answer<UploadResponse> {
    let header = |name: &str| -> Answer<String> {
        let raw = request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| bad_upload(format!("the upload has no {name} header")))?;
        percent_decoded(raw).ok_or_else(|| bad_upload(format!("the {name} header is not URI-encoded UTF-8")))
    };
    let upload = header("x-upload")?;
    let item_id = header("x-item-id")?
        .parse::<u32>()
        .map(ItemId)
        .map_err(|error| bad_upload(format!("x-item-id: {error}")))?;
    let file_name = header("x-file-name")?;
    let title = header("x-title")?;
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(bad_upload("the upload's body is not the file's bytes"));
    };
    let bytes = bytes.clone();
    let progress: phonghop_client::session::Progress = Arc::new(move |sent, total| {
        let told = UploadProgress {
            upload: upload.clone(),
            sent,
            total,
        };
        let _ = app.emit("upload-progress", told);
    });
    shared
        .seat
        .upload_document(item_id, &file_name, &title, bytes, progress)
        .await
        .map_err(shown)
}

/// An upload the webview asked for wrongly (a missing header, a body that is not bytes).
fn bad_upload(detail: impl std::fmt::Display) -> UserFacingError {
    UserFacingError {
        code: "bad_upload".into(),
        message_vi: "Không gửi được tệp".into(),
        message_en: "The file could not be sent".into(),
        detail: detail.to_string(),
    }
}

/// `%XX` escapes (as `encodeURIComponent` makes them) turned back into UTF-8 text.
fn percent_decoded(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn uri_encoded_names_come_back_whole() {
        assert_eq!(
            super::percent_decoded("D%E1%BB%B1%20th%E1%BA%A3o%20v2.pdf").as_deref(),
            Some("Dự thảo v2.pdf")
        );
        assert_eq!(super::percent_decoded("bad%2"), None);
        assert_eq!(super::percent_decoded("%FF"), None);
    }
}
