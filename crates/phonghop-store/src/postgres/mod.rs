//! [`PostgresStore`]: the [`Store`] on a PostgreSQL database, for a province: many meetings at
//! once, several server instances on one database (`serve --database postgres://…`).
//!
//! The same tables and rules as [`crate::SqliteStore`] (`migrations-postgres/` holds them as
//! PostgreSQL writes them), the same queries with PostgreSQL's placeholders; where the two
//! databases differ the module says so: the search index (a `tsvector`, not FTS5), the codes of
//! a broken rule, and reads of several statements in one snapshot.
//!
//! Layout:
//! - this file: connecting, migrations, the [`Store`] impl delegating to the modules.
//! - [`accounts`]: users and hashed session tokens.
//! - [`meetings`]: meetings, members, and loading a meeting's model from its projections.
//! - [`append`]: recording facts: the log, the projections, ballots and receipts.
//! - [`reads`]: what clients read besides the model (replays, their ballots, blob access).
//! - [`hot_folder`]: what the hot folder took, and the items it created from folder names.
//! - [`opinions`]: written opinions (góp ý), apart from the public log.
//! - [`listener`]: the notifications that tell the other instances what changed.

mod accounts;
mod annotations;
mod append;
mod attendance;
mod audit;
mod devices;
mod hot_folder;
mod listener;
mod meetings;
mod opinions;
mod reads;
mod receipts;
mod records;
mod search;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use phonghop_core::record::RecordFacts;
use phonghop_protocol::http::{AttendanceView, AuditEntry, DeviceView, DocumentReceipts, OpinionView, ReceiptKind};
use phonghop_protocol::{
    Annotation, AnnotationView, CommandResult, Document, DocumentId, ItemId, Meeting, MeetingEvent, MeetingId,
    MeetingKind, MeetingSummary, MyBallot, PollId, Role, Sha256, UserId,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use crate::ballot_box;
pub(crate) use crate::columns::{
    attendance_name, corrupt, hash_bytes, id, is_unique_violation, kind_name, meeting_quorum, outcome_name,
    parse_attendance, parse_ballot_form, parse_role, parse_secrecy, parse_vote, role_name, secrecy_name, unix_now,
    vote_columns,
};
use crate::{
    AuditRecord, AuditVerdict, Entry, HotFolderFile, Loaded, NewOpinion, NewUser, PageHit, Receipt, Result,
    SessionFound, Store, StoreError, UserRecord,
};

/// A read-only transaction on one snapshot: every statement in it sees the database as its first
/// statement did, as a SQLite read transaction does (PostgreSQL's default gives each statement
/// its own).
async fn snapshot(pool: &PgPool) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut transaction = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *transaction)
        .await?;
    Ok(transaction)
}

/// Meetings an instance writes at once: each holds its lock's connection and takes another for
/// its reads, which leaves room in [`CONNECTIONS`] for the listener and the clients' reads.
const CONCURRENT_WRITERS: usize = 8;
/// Connections of one instance to the database.
const CONNECTIONS: u32 = 32;

