//! Login and the HTTP API of one server, as one logged-in user.
//!
//! A province's server may be several instances on one database: its address is then a list
//! (`https://a:8443 https://b:8443`, spaces or commas between), which stays the server's name for
//! the laptop (its pin, what it keeps). Requests go to one address at a time; one that cannot be
//! reached makes the session move to the next ([`Session::move_to_next_address`]), for itself and
//! every clone, and the request goes there.

use phonghop_protocol::http::{
    AddMemberRequest, AnnotationSync, AnnotationSyncAnswer, AttendanceView, AuditPage, CommandRequest,
    ConfirmPasswordRequest, CreateMeetingRequest, DeviceList, DocumentText, HallLink, HallLinksRevoked,
    ImportMembersRequest, ImportMembersResponse, LoginRequest, LoginResponse, MeetingList, MemberView, OpinionList,
    OpinionRequest, OpinionView, PasswordConfirmed, ReadReceipts, ReceiptKind, ReceiptReport, RecordKeyView,
    RevokeDeviceRequest, SearchResponse, SnapshotResponse, UploadResponse,
};
use phonghop_protocol::{
    Command, CommandResult, DocumentId, ErrorFrame, ItemId, MeetingId, MeetingSummary, PollId, Sha256, UserView,
};
use serde::de::DeserializeOwned;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::error::{ClientError, Result};
use crate::tls::{http_client_for, Fingerprint};

/// A logged-in user on one server. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Session {
    /// `http://host:port`, without a trailing slash; or several such addresses of one server's
    /// instances, separated by a space ([`normalize_server`]). Read it; a session at another
    /// address is made with [`Session::moved_to`].
    pub server: String,
    /// The addresses of `server` and which one requests go to now, shared by every clone.
    addresses: Arc<Addresses>,
    pub token: String,
    pub expires_at: i64,
    pub user: UserView,
    /// A council-office account (manages every meeting).
    pub is_admin: bool,
    /// May create meetings (every admin may).
    pub may_create_meetings: bool,
    /// The server's clock minus this laptop's, in milliseconds, from the `Date` header of the
    /// login answer (to about half a second); 0 when unknown. A timed poll counts down by it.
    pub clock_offset_ms: i64,
    /// The fingerprint of the server's certificate this session trusts (`https://` servers);
    /// `None` for a plain `http://` server on this computer.
    pub pin: Option<Fingerprint>,
    http: reqwest::Client,
}

/// The addresses of one server's instances, and the one in use.
#[derive(Debug)]
struct Addresses {
    list: Vec<String>,
    current: AtomicUsize,
}

impl Addresses {
    fn of(server: &str) -> Arc<Addresses> {
        Arc::new(Addresses {
            list: addresses_of(server),
            current: AtomicUsize::new(0),
        })
    }

    fn current(&self) -> &str {
        &self.list[self.current.load(Ordering::Relaxed) % self.list.len()]
    }

    /// Moves to the next address; a server of one address stays where it is.
    fn advance(&self) {
        if self.list.len() > 1 {
            let next = self.current.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::info!(address = %self.list[next % self.list.len()], "moving to the server's next address");
        }
    }

    /// Sends the request `build` makes for the address in use; one that cannot be reached moves
    /// to the next address and is sent there, until every address was tried.
    async fn send(
        &self,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> std::result::Result<reqwest::Response, reqwest::Error> {
        let mut tries = self.list.len();
        loop {
            match build(self.current()).send().await {
                Err(error) if unreachable(&error) && tries > 1 => {
                    tries -= 1;
                    self.advance();
                }
                other => return other,
            }
        }
    }
}

/// The addresses a server's name lists (one, or several separated by spaces or commas), each
/// without a trailing slash; never empty.
pub fn addresses_of(server: &str) -> Vec<String> {
    let list: Vec<String> = server
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|address| !address.is_empty())
        .map(|address| address.trim_end_matches('/').to_owned())
        .collect();
    if list.is_empty() {
        vec![String::new()]
    } else {
        list
    }
}

/// A server's name as the laptop keeps it: its addresses without trailing slashes, separated by
/// one space.
pub fn normalize_server(server: &str) -> String {
    addresses_of(server).join(" ")
}

/// Whether a request failed before the server got it (nothing listening, the connection
/// refused or cut while connecting), so it may go to another instance.
fn unreachable(error: &reqwest::Error) -> bool {
    error.is_connect()
}

/// The laptop a login comes from: its own id (made once, kept in its cache) and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Laptop {
    pub id: String,
    pub name: String,
}

