//! Bodies of the HTTP API (`/api/...`); errors are [`crate::ErrorFrame`] with a matching status.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{DocumentId, MeetingId, UserId};
use crate::message::Command;
use crate::model::{AttendanceStatus, Document, MeetingState, MeetingSummary, MyBallot, Role, UserView};
use crate::rule::{Fraction, MeetingKind};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The laptop's own id (the app makes it once: 1–64 letters, digits, `-` or `_`), so the
    /// secretariat can see and revoke it; absent for other clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// The laptop's name as its owner knows it (its host name), shown beside the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// A written opinion (góp ý) a member sends on an agenda item, or on one of its documents
/// (`POST /api/meetings/{id}/opinions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OpinionRequest {
    /// Chosen by the app (e.g. a UUID); sending the same id again sends nothing twice.
    pub id: String,
    pub item_id: crate::ItemId,
    #[serde(default)]
    pub document_id: Option<DocumentId>,
    /// 1 to 10 000 characters; line breaks allowed.
    pub text: String,
}

/// A written opinion as the secretariat (or its author) reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OpinionView {
    pub id: u32,
    pub user: UserView,
    pub item_id: crate::ItemId,
    pub document_id: Option<DocumentId>,
    pub text: String,
    /// Unix seconds by the server's clock.
    #[ts(type = "number")]
    pub sent_at: i64,
}

/// `GET /api/meetings/{id}/opinions`: every opinion for who prepares the meeting, one's own for
/// anyone else; oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OpinionList {
    pub opinions: Vec<OpinionView>,
}

/// A hall screen's read-only link to one meeting (`POST /api/meetings/{id}/hall-link`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HallLink {
    /// The code a browser authenticates with instead of a session token: it shows this meeting
    /// and sends no command. Twelve letters and digits in groups of four, easy to type on a TV.
    pub code: String,
    /// The page to open on the hall's screen, on this server: `/hall?meeting=N&code=…`.
    pub path: String,
    /// Unix seconds after which the code opens nothing (by default 72 hours after it was made).
    #[ts(type = "number")]
    pub expires_at: i64,
}

/// The answer of `DELETE /api/meetings/{id}/hall-link`: every code of the meeting's hall screen
/// revoked; screens open with one are closed at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HallLinksRevoked {
    pub revoked: u32,
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
    /// The account may create meetings (every admin may). Absent from servers before this
    /// permission: the same as `is_admin`.
    #[serde(default)]
    pub may_create_meetings: bool,
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
    /// Sets the rule presets the meeting starts with; a council sitting when absent.
    #[serde(default)]
    #[ts(optional)]
    pub kind: Option<MeetingKind>,
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

/// The answer of `GET /api/meetings/{id}/documents/{id}/text`: the text of each page of the
/// document's current revision, as the server extracted it with PDFium, for an app to search
/// without the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentText {
    pub document_id: DocumentId,
    pub revision: u32,
    /// The SHA-256 of that revision's PDF.
    pub sha256: crate::Sha256,
    /// One string per page, in order.
    pub pages: Vec<String>,
}

/// The answer of `GET /api/meetings/{id}/search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchResponse {
    /// The query as the server read it.
    pub query: String,
    /// Best first.
    pub hits: Vec<SearchHit>,
}

/// A page of a document where a search matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchHit {
    pub document_id: DocumentId,
    /// The document's current revision, whose page this is.
    pub revision: u32,
    /// 0-based.
    pub page: u32,
    /// A one-line passage of the page around the first match, "…" where it was cut.
    pub snippet: String,
    /// Where the match is in `snippet`.
    pub snippet_marks: Vec<TextRange>,
    /// Every match on the page, in the page's text as PDFium extracts it.
    pub page_marks: Vec<TextRange>,
}

/// A range of characters (Unicode scalar values, not bytes or UTF-16 units): `start` inclusive,
/// `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl From<std::ops::Range<usize>> for TextRange {
    fn from(range: std::ops::Range<usize>) -> TextRange {
        TextRange {
            start: range.start as u32,
            end: range.end as u32,
        }
    }
}

/// The body of `POST /api/meetings/{id}/documents/{id}/receipts`: what this member's app did with
/// the revision whose PDF is `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceiptReport {
    pub sha256: crate::Sha256,
    pub event: ReceiptKind,
}

/// A read receipt's event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReceiptKind {
    /// The PDF is on the member's laptop, verified.
    Downloaded,
    /// The member opened it.
    Opened,
}

/// The answer of `GET /api/meetings/{id}/attendance`: every member with their attendance, and
/// whether the meeting's quorum is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AttendanceView {
    /// Every member of the meeting, by user id.
    pub members: Vec<MemberAttendance>,
    pub quorum: QuorumState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MemberAttendance {
    pub user: UserView,
    pub role: Role,
    /// `null`: not checked in and not marked.
    pub status: Option<AttendanceStatus>,
    pub reason: String,
}

