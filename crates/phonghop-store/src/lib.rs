//! phonghop's database behind one [`Store`] trait: accounts, meetings, the per-meeting event log
//! and the projections of every recorded fact. [`SqliteStore`] is the implementation a hall
//! laptop runs; [`PostgresStore`] is a province's, which several server instances share.
//!
//! Layout:
//! - this file: the [`Store`] trait, [`StoreError`], [`Receipt`], [`Entry`], [`Loaded`].
//! - [`sqlite`]: [`SqliteStore`] with its migrations in `migrations/`.
//! - [`postgres`]: [`PostgresStore`] with its migrations in `migrations-postgres/`.
//! - [`changes`]: [`Change`], what other instances on the same database did.
//!
//! **Architecture invariant:** the store decides nothing. The server loads a meeting
//! ([`Store::load`]), decides with `phonghop_core::decide`, and appends the facts
//! ([`Store::append`]) naming the version it decided on; an append on any other version is a
//! [`StoreError::Conflict`]. The guarantees hold in the database itself — a gap-free append-only
//! log, one ballot per voter of the poll's roll, ballots only into open polls, each command id
//! once — so a second server process on the same database cannot break them.

pub mod ballot_box;
pub mod changes;
mod columns;
pub mod postgres;
pub mod scratch_postgres;
pub mod sqlite;

use async_trait::async_trait;
use phonghop_core::record::RecordFacts;
use phonghop_core::{Actor, Fact, MeetingModel};
use phonghop_protocol::http::{AttendanceView, AuditEntry, DeviceView, DocumentReceipts, OpinionView, ReceiptKind};
use phonghop_protocol::{
    Annotation, AnnotationView, CommandResult, Document, DocumentId, ItemId, Meeting, MeetingEvent, MeetingId,
    MeetingKind, MeetingSummary, MyBallot, PollId, Role, Sha256, UserId, UserView,
};

pub use changes::Change;
pub use columns::unix_now;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    Duplicate(&'static str),
    /// The meeting changed since the state the append was decided on was loaded: load it again
    /// and decide again.
    #[error("the meeting changed since it was loaded")]
    Conflict,
    /// The database refused the change by one of its own rules (one ballot per voter, only
    /// into open polls, a gap-free log); a correct decision on the current state never does.
    #[error("the database refused the change: {0}")]
    Refused(String),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    /// A secret poll's key file (beside the database) could not be made, read or synced.
    #[error("a secret poll's ballot key: {0}")]
    BallotKey(String),
    /// The database file was made by a development version with another schema.
    #[error("the database was made by an older development version of phonghop; move it away and start again ({0})")]
    OldSchema(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(sqlx::migrate::MigrateError),
}

impl StoreError {
    /// The database cannot be reached right now (a connection refused, lost or not given in
    /// time; PostgreSQL shutting down or starting): nothing was recorded, and the same request
    /// may succeed a moment later.
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Database(error) = self else {
            return false;
        };
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
            // Connection exceptions (08…), the server shutting down or starting (57P01–57P03),
            // too many connections (53300).
            sqlx::Error::Database(database) => database.code().is_some_and(|code| {
                code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
            }),
            _ => false,
        }
    }
}

/// Who sent a command and under which id. An entry with a receipt records its result under it,
/// in the same transaction as its facts, so a command resent after a lost ack (or sent twice at
/// once, or after a crash) is carried out once and answered the same.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Receipt {
    pub user: UserId,
    pub command_id: String,
}

/// A page found by a search, with its whole text (the caller cuts the passage to show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageHit {
    pub document_id: DocumentId,
    pub revision: u32,
    /// 0-based.
    pub page_index: u32,
    pub text: String,
}

/// The facts of one decided request, and the answer its sender gets once they are committed.
#[derive(Debug, Clone)]
pub struct Entry {
    pub receipt: Option<Receipt>,
    pub facts: Vec<Fact>,
    pub result: CommandResult,
    /// What the audit trail records of it, in the same transaction.
    pub audit: Vec<AuditRecord>,
}

/// An audit entry to write; the store gives it its seq and hash (see
/// [`phonghop_protocol::http::AuditEntry`] for the fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at_ms: i64,
    pub meeting_id: Option<MeetingId>,
    pub user_id: Option<UserId>,
    pub who: String,
    pub address: String,
    pub action: String,
    pub detail: String,
}