/// One instance's connections to the province's database.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    ballot_box: Arc<ballot_box::BallotBox>,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/name`), brings
    /// its schema up to date (instances starting together take turns: the migrations hold an
    /// advisory lock), and keeps secret polls' keys in `ballot_keys`, a folder every instance
    /// shares and the database never holds.
    pub async fn connect(url: &str, ballot_keys: &Path) -> Result<PostgresStore> {
        let options: PgConnectOptions = url.parse()?;
        let options = options.application_name("phonghop-server");
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            // A database that is down answers at once with an error the server reports as
            // `unavailable`, rather than after a long wait.
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations-postgres")
            .run(&pool)
            .await
            .map_err(|error| match error {
                sqlx::migrate::MigrateError::VersionMismatch(version) => {
                    StoreError::OldSchema(format!("migration {version} differs"))
                }
                sqlx::migrate::MigrateError::VersionMissing(version) => {
                    StoreError::OldSchema(format!("migration {version} is unknown"))
                }
                other => StoreError::Migration(other),
            })?;
        let ballot_box = ballot_box::BallotBox::in_folder(ballot_keys)?;
        let keys_in_use: Vec<String> =
            sqlx::query_scalar("SELECT ballot_key FROM polls WHERE state = 'open' AND ballot_key IS NOT NULL")
                .fetch_all(&pool)
                .await?;
        ballot_box.sweep(&keys_in_use)?;
        Ok(PostgresStore {
            pool,
            ballot_box: Arc::new(ballot_box),
        })
    }

    /// The folder of the open secret polls' keys.
    pub fn ballot_key_folder(&self) -> &Path {
        self.ballot_box.folder()
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn create_user(&self, user: &NewUser) -> Result<UserId> {
        accounts::create_user(&self.pool, user).await
    }

    async fn create_users(&self, users: &[NewUser]) -> Result<Vec<UserId>> {
        accounts::create_users(&self.pool, users).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        accounts::user_by_username(&self.pool, username).await
    }

    async fn set_permissions(&self, username: &str, is_admin: bool, may_create_meetings: bool) -> Result<bool> {
        accounts::set_permissions(&self.pool, username, is_admin, may_create_meetings).await
    }

    async fn create_session(
        &self,
        token_hash: &[u8; 32],
        user: UserId,
        expires_at: i64,
        device: Option<&str>,
    ) -> Result<()> {
        accounts::create_session(&self.pool, token_hash, user, expires_at, device).await
    }

    async fn session_user(&self, token_hash: &[u8; 32]) -> Result<Option<SessionFound>> {
        accounts::session_user(&self.pool, token_hash).await
    }

    async fn record_device_login(&self, id: &str, name: &str, user: UserId, address: &str) -> Result<bool> {
        devices::record_login(&self.pool, id, name, user, address).await
    }

    async fn devices_of_meeting(&self, meeting: MeetingId) -> Result<Vec<DeviceView>> {
        devices::of_meeting(&self.pool, meeting).await
    }

    async fn revoke_device(&self, id: &str, by: UserId) -> Result<bool> {
        devices::revoke(&self.pool, id, by).await
    }

    async fn add_opinion(&self, opinion: &NewOpinion) -> Result<OpinionView> {
        opinions::add(&self.pool, opinion).await
    }

    async fn opinions(&self, meeting: MeetingId, of: Option<UserId>) -> Result<Vec<OpinionView>> {
        opinions::list(&self.pool, meeting, of).await
    }

    async fn create_hall_link(
        &self,
        code_hash: &[u8; 32],
        meeting: MeetingId,
        by: UserId,
        expires_at: i64,
    ) -> Result<()> {
        accounts::create_hall_link(&self.pool, code_hash, meeting, by, expires_at).await
    }

    async fn hall_link(&self, code_hash: &[u8; 32]) -> Result<Option<(MeetingId, i64)>> {
        accounts::hall_link(&self.pool, code_hash).await
    }

    async fn revoke_hall_links(&self, meeting: MeetingId) -> Result<u64> {
        accounts::revoke_hall_links(&self.pool, meeting).await
    }

    async fn create_meeting(&self, title: &str, location: &str, starts_at: &str, kind: MeetingKind) -> Result<Meeting> {
        meetings::create_meeting(&self.pool, title, location, starts_at, kind).await
    }

    async fn meetings_of(&self, user: UserId) -> Result<Vec<MeetingSummary>> {
        meetings::meetings_of(&self.pool, user).await
    }

    async fn first_meeting_id(&self) -> Result<Option<MeetingId>> {
        meetings::first_meeting_id(&self.pool).await
    }

    async fn member_role(&self, meeting: MeetingId, user: UserId) -> Result<Option<Role>> {
        meetings::member_role(&self.pool, meeting, user).await
    }

    async fn load(&self, meeting: MeetingId) -> Result<Loaded> {
        meetings::load(&self.pool, &self.ballot_box, meeting).await
    }

    async fn processed(&self, receipts: &[Receipt]) -> Result<Vec<Option<CommandResult>>> {
        reads::processed(&self.pool, receipts).await
    }

    async fn append(&self, meeting: MeetingId, version: u64, entries: &[Entry]) -> Result<u64> {
        append::append(&self.pool, &self.ballot_box, meeting, version, entries).await
    }

    fn concurrent_writers(&self) -> usize {
        CONCURRENT_WRITERS
    }

    async fn lock_meeting(&self, meeting: MeetingId) -> Result<Option<Box<dyn crate::MeetingWrite>>> {
        let locked = append::LockedMeeting::lock(&self.pool, Arc::clone(&self.ballot_box), meeting).await?;
        Ok(Some(Box::new(locked)))
    }

    async fn events_after(&self, meeting: MeetingId, seq: u32, limit: u32) -> Result<Vec<(u32, MeetingEvent)>> {
        reads::events_after(&self.pool, meeting, seq, limit).await
    }

    async fn last_seq(&self, meeting: MeetingId) -> Result<u32> {
        reads::last_seq(&self.pool, meeting).await
    }

    async fn my_ballots(&self, meeting: MeetingId, user: UserId) -> Result<Vec<MyBallot>> {
        reads::my_ballots(&self.pool, meeting, user).await
    }

    async fn document(&self, meeting: MeetingId, document: DocumentId) -> Result<Option<Document>> {
        meetings::document(&self.pool, meeting, document).await
    }

    async fn revision_texts(&self, meeting: MeetingId, document: DocumentId, revision: u32) -> Result<Vec<String>> {
        meetings::revision_texts(&mut *self.pool.acquire().await?, meeting, document, revision).await
    }

    async fn record_receipt(
        &self,
        meeting: MeetingId,
        document: DocumentId,
        sha256: &Sha256,
        user: UserId,
        event: ReceiptKind,
    ) -> Result<bool> {
        receipts::record(&self.pool, meeting, document, sha256, user, event).await
    }

    async fn attendance(&self, meeting: MeetingId) -> Result<AttendanceView> {
        attendance::of_meeting(&self.pool, meeting).await
    }

    async fn read_receipts(&self, meeting: MeetingId) -> Result<Vec<DocumentReceipts>> {
        receipts::of_meeting(&self.pool, meeting).await
    }

    async fn timed_open_polls(&self) -> Result<Vec<(MeetingId, PollId, i64)>> {
        meetings::timed_open_polls(&self.pool).await
    }

    async fn poll_record_facts(&self, meeting: MeetingId, poll: PollId) -> Result<Option<RecordFacts>> {
        records::facts(&self.pool, meeting, poll).await
    }

    async fn poll_record(&self, meeting: MeetingId, poll: PollId) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        records::kept(&self.pool, meeting, poll).await
    }

    async fn keep_poll_record(
        &self,
        meeting: MeetingId,
        poll: PollId,
        csv: &[u8],
        pdf: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>)> {
        records::keep(&self.pool, meeting, poll, csv, pdf).await
    }

    async fn search(&self, meeting: MeetingId, query: &str, limit: u32) -> Result<Vec<PageHit>> {
        search::search(&self.pool, meeting, query, limit).await
    }

    async fn store_annotations(&self, meeting: MeetingId, author: UserId, changes: &[Annotation]) -> Result<usize> {
        annotations::store(&self.pool, meeting, author, changes).await
    }

    async fn annotations_since(
        &self,
        meeting: MeetingId,
        reader: UserId,
        since: u64,
    ) -> Result<(u64, Vec<AnnotationView>)> {
        annotations::visible_since(&self.pool, meeting, reader, since).await
    }

    async fn blob_visible_to(&self, sha256: &Sha256, user: UserId) -> Result<bool> {
        reads::blob_visible_to(&self.pool, sha256, user).await
    }

    async fn hot_folder_files(&self) -> Result<Vec<HotFolderFile>> {
        hot_folder::files(&self.pool).await
    }

    async fn record_hot_folder_file(&self, file: &HotFolderFile) -> Result<()> {
        hot_folder::record_file(&self.pool, file).await
    }

    async fn hot_folder_item(&self, meeting: MeetingId, folder_name: &str) -> Result<Option<ItemId>> {
        hot_folder::item(&self.pool, meeting, folder_name).await
    }

    async fn record_hot_folder_item(&self, meeting: MeetingId, folder_name: &str, item: ItemId) -> Result<()> {
        hot_folder::record_item(&self.pool, meeting, folder_name, item).await
    }

    async fn record_audit(&self, records: &[AuditRecord]) -> Result<()> {
        audit::record(&self.pool, records).await
    }

    async fn audit_entries(&self, meeting: Option<MeetingId>, after: u64, limit: u32) -> Result<Vec<AuditEntry>> {
        audit::entries(&self.pool, meeting, after, limit).await
    }

    async fn verify_audit(&self) -> Result<AuditVerdict> {
        audit::verify(&self.pool).await
    }

    fn follow_changes(&self) -> Option<tokio::sync::mpsc::Receiver<crate::Change>> {
        Some(listener::follow(self.pool.clone()))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