/// How many voting members are present against the meeting's quorum, as the server counts it
/// before opening a poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QuorumState {
    /// Members whose role votes (chair and delegates).
    pub voting_members: u32,
    /// Of those, how many are present.
    pub present: u32,
    /// The meeting's quorum; `null`: none.
    pub quorum: Option<Fraction>,
    /// The fewest present that reach it (0 without a quorum).
    pub needed: u32,
    pub reached: bool,
}

/// The answer of `GET /api/meetings/{id}/receipts`: for the current revision of each document,
/// every member of the meeting and what they have done with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReadReceipts {
    pub documents: Vec<DocumentReceipts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentReceipts {
    pub document_id: DocumentId,
    pub revision: u32,
    /// Every member, by user id.
    pub members: Vec<MemberReceipt>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MemberReceipt {
    pub user: UserView,
    /// When the revision reached the member's laptop (unix seconds), if it has.
    #[ts(type = "number | null")]
    pub downloaded_at: Option<u64>,
    /// When the member first opened it (unix seconds), if they have.
    #[ts(type = "number | null")]
    pub opened_at: Option<u64>,
}

/// `POST /api/meetings/{id}/annotations/sync`: the caller's annotation changes made since the
/// last sync (any number up to the limit, possibly none), and the cursor the last answer gave.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AnnotationSync {
    #[ts(type = "number")]
    pub since: u64,
    pub changes: Vec<crate::Annotation>,
}

/// The answer of an annotation sync: what changed after `since` that the caller may see (their
/// own annotations, others' shared ones), the cursor to send next time, and the changes refused
/// with why (they will never be taken; the app drops them).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AnnotationSyncAnswer {
    #[ts(type = "number")]
    pub cursor: u64,
    pub annotations: Vec<crate::AnnotationView>,
    pub refused: Vec<RefusedAnnotation>,
}

/// An annotation change the server will not keep, and why.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RefusedAnnotation {
    pub id: crate::AnnotationId,
    pub reason: String,
}

/// `GET /api/records/key`: the key the server signs poll records with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordKeyView {
    /// The Ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// The first 16 hex digits of its SHA-256 in groups of four, for people to compare.
    pub fingerprint: String,
}

/// The body of `POST /api/meetings/{id}/members/import`: a councillors file in the `dai-bieu.csv`
/// format, checked line by line; with `commit`, saved only when no line has a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportMembersRequest {
    /// The file's text (UTF-8): the header `ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro`, then one
    /// councillor per line.
    pub csv: String,
    /// The password of every account the import creates (at least 8 characters); needed only
    /// when committing a file that makes new accounts.
    #[serde(default)]
    pub initial_password: String,
    /// `false`: only check and preview; `true`: save, unless a line has a problem.
    #[serde(default)]
    pub commit: bool,
}

/// What an import found, line by line, and whether it was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportMembersResponse {
    pub rows: Vec<ImportRow>,
    /// How many lines have a problem; nothing is saved while it is not 0.
    pub problems: u32,
    pub committed: bool,
}

/// One line of an imported councillors file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportRow {
    /// The line of the file, counting the header as line 1.
    pub line: u32,
    /// The code in lower case: the account's username.
    pub username: String,
    pub full_name: String,
    pub position: String,
    /// `null` when the role could not be read.
    pub role: Option<Role>,
    pub outcome: ImportOutcome,
    /// Set when `outcome` is `problem`.
    pub problem: Option<ImportProblem>,
    /// An account with this username exists under another name: the import keeps that name.
    pub existing_name: Option<String>,
}

/// What importing a line does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportOutcome {
    /// A new account, then a member with the role.
    NewAccount,
    /// An existing account becomes a member with the role.
    NewMember,
    /// Already a member with another role: the role changes.
    RoleChanged,
    /// Already a member with this role: nothing changes.
    Unchanged,
    /// The line cannot be imported; see `problem`.
    Problem,
}

/// Why a line cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "code", rename_all = "snake_case")]
#[ts(export)]
pub enum ImportProblem {
    /// The line does not have the 5 columns.
    WrongColumns { found: u32 },
    /// `ma_dai_bieu` is empty.
    MissingCode,
    /// `ma_dai_bieu` has characters other than letters a–z, digits, `-`, `_` and `.`, or more
    /// than 64.
    BadCode,
    /// `ho_ten` is empty.
    MissingName,
    /// `ho_ten` or `chuc_vu` breaks the title rules (control characters, over 300 characters).
    BadText,
    /// `vai_tro` is not `chu_toa`, `thu_ky` or `dai_bieu`.
    UnknownRole { given: String },
    /// The same code is on an earlier line.
    DuplicateCode { first_line: u32 },
}