/// The server's clock minus this laptop's, by an answer's `Date` header (whole seconds, so its
/// middle is taken); 0 without one.
fn clock_offset_ms(headers: &reqwest::header::HeaderMap) -> i64 {
    let Some(server) = headers
        .get(reqwest::header::DATE)
        .and_then(|date| date.to_str().ok())
        .and_then(|date| httpdate::parse_http_date(date).ok())
    else {
        return 0;
    };
    let millis = |time: std::time::SystemTime| {
        time.duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    };
    millis(server) + 500 - millis(std::time::SystemTime::now())
}

async fn finish<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    let status = response.status();
    let body = response.bytes().await?;
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|err| ClientError::Protocol(err.to_string()));
    }
    match serde_json::from_slice::<ErrorFrame>(&body) {
        Ok(frame) => Err(ClientError::Server(frame)),
        Err(_) => Err(ClientError::Protocol(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&body)
        ))),
    }
}

impl Session {
    /// Logs in with a username and password to a plain `http://` server (on this computer);
    /// an `https://` one needs its pin: [`Session::login_pinned`].
    pub async fn login(server: &str, username: &str, password: &str) -> Result<Session> {
        Session::login_pinned(server, None, username, password).await
    }

    /// Logs in with a username and password, trusting only the certificate `pin` names on an
    /// `https://` server.
    pub async fn login_pinned(
        server: &str,
        pin: Option<Fingerprint>,
        username: &str,
        password: &str,
    ) -> Result<Session> {
        Session::login_from(server, pin, None, username, password).await
    }