/// A session as a request's token finds it.
#[derive(Debug, Clone)]
pub struct SessionFound {
    pub user: UserRecord,
    /// Unix seconds.
    pub expires_at: i64,
    /// The laptop it was opened on, when the app named one.
    pub device: Option<String>,
    /// That laptop has been revoked: the session is over.
    pub device_revoked: bool,
}

/// What checking the whole audit trail found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerdict {
    /// Entries that checked, from the first.
    pub entries: u64,
    /// The last good entry's hash, lowercase hex (all zeros for none).
    pub head: String,
    /// Where the chain breaks, if it does.
    pub broken: Option<phonghop_core::audit::ChainBreak>,
}

/// A meeting as decisions need it, and the version it was read at.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub model: MeetingModel,
    pub version: u64,
}

/// An account with its password hash, as the server needs it to log someone in.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub password_hash: String,
    pub is_admin: bool,
    /// Creates meetings (and becomes their secretariat); every admin may.
    pub may_create_meetings: bool,
}

impl UserRecord {
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id,
            username: self.username.clone(),
            full_name: self.full_name.clone(),
            position: self.position.clone(),
        }
    }

    /// This account as the rules of a meeting see it.
    pub fn actor(&self) -> Actor {
        Actor {
            user: self.id,
            name: self.full_name.clone(),
            is_admin: self.is_admin,
        }
    }
}

/// A written opinion as the server received it: checked text, the sender from the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOpinion {
    pub meeting_id: MeetingId,
    pub user_id: UserId,
    /// The app's id for it.
    pub client_id: String,
    pub item_id: ItemId,
    pub document_id: Option<DocumentId>,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub position: String,
    pub password_hash: String,
    pub is_admin: bool,
    /// Every admin may create meetings, whatever this says.
    pub may_create_meetings: bool,
}

/// A file the hot folder took: which meeting, item and name it is, where it was and what it was
/// (so the same bytes are recognised without reading them again), and the document it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotFolderFile {
    pub meeting_id: MeetingId,
    pub item_id: ItemId,
    pub file_name: String,
    /// Relative to the watched folder, `/` between its parts.
    pub path: String,
    /// Of the file's own bytes (an Office file, not the PDF made of it).
    pub sha256: Sha256,
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    pub document_id: DocumentId,
    pub revision: u32,
    /// Unix seconds.
    pub taken_at: i64,
}

/// A meeting locked for writing ([`Store::lock_meeting`]).
#[async_trait]
pub trait MeetingWrite: Send + Sync {
    /// The meeting's version, read under the lock: nothing changes it until this appends.
    fn version(&self) -> u64;
    /// Records the entries as [`Store::append`] does at [`MeetingWrite::version`], and commits.
    async fn append(self: Box<Self>, entries: &[Entry]) -> Result<u64>;
}