/// The body of `POST /api/confirm-password`: the logged-in person's password again, which the
/// app asks for before a secret ballot when it has been left idle.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConfirmPasswordRequest {
    pub password: String,
}

/// The answer of `POST /api/confirm-password` when the password is the account's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PasswordConfirmed {
    /// Unix seconds, by the server's clock.
    #[ts(type = "number")]
    pub confirmed_at: i64,
}

/// One entry of the server's audit trail (`GET /api/meetings/{id}/audit`): a change, a login or
/// a failed one, who made it, when and from where. Entries form one hash chain across the whole
/// server: `hash` is SHA-256 over the previous entry's hash and this entry's fields (see
/// docs/audit.md), so an entry edited or removed later breaks the chain. No ballot's choice is
/// ever in it, and nothing of a secret poll's ballots but the poll's close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    /// 1, 2, 3… across the server, with no gaps.
    #[ts(type = "number")]
    pub seq: u64,
    /// Milliseconds since the Unix epoch, by the server's clock.
    #[ts(type = "number")]
    pub at_ms: i64,
    /// The meeting it belongs to, `null` for a login or an account's change.
    pub meeting_id: Option<MeetingId>,
    /// The account, `null` when the server itself acted (a timed poll closing) or nobody was
    /// logged in (a failed login).
    pub user_id: Option<UserId>,
    /// The person's full name and username (`Nguyễn Văn A (db001)`), the username a failed login
    /// gave, or what acted (`máy chủ / server`, `thư mục nhận / hot folder`).
    pub who: String,
    /// The IP address the request came from; `local` for the server itself and its own commands.
    pub address: String,
    /// What happened, in snake_case: a log event's kind (`poll_opened`…), or `login`,
    /// `login_failed`, `password_confirm_failed`, `ballot_cast`, `ballot_changed`, `member_set`,
    /// `meeting_created`, `accounts_created`, `permissions_set`, `hall_link_created`,
    /// `hall_links_revoked`, `opinion_sent`, `device_revoked`, `login_revoked_device`.
    pub action: String,
    /// The facts of it as compact JSON (for a log event, the event without its `kind`, with its
    /// `seq`).
    pub detail: String,
    /// Lowercase hex SHA-256, chaining this entry to the one before.
    pub hash: String,
}

/// Answer of `GET /api/meetings/{id}/audit`: the meeting's audit entries after `after`, oldest
/// first, at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// More entries follow the last one: ask again with `after` = its `seq`.
    pub more: bool,
}

/// A laptop that logged in to a meeting's member's account (`GET /api/meetings/{id}/devices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeviceView {
    /// The laptop's own id (see [`LoginRequest::device`]).
    pub id: String,
    /// Its host name, as it said at its last login.
    pub name: String,
    /// The account that last logged in on it.
    pub user: UserView,
    /// Unix seconds of its last login, and the address it came from.
    #[ts(type = "number")]
    pub last_login_at: i64,
    pub last_address: String,
    /// Unix seconds it was revoked at, `null` while it may log in.
    #[ts(type = "number | null")]
    pub revoked_at: Option<i64>,
}

/// Answer of `GET /api/meetings/{id}/devices`: the laptops of the meeting's members, the most
/// recently used first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeviceList {
    pub devices: Vec<DeviceView>,
}

/// Body of `POST /api/meetings/{id}/devices/revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RevokeDeviceRequest {
    pub device: String,
}

/// One certificate handing the server's identity over to the next (`GET /api/tls/handovers`):
/// the old certificate's key signs "the server's next certificate is `to`", so a laptop that
/// pinned `from` may pin `to` without asking anyone (docs/protocol.md §3.25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateHandover {
    /// The SHA-256 of the old certificate (DER), 64 lowercase hex digits.
    pub from: String,
    /// The SHA-256 of the new certificate, likewise.
    pub to: String,
    /// The old certificate (DER) in lowercase hex: its SHA-256 is `from`, its key made `signature`.
    pub certificate: String,
    /// The TLS `SignatureScheme` code of the signature (e.g. 1027 = 0x0403, ECDSA P-256 SHA-256).
    pub scheme: u16,
    /// The signature of [`handover_message`]`(from, to)`, in lowercase hex.
    pub signature: String,
}

/// Every hand-over the server made, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateHandovers {
    pub handovers: Vec<CertificateHandover>,
}

/// The bytes a hand-over signs: `phonghop certificate hand-over v1\nfrom <from>\nto <to>\n`
/// (UTF-8, the fingerprints as 64 lowercase hex digits).
pub fn handover_message(from: &str, to: &str) -> Vec<u8> {
    format!("phonghop certificate hand-over v1\nfrom {from}\nto {to}\n").into_bytes()
}