    /// Logs in from `laptop` (the app's: the secretariat sees it and may revoke it).
    pub async fn login_from(
        server: &str,
        pin: Option<Fingerprint>,
        laptop: Option<&Laptop>,
        username: &str,
        password: &str,
    ) -> Result<Session> {
        let server = normalize_server(server);
        let http = http_client_for(&server, pin)?;
        let request = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
            device: laptop.map(|laptop| laptop.id.clone()),
            device_name: laptop.map(|laptop| laptop.name.clone()),
        };
        // The first instance that answers takes the login.
        let addresses = Addresses::of(&server);
        let answer = addresses
            .send(|address| http.post(format!("{address}/api/login")).json(&request))
            .await?;
        let clock_offset_ms = clock_offset_ms(answer.headers());
        let response: LoginResponse = finish(answer).await?;
        let mut session = Session::from_login(&server, pin, response, http);
        session.addresses = addresses;
        session.clock_offset_ms = clock_offset_ms;
        Ok(session)
    }

    /// The session a login answer opened on `server` (`http://host:port` or `https://…`,
    /// whose certificate is `pin`).
    pub fn from_login(
        server: &str,
        pin: Option<Fingerprint>,
        response: LoginResponse,
        http: reqwest::Client,
    ) -> Session {
        let server = normalize_server(server);
        Session {
            addresses: Addresses::of(&server),
            server,
            token: response.token,
            expires_at: response.expires_at,
            user: response.user,
            is_admin: response.is_admin,
            may_create_meetings: response.may_create_meetings || response.is_admin,
            clock_offset_ms: 0,
            pin,
            http,
        }
    }

    /// This session trusting `pin` instead (the server handed its identity over to a new
    /// certificate, `handover.rs`).
    pub fn with_pin(&self, pin: Fingerprint) -> Result<Session> {
        Ok(Session {
            pin: Some(pin),
            http: crate::tls::http_client_for(&self.server, Some(pin))?,
            ..self.clone()
        })
    }

    /// The same session (token, pin, person) at the server `server` instead.
    pub fn moved_to(&self, server: &str) -> Session {
        let server = normalize_server(server);
        Session {
            addresses: Addresses::of(&server),
            server,
            ..self.clone()
        }
    }

    /// The address requests go to now: the server's, or one of its instances'.
    pub fn address(&self) -> &str {
        self.addresses.current()
    }

    /// Every address of the server.
    pub fn addresses(&self) -> &[String] {
        &self.addresses.list
    }

    /// Moves this session (and every clone of it) to the server's next address, after the one in
    /// use could not be reached. A server of one address stays where it is.
    pub fn move_to_next_address(&self) {
        self.addresses.advance();
    }

    /// The WebSocket address of the server (of the instance in use).
    pub fn websocket_url(&self) -> String {
        let address = self.address();
        let rest = address.strip_prefix("http").unwrap_or(address);
        format!("ws{rest}/ws")
    }

    /// `path` on the address in use.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address())
    }

    /// Sends the request `build` makes for an address, as this user, failing over as
    /// [`Addresses::send`] does.
    async fn send_to_any(
        &self,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> std::result::Result<reqwest::Response, reqwest::Error> {
        self.addresses
            .send(|address| build(address).bearer_auth(&self.token))
            .await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let response = self
            .send_to_any(|address| self.http.get(format!("{address}{path}")))
            .await?;
        finish(response).await
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl serde::Serialize) -> Result<T> {
        let response = self
            .send_to_any(|address| self.http.post(format!("{address}{path}")).json(body))
            .await?;
        finish(response).await
    }

    pub async fn meetings(&self) -> Result<Vec<MeetingSummary>> {
        Ok(self.get::<MeetingList>("/api/meetings").await?.meetings)
    }

    pub async fn snapshot(&self, meeting_id: MeetingId) -> Result<SnapshotResponse> {
        self.get(&format!("/api/meetings/{meeting_id}/snapshot")).await
    }

    /// Sends a command over HTTP with a given id (resending the same id is harmless).
    pub async fn command_with_id(&self, meeting_id: MeetingId, id: &str, command: &Command) -> Result<CommandResult> {
        let request = CommandRequest {
            id: id.to_owned(),
            command: command.clone(),
        };
        self.post(&format!("/api/meetings/{meeting_id}/commands"), &request)
            .await
    }

    /// Sends a command over HTTP with a fresh id.
    pub async fn command(&self, meeting_id: MeetingId, command: &Command) -> Result<CommandResult> {
        self.command_with_id(meeting_id, &new_command_id(), command).await
    }

    /// Creates a meeting (council office accounts only); the creator becomes its secretariat.
    pub async fn create_meeting(&self, request: &CreateMeetingRequest) -> Result<MeetingSummary> {
        self.post("/api/meetings", request).await
    }

    /// Sends a written opinion (góp ý); the same `request.id` again sends nothing twice.
    pub async fn send_opinion(&self, meeting_id: MeetingId, request: &OpinionRequest) -> Result<OpinionView> {
        self.post(&format!("/api/meetings/{meeting_id}/opinions"), request)
            .await
    }

    /// Every opinion (the secretariat, the chair) or one's own.
    pub async fn opinions(&self, meeting_id: MeetingId) -> Result<Vec<OpinionView>> {
        Ok(self
            .get::<OpinionList>(&format!("/api/meetings/{meeting_id}/opinions"))
            .await?
            .opinions)
    }

    /// The opinions as CSV, for the secretariat and the chair.
    pub async fn opinions_csv(&self, meeting_id: MeetingId) -> Result<Vec<u8>> {
        self.get_bytes(&format!("/api/meetings/{meeting_id}/opinions.csv"), "opinions")
            .await
    }

    /// The meeting's audit trail after entry `after`, oldest first (its secretariat, the council
    /// office); `more` says whether to ask again from the last entry's seq.
    pub async fn audit(&self, meeting_id: MeetingId, after: u64) -> Result<AuditPage> {
        self.get(&format!("/api/meetings/{meeting_id}/audit?after={after}"))
            .await
    }

    /// The laptops of the meeting's members (its secretariat, the council office).
    pub async fn devices(&self, meeting_id: MeetingId) -> Result<DeviceList> {
        self.get(&format!("/api/meetings/{meeting_id}/devices")).await
    }

    /// Revokes a laptop of one of the meeting's members; the laptops as they are now.
    pub async fn revoke_device(&self, meeting_id: MeetingId, device: &str) -> Result<DeviceList> {
        let request = RevokeDeviceRequest {
            device: device.to_owned(),
        };
        self.post(&format!("/api/meetings/{meeting_id}/devices/revoke"), &request)
            .await
    }

    /// The meeting's whole audit trail as CSV.
    pub async fn audit_csv(&self, meeting_id: MeetingId) -> Result<Vec<u8>> {
        self.get_bytes(&format!("/api/meetings/{meeting_id}/audit.csv"), "audit trail")
            .await
    }

    /// A new read-only code for the meeting's hall screen (the chair, the secretariat or the
    /// council office), with the page to open on the hall's TV.
    pub async fn hall_link(&self, meeting_id: MeetingId) -> Result<HallLink> {
        self.post(&format!("/api/meetings/{meeting_id}/hall-link"), &serde_json::json!({}))
            .await
    }

    /// Checks this person's password again (before a secret ballot after the app was idle).
    pub async fn confirm_password(&self, password: &str) -> Result<PasswordConfirmed> {
        let request = ConfirmPasswordRequest {
            password: password.to_owned(),
        };
        self.post("/api/confirm-password", &request).await
    }

    /// Revokes every code of the meeting's hall screen; the screens open with one close.
    pub async fn revoke_hall_links(&self, meeting_id: MeetingId) -> Result<HallLinksRevoked> {
        finish(
            self.http
                .delete(self.url(&format!("/api/meetings/{meeting_id}/hall-link")))
                .bearer_auth(&self.token)
                .send()
                .await?,
        )
        .await
    }

    /// Adds an account to a meeting, or changes its role there.
    pub async fn add_member(&self, meeting_id: MeetingId, request: &AddMemberRequest) -> Result<MemberView> {
        self.post(&format!("/api/meetings/{meeting_id}/members"), request).await
    }

    /// Checks a councillors file against a meeting, line by line, and with `request.commit`
    /// saves it when no line has a problem.
    pub async fn import_members(
        &self,
        meeting_id: MeetingId,
        request: &ImportMembersRequest,
    ) -> Result<ImportMembersResponse> {
        self.post(&format!("/api/meetings/{meeting_id}/members/import"), request)
            .await
    }

    /// Uploads a document to an agenda item. A lost connection is retried with the same upload
    /// id, so a flaky network never makes the document twice.
    pub async fn upload(
        &self,
        meeting_id: MeetingId,
        item_id: ItemId,
        file_name: &str,
        title: &str,
        bytes: Vec<u8>,
    ) -> Result<UploadResponse> {
        self.upload_telling(meeting_id, item_id, file_name, title, bytes, None)
            .await
    }

    /// [`Session::upload`], telling `progress(sent, total)` as the bytes go out (each try from
    /// 0 again): what the app's progress bar shows.
    pub async fn upload_telling(
        &self,
        meeting_id: MeetingId,
        item_id: ItemId,
        file_name: &str,
        title: &str,
        bytes: Vec<u8>,
        progress: Option<Progress>,
    ) -> Result<UploadResponse> {
        let path = format!("/api/meetings/{meeting_id}/items/{item_id}/documents");
        self.upload_retrying(&path, &[("file_name", file_name), ("title", title)], bytes, progress)
            .await
    }

    /// Uploads the next revision of a document, retried like [`Session::upload`]. The same file
    /// as the current revision is answered with `unchanged: true`.
    pub async fn upload_revision(
        &self,
        meeting_id: MeetingId,
        document_id: DocumentId,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<UploadResponse> {
        let path = format!("/api/meetings/{meeting_id}/documents/{document_id}/revisions");
        self.upload_retrying(&path, &[("file_name", file_name)], bytes, None)
            .await
    }

    /// One upload under one fresh upload id, sent again while the server cannot be reached (to
    /// its next address, when it has several).
    async fn upload_retrying(
        &self,
        path: &str,
        query: &[(&str, &str)],
        bytes: Vec<u8>,
        progress: Option<Progress>,
    ) -> Result<UploadResponse> {
        const TRIES: u32 = 4;
        let upload_id = hex::encode(rand::random::<[u8; 16]>());
        let bytes = bytes::Bytes::from(bytes);
        let mut tries = 0;
        loop {
            tries += 1;
            let body = match &progress {
                Some(progress) => told_body(bytes.clone(), progress.clone()),
                None => reqwest::Body::from(bytes.clone()),
            };
            match self.upload_body(&self.url(path), query, &upload_id, body).await {
                Err(ClientError::Unreachable(reason)) if tries < TRIES => {
                    tracing::warn!(%reason, tries, "upload interrupted; sending it again under the same id");
                    self.move_to_next_address();
                    tokio::time::sleep(std::time::Duration::from_millis(250 * u64::from(tries))).await;
                }
                answer => return answer,
            }
        }
    }

    /// One try of an upload under `upload_id`.
    pub async fn upload_once(
        &self,
        url: &str,
        query: &[(&str, &str)],
        upload_id: &str,
        bytes: bytes::Bytes,
    ) -> Result<UploadResponse> {
        self.upload_body(url, query, upload_id, reqwest::Body::from(bytes))
            .await
    }

    async fn upload_body(
        &self,
        url: &str,
        query: &[(&str, &str)],
        upload_id: &str,
        body: reqwest::Body,
    ) -> Result<UploadResponse> {
        let request = self
            .http
            .post(url)
            .bearer_auth(&self.token)
            .query(query)
            .query(&[("upload_id", upload_id)])
            .body(body);
        finish(request.send().await?).await
    }

    /// Searches the text of a meeting's documents (current revisions) as people type it.
    pub async fn search(&self, meeting_id: MeetingId, query: &str) -> Result<SearchResponse> {
        let request = self
            .http
            .get(self.url(&format!("/api/meetings/{meeting_id}/search")))
            .bearer_auth(&self.token)
            .query(&[("q", query)]);
        finish(request.send().await?).await
    }

    /// The text of each page of a document's current revision, for searching without the server.
    pub async fn document_text(&self, meeting_id: MeetingId, document_id: DocumentId) -> Result<DocumentText> {
        self.text_of(meeting_id, document_id, None).await
    }

    /// The text of each page of one revision of a document (for carrying annotations over).
    pub async fn revision_text(
        &self,
        meeting_id: MeetingId,
        document_id: DocumentId,
        revision: u32,
    ) -> Result<DocumentText> {
        self.text_of(meeting_id, document_id, Some(revision)).await
    }

    async fn text_of(
        &self,
        meeting_id: MeetingId,
        document_id: DocumentId,
        revision: Option<u32>,
    ) -> Result<DocumentText> {
        let mut request = self
            .http
            .get(self.url(&format!("/api/meetings/{meeting_id}/documents/{document_id}/text")))
            .bearer_auth(&self.token);
        if let Some(revision) = revision {
            request = request.query(&[("revision", revision)]);
        }
        finish(request.send().await?).await
    }

    /// Tells the server this member's laptop has, or opened, the revision whose PDF is `sha256`.
    pub async fn report_receipt(
        &self,
        meeting_id: MeetingId,
        document_id: DocumentId,
        sha256: &Sha256,
        event: ReceiptKind,
    ) -> Result<()> {
        let request = self
            .http
            .post(self.url(&format!("/api/meetings/{meeting_id}/documents/{document_id}/receipts")))
            .bearer_auth(&self.token)
            .json(&ReceiptReport {
                sha256: sha256.clone(),
                event,
            });
        let response = request.send().await?;
        if response.status().is_success() {
            return Ok(());
        }
        finish::<serde_json::Value>(response).await.map(|_| ())
    }

    /// Who has each document of the meeting and who opened it (secretariat and chair).
    pub async fn read_receipts(&self, meeting_id: MeetingId) -> Result<ReadReceipts> {
        let request = self
            .http
            .get(self.url(&format!("/api/meetings/{meeting_id}/receipts")))
            .bearer_auth(&self.token);
        finish(request.send().await?).await
    }

    /// Every member of the meeting with their attendance, and its quorum counted.
    pub async fn attendance(&self, meeting_id: MeetingId) -> Result<AttendanceView> {
        let request = self
            .http
            .get(self.url(&format!("/api/meetings/{meeting_id}/attendance")))
            .bearer_auth(&self.token);
        finish(request.send().await?).await
    }

    /// The answer to a download of a blob from byte `from` on (`Range`), its body not read yet:
    /// **206** with the rest, or **200** with the whole file when the server sends it whole.
    pub async fn blob_from(&self, sha256: &Sha256, from: u64) -> Result<reqwest::Response> {
        let mut request = self
            .http
            .get(self.url(&format!("/api/blobs/{sha256}")))
            .bearer_auth(&self.token);
        if from > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={from}-"));
        }
        let response = request.send().await?;
        if !response.status().is_success() {
            return finish::<serde_json::Value>(response)
                .await
                .and(Err(ClientError::Protocol("blob download failed".into())));
        }
        Ok(response)
    }

    /// The signed result record of a closed poll, as `format` (`"pdf"` or `"csv"`).
    pub async fn poll_record(&self, meeting_id: MeetingId, poll_id: PollId, format: &str) -> Result<Vec<u8>> {
        self.get_bytes(
            &format!("/api/meetings/{meeting_id}/polls/{poll_id}/record.{format}"),
            "record",
        )
        .await
    }

    /// The key a plain `http://` server signs poll records with; public, asked without logging in.
    pub async fn record_key(server_url: &str) -> Result<RecordKeyView> {
        Session::record_key_pinned(server_url, None).await
    }

    /// The key a server signs poll records with, over TLS trusting only `pin` for `https://`.
    pub async fn record_key_pinned(server_url: &str, pin: Option<Fingerprint>) -> Result<RecordKeyView> {
        let response = http_client_for(server_url, pin)?
            .get(format!("{}/api/records/key", server_url.trim_end_matches('/')))
            .send()
            .await?;
        finish(response).await
    }

    /// Sends annotation changes and gets back what changed since `since` that this member sees.
    pub async fn sync_annotations(&self, meeting_id: MeetingId, sync: &AnnotationSync) -> Result<AnnotationSyncAnswer> {
        self.post(&format!("/api/meetings/{meeting_id}/annotations/sync"), sync)
            .await
    }

    /// Downloads a blob's bytes (unverified; [`crate::DocumentCache`] verifies).
    pub async fn download_blob(&self, sha256: &Sha256) -> Result<Vec<u8>> {
        self.get_bytes(&format!("/api/blobs/{sha256}"), "blob").await
    }

    /// The body of a `GET` of `path` as bytes; a refusal as the server's error.
    async fn get_bytes(&self, path: &str, what: &str) -> Result<Vec<u8>> {
        let response = self
            .send_to_any(|address| self.http.get(format!("{address}{path}")))
            .await?;
        if !response.status().is_success() {
            return finish::<serde_json::Value>(response)
                .await
                .and(Err(ClientError::Protocol(format!("{what} download failed"))));
        }
        Ok(response.bytes().await?.to_vec())
    }
}