/// Where phonghop keeps everything. Every method is one short transaction.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    // Accounts and sessions.
    async fn create_user(&self, user: &NewUser) -> Result<UserId>;
    /// Creates many accounts in one transaction (an import); none if one username exists.
    async fn create_users(&self, users: &[NewUser]) -> Result<Vec<UserId>>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>>;
    /// Sets an account's admin flag and its permission to create meetings; `false` when there is
    /// no such account.
    async fn set_permissions(&self, username: &str, is_admin: bool, may_create_meetings: bool) -> Result<bool>;
    /// A new session of `user`, from the laptop `device` when the app named one.
    async fn create_session(
        &self,
        token_hash: &[u8; 32],
        user: UserId,
        expires_at: i64,
        device: Option<&str>,
    ) -> Result<()>;
    /// The user a token hash belongs to, with the session's expiry (Unix seconds).
    async fn session_user(&self, token_hash: &[u8; 32]) -> Result<Option<SessionFound>>;

    // Laptops.
    /// Records a login from laptop `id` (named `name`) by `user` from `address`; `false`, and
    /// nothing recorded, when the laptop is revoked.
    async fn record_device_login(&self, id: &str, name: &str, user: UserId, address: &str) -> Result<bool>;
    /// The laptops whose last login was by a member of `meeting`, the most recent first.
    async fn devices_of_meeting(&self, meeting: MeetingId) -> Result<Vec<DeviceView>>;
    /// Revokes laptop `id` (by `by`): its sessions end and it may not log in; `false` when it
    /// was revoked already.
    async fn revoke_device(&self, id: &str, by: UserId) -> Result<bool>;
    /// Keeps a written opinion (góp ý), or returns the one sent before with the same id.
    async fn add_opinion(&self, opinion: &NewOpinion) -> Result<OpinionView>;
    /// The meeting's opinions, oldest first: everyone's (`of` `None`) or one member's.
    async fn opinions(&self, meeting: MeetingId, of: Option<UserId>) -> Result<Vec<OpinionView>>;
    /// Keeps a hall screen's read-only code (its hash) for `meeting`, made by `by`, valid until
    /// `expires_at` (Unix seconds).
    async fn create_hall_link(
        &self,
        code_hash: &[u8; 32],
        meeting: MeetingId,
        by: UserId,
        expires_at: i64,
    ) -> Result<()>;
    /// The meeting a hall screen's code shows and when the code expires, if it is one still valid.
    async fn hall_link(&self, code_hash: &[u8; 32]) -> Result<Option<(MeetingId, i64)>>;
    /// Revokes every hall screen code of `meeting`; how many there were.
    async fn revoke_hall_links(&self, meeting: MeetingId) -> Result<u64>;

    // Meetings.
    async fn create_meeting(&self, title: &str, location: &str, starts_at: &str, kind: MeetingKind) -> Result<Meeting>;
    async fn meetings_of(&self, user: UserId) -> Result<Vec<MeetingSummary>>;
    async fn first_meeting_id(&self) -> Result<Option<MeetingId>>;
    async fn member_role(&self, meeting: MeetingId, user: UserId) -> Result<Option<Role>>;

    // The one write path of a meeting.
    /// The meeting as decisions need it, from its projections, and the version it is at.
    async fn load(&self, meeting: MeetingId) -> Result<Loaded>;
    /// For each receipt, the result of its command if that command was already carried out.
    async fn processed(&self, receipts: &[Receipt]) -> Result<Vec<Option<CommandResult>>>;
    /// Records the entries' facts (log, projections, ballots, receipts) in one transaction if
    /// the meeting is still at `version`; returns the new version. Nothing is recorded otherwise.
    async fn append(&self, meeting: MeetingId, version: u64, entries: &[Entry]) -> Result<u64>;
    /// Takes the meeting's write lock, which [`MeetingWrite::append`] releases by committing (or
    /// dropping it, by rolling back). Writers of several instances then queue for the meeting in
    /// turn instead of deciding on a model another is about to change, and none of them can be
    /// starved by conflicts. `None` for a store one process writes (SQLite), whose writer appends
    /// with [`Store::append`].
    async fn lock_meeting(&self, _meeting: MeetingId) -> Result<Option<Box<dyn MeetingWrite>>> {
        Ok(None)
    }
    /// How many meetings the server may write at once: several on PostgreSQL, whose connections
    /// work in parallel; one on SQLite, which has one writer anyway.
    fn concurrent_writers(&self) -> usize {
        1
    }

    // Reads for clients.
    /// Up to `limit` logged events after `seq`, in order.
    async fn events_after(&self, meeting: MeetingId, seq: u32, limit: u32) -> Result<Vec<(u32, MeetingEvent)>>;
    async fn last_seq(&self, meeting: MeetingId) -> Result<u32>;
    /// The ballots `user` cast in the meeting's polls.
    async fn my_ballots(&self, meeting: MeetingId, user: UserId) -> Result<Vec<MyBallot>>;
    /// One document of a meeting with all its revisions.
    async fn document(&self, meeting: MeetingId, document: DocumentId) -> Result<Option<Document>>;
    /// The text of each page of one revision of a document, in page order (empty if unknown).
    async fn revision_texts(&self, meeting: MeetingId, document: DocumentId, revision: u32) -> Result<Vec<String>>;
    /// Records a member's read receipt for the revision of `document` whose PDF is `sha256`;
    /// false if the document has no such revision. The first time of each event is kept.
    async fn record_receipt(
        &self,
        meeting: MeetingId,
        document: DocumentId,
        sha256: &Sha256,
        user: UserId,
        event: ReceiptKind,
    ) -> Result<bool>;
    /// For the current revision of each document of the meeting (by id), every member (by id)
    /// with when it reached their laptop and when they opened it.
    async fn read_receipts(&self, meeting: MeetingId) -> Result<Vec<DocumentReceipts>>;
    /// Every member with their attendance, and the meeting's quorum counted.
    async fn attendance(&self, meeting: MeetingId) -> Result<AttendanceView>;

    /// Every open timed poll of every meeting with when it closes (Unix seconds), soonest first.
    async fn timed_open_polls(&self) -> Result<Vec<(MeetingId, PollId, i64)>>;

    // Result records of closed polls.
    /// What the record of poll `poll` states; `None` if the meeting has no such poll or it is
    /// still open.
    async fn poll_record_facts(&self, meeting: MeetingId, poll: PollId) -> Result<Option<RecordFacts>>;
    /// The kept record of a poll (CSV, PDF), if made.
    async fn poll_record(&self, meeting: MeetingId, poll: PollId) -> Result<Option<(Vec<u8>, Vec<u8>)>>;
    /// Keeps a poll's signed record unless one is kept already; returns the one kept.
    async fn keep_poll_record(
        &self,
        meeting: MeetingId,
        poll: PollId,
        csv: &[u8],
        pdf: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>)>;
    /// Stores `author`'s annotation changes that are later than the ones kept (last writer wins
    /// by `(changed_at, device)`), in one transaction; how many were stored.
    async fn store_annotations(&self, meeting: MeetingId, author: UserId, changes: &[Annotation]) -> Result<usize>;
    /// The meeting's annotations that changed after `since` as `reader` may see them (their own,
    /// and others' shared ones), and the cursor to ask from next time.
    async fn annotations_since(
        &self,
        meeting: MeetingId,
        reader: UserId,
        since: u64,
    ) -> Result<(u64, Vec<AnnotationView>)>;
    /// Pages of the meeting's documents (current revisions) matching `query` as people type it
    /// (accents, case and đ/d do not matter), best first, at most `limit`.
    async fn search(&self, meeting: MeetingId, query: &str, limit: u32) -> Result<Vec<PageHit>>;
    /// Whether `user` may read the blob: it is a revision of a document of one of their meetings
    /// (its PDF, or the Office file that PDF was converted from).
    async fn blob_visible_to(&self, sha256: &Sha256, user: UserId) -> Result<bool>;

    // The hot folder's own state (`serve --watch`).
    /// Every file the hot folder has taken.
    async fn hot_folder_files(&self) -> Result<Vec<HotFolderFile>>;
    /// Records a file taken (or recognised again) under its meeting, item and name.
    async fn record_hot_folder_file(&self, file: &HotFolderFile) -> Result<()>;
    /// The agenda item the hot folder created for a folder of this name in the meeting.
    async fn hot_folder_item(&self, meeting: MeetingId, folder_name: &str) -> Result<Option<ItemId>>;
    /// Remembers the agenda item created for a folder of this name (the first one stays).
    async fn record_hot_folder_item(&self, meeting: MeetingId, folder_name: &str, item: ItemId) -> Result<()>;
    /// Closes every connection (checkpointing SQLite's WAL).
    // The audit trail.
    /// Writes entries in a transaction of their own (a login, an account's change).
    async fn record_audit(&self, records: &[AuditRecord]) -> Result<()>;
    /// Entries after `after`, oldest first, at most `limit`; of one meeting, or all of them.
    async fn audit_entries(&self, meeting: Option<MeetingId>, after: u64, limit: u32) -> Result<Vec<AuditEntry>>;
    /// Checks the whole chain from its first entry.
    async fn verify_audit(&self) -> Result<AuditVerdict>;

    /// What other server instances on the same database change, as it is committed: `None` for a
    /// store only one process serves (SQLite). Called once, when the server starts.
    fn follow_changes(&self) -> Option<tokio::sync::mpsc::Receiver<Change>> {
        None
    }

    async fn close(&self);
}