/// A command id unique to this client: random, so a resend after reconnect is recognised.
pub fn new_command_id() -> String {
    let bytes: [u8; 12] = rand::random();
    hex::encode(bytes)
}

/// Told `(sent, total)` bytes of an upload as they go out.
pub type Progress = std::sync::Arc<dyn Fn(u64, u64) + Send + Sync>;

/// A body of `bytes` in 64 KiB pieces, telling `progress` as each is taken by the connection.
fn told_body(bytes: bytes::Bytes, progress: Progress) -> reqwest::Body {
    const PIECE: usize = 64 * 1024;
    let total = bytes.len() as u64;
    progress(0, total);
    let pieces = (0..bytes.len()).step_by(PIECE).map(move |start| {
        let piece = bytes.slice(start..(start + PIECE).min(bytes.len()));
        progress((start + piece.len()) as u64, total);
        Ok::<_, std::io::Error>(piece)
    });
    reqwest::Body::wrap_stream(futures_util::stream::iter(pieces))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::{addresses_of, clock_offset_ms, normalize_server, LoginResponse, Session, UserView};

    fn dated(time: SystemTime) -> reqwest::header::HeaderMap {
        let mut headers = reqwest::header::HeaderMap::new();
        let date = httpdate::fmt_http_date(time);
        headers.insert(reqwest::header::DATE, date.parse().expect("a header value"));
        headers
    }

    #[test]
    fn the_servers_clock_is_read_from_the_date_header_to_about_a_second() {
        let ahead = clock_offset_ms(&dated(SystemTime::now() + Duration::from_secs(120)));
        assert!((119_000..=121_000).contains(&ahead), "{ahead}");
        let behind = clock_offset_ms(&dated(SystemTime::now() - Duration::from_secs(3_600)));
        assert!((-3_601_000..=-3_599_000).contains(&behind), "{behind}");
        assert_eq!(clock_offset_ms(&reqwest::header::HeaderMap::new()), 0);
    }

    #[test]
    fn a_server_of_several_instances_is_named_by_its_addresses_and_moves_to_the_next() {
        let name = " https://a:8443/, https://b:8443\nhttps://c:8443 ";
        assert_eq!(
            addresses_of(name),
            ["https://a:8443", "https://b:8443", "https://c:8443"]
        );
        assert_eq!(normalize_server(name), "https://a:8443 https://b:8443 https://c:8443");
        assert_eq!(normalize_server("http://hall:8080/"), "http://hall:8080");
        let login = LoginResponse {
            token: "t".into(),
            expires_at: 0,
            user: UserView {
                id: phonghop_protocol::UserId(1),
                username: "db001".into(),
                full_name: "Đại biểu".into(),
                position: String::new(),
            },
            is_admin: false,
            may_create_meetings: false,
        };
        let session = Session::from_login(name, None, login, reqwest::Client::new());
        let clone = session.clone();
        assert_eq!(session.websocket_url(), "wss://a:8443/ws");
        session.move_to_next_address();
        assert_eq!(clone.address(), "https://b:8443", "every clone moves with it");
        clone.move_to_next_address();
        clone.move_to_next_address();
        assert_eq!(session.address(), "https://a:8443", "after the last, the first again");
        assert_eq!(session.server, "https://a:8443 https://b:8443 https://c:8443");
    }
}
