//! Recording decided facts: the version check, the log, the projections, ballots and receipts,
//! all in one transaction, with the notification that tells the other instances.

use std::collections::BTreeMap;

use phonghop_core::Fact;
use phonghop_protocol::{
    BallotForm, DocumentId, ItemId, MeetingEvent, MeetingId, PollId, Revision, Secrecy, UserId, Vote,
};
use rand::seq::SliceRandom;
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

use super::{attendance_name, corrupt, id, outcome_name, role_name, secrecy_name, unix_now, vote_columns};
use crate::ballot_box::BallotBox;
use crate::{AuditRecord, Change, Entry, Result, StoreError};

/// A statement the database refused by one of its own rules (SQLSTATE class 23: unique, foreign
/// key, check, or a trigger's `check_violation`) becomes [`StoreError::Refused`].
fn refused_or(error: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &error {
        if db.code().is_some_and(|code| code.starts_with("23")) {
            return StoreError::Refused(db.message().to_owned());
        }
    }
    StoreError::Database(error)
}

pub(super) async fn append(
    pool: &PgPool,
    ballot_box: &BallotBox,
    meeting: MeetingId,
    version: u64,
    entries: &[Entry],
) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let closed_keys = append_in(&mut tx, ballot_box, meeting, version, entries).await?;
    commit(tx, ballot_box, closed_keys).await?;
    Ok(version + 1)
}

/// A meeting locked for its writer ([`crate::Store::lock_meeting`]): a transaction that holds
/// the meeting's row lock from the moment it read the version until it appends or is dropped.
pub(super) struct LockedMeeting {
    pub(super) transaction: sqlx::Transaction<'static, Postgres>,
    pub(super) ballot_box: std::sync::Arc<BallotBox>,
    pub(super) meeting: MeetingId,
    pub(super) version: u64,
}

impl LockedMeeting {
    /// Waits for the meeting's row lock (writers on every instance queue for it in turn) and
    /// reads the version under it.
    pub(super) async fn lock(
        pool: &PgPool,
        ballot_box: std::sync::Arc<BallotBox>,
        meeting: MeetingId,
    ) -> Result<LockedMeeting> {
        let mut transaction = pool.begin().await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT version FROM meetings WHERE id = $1 FOR UPDATE")
            .bind(id(meeting.0))
            .fetch_optional(&mut *transaction)
            .await?;
        let version = version.ok_or(StoreError::NotFound("meeting"))?;
        Ok(LockedMeeting {
            transaction,
            ballot_box,
            meeting,
            version: version as u64,
        })
    }
}

#[async_trait::async_trait]
impl crate::MeetingWrite for LockedMeeting {
    fn version(&self) -> u64 {
        self.version
    }

    async fn append(self: Box<Self>, entries: &[Entry]) -> Result<u64> {
        let LockedMeeting {
            mut transaction,
            ballot_box,
            meeting,
            version,
        } = *self;
        let closed_keys = append_in(&mut transaction, &ballot_box, meeting, version, entries).await?;
        commit(transaction, &ballot_box, closed_keys).await?;
        Ok(version + 1)
    }
}

/// Commits an append, then removes the keys of the secret polls it closed.
async fn commit(
    transaction: sqlx::Transaction<'static, Postgres>,
    ballot_box: &BallotBox,
    closed_keys: Vec<String>,
) -> Result<()> {
    transaction.commit().await?;
    // Only once the counts are committed may the key go; a crash right here leaves a key file no
    // open poll names, which the next start removes.
    for key_id in closed_keys {
        ballot_box.destroy(&key_id);
    }
    Ok(())
}

/// Records the entries in `connection`'s transaction if the meeting is at `version`, with the
/// notification to the other instances; returns the keys of the secret polls it closed.
async fn append_in(
    connection: &mut PgConnection,
    ballot_box: &BallotBox,
    meeting: MeetingId,
    version: u64,
    entries: &[Entry],
) -> Result<Vec<String>> {
    // The first statement locks the meeting's row until the commit (if the lock was not taken
    // already), so no other writer (in this instance or another) can slip in between check and
    // commit; one waiting on the lock finds the version moved on and gets a conflict.
    let bumped = sqlx::query("UPDATE meetings SET version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id(meeting.0))
        .bind(version as i64)
        .execute(&mut *connection)
        .await?
        .rows_affected();
    if bumped == 0 {
        let exists = sqlx::query("SELECT 1 FROM meetings WHERE id = $1")
            .bind(id(meeting.0))
            .fetch_optional(&mut *connection)
            .await?;
        return Err(if exists.is_some() {
            StoreError::Conflict
        } else {
            StoreError::NotFound("meeting")
        });
    }
    let now = unix_now();
    let mut rows = Rows::new(ballot_box);
    for entry in entries {
        for fact in &entry.facts {
            record(connection, meeting, fact, now, &mut rows).await?;
        }
        if let Some(receipt) = &entry.receipt {
            let result = serde_json::to_string(&entry.result).map_err(corrupt)?;
            rows.receipts.push((receipt.user, receipt.command_id.clone(), result));
        }
    }
    rows.write(connection, meeting, now).await?;
    let audit: Vec<AuditRecord> = entries.iter().flat_map(|entry| entry.audit.iter().cloned()).collect();
    super::audit::append(connection, &audit).await?;
    let closed_keys = std::mem::take(&mut rows.closed_keys);
    // The other instances learn where to read the change, once it is committed: the last event
    // logged here, or (ballots only) the log's end as it was.
    let logged = entries
        .iter()
        .flat_map(|entry| &entry.facts)
        .filter_map(|fact| match fact {
            Fact::Logged { seq, .. } => Some(*seq),
            _ => None,
        })
        .max();
    let seq = match logged {
        Some(seq) => seq,
        None => {
            let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events WHERE meeting_id = $1")
                .bind(id(meeting.0))
                .fetch_one(&mut *connection)
                .await?;
            seq as u32
        }
    };
    let change = Change::Meeting {
        meeting,
        seq,
        version: version + 1,
    };
    super::listener::notify(connection, &change).await?;
    Ok(closed_keys)
}

/// Rows of the frequent facts gathered to be written a thousand per statement: a storm of two
/// thousand ballots is a few statements, not four thousand.
struct Rows<'a> {
    ballot_box: &'a BallotBox,
    ballots: Vec<(PollId, UserId, Vote)>,
    secret_ballots: Vec<(PollId, UserId, Vote)>,
    receipts: Vec<(UserId, String, String)>,
    /// Keys of secret polls closed by this transaction, removed once it commits.
    closed_keys: Vec<String>,
}

/// Rows per INSERT: six values each stays far below PostgreSQL's 65 535 bound values.
const ROWS_PER_STATEMENT: usize = 1000;

impl<'a> Rows<'a> {
    fn new(ballot_box: &'a BallotBox) -> Rows<'a> {
        Rows {
            ballot_box,
            ballots: Vec::new(),
            secret_ballots: Vec::new(),
            receipts: Vec::new(),
            closed_keys: Vec::new(),
        }
    }

    async fn write(&mut self, connection: &mut PgConnection, meeting: MeetingId, now: i64) -> Result<()> {
        let meeting_id = id(meeting.0);
        self.write_secret_ballots(connection, meeting).await?;
        for chunk in self.ballots.chunks(ROWS_PER_STATEMENT) {
            let columns = chunk
                .iter()
                .map(|(poll_id, voter, vote)| Ok((*poll_id, *voter, vote_columns(vote)?)))
                .collect::<Result<Vec<_>>>()?;
            let mut insert = QueryBuilder::<Postgres>::new(
                "INSERT INTO ballots (meeting_id, poll_id, user_id, choice, marks, cast_at) ",
            );
            insert.push_values(columns, |mut row, (poll_id, voter, (choice, marks))| {
                row.push_bind(meeting_id)
                    .push_bind(id(poll_id.0))
                    .push_bind(id(voter.0))
                    .push_bind(choice)
                    .push_bind(marks)
                    .push_bind(now);
            });
            insert.build().execute(&mut *connection).await.map_err(refused_or)?;
        }
        for chunk in self.receipts.chunks(ROWS_PER_STATEMENT) {
            let mut insert =
                QueryBuilder::<Postgres>::new("INSERT INTO processed_commands (user_id, command_id, result) ");
            insert.push_values(chunk, |mut row, (user, command_id, result)| {
                row.push_bind(id(user.0))
                    .push_bind(command_id.as_str())
                    .push_bind(result.as_str());
            });
            insert.build().execute(&mut *connection).await.map_err(refused_or)?;
        }
        self.ballots.clear();
        self.receipts.clear();
        Ok(())
    }

    /// The two halves of each secret ballot: the voter in `secret_voters`, and the choice sealed
    /// under a random id in `sealed_ballots`, the sealed rows shuffled so that not even the order
    /// within one statement follows the voters'.
    async fn write_secret_ballots(&mut self, connection: &mut PgConnection, meeting: MeetingId) -> Result<()> {
        if self.secret_ballots.is_empty() {
            return Ok(());
        }
        let meeting_id = id(meeting.0);
        let mut keys: BTreeMap<PollId, String> = BTreeMap::new();
        let mut sealed = Vec::with_capacity(self.secret_ballots.len());
        for (poll_id, _, vote) in &self.secret_ballots {
            if !keys.contains_key(poll_id) {
                let key = open_ballot_key(connection, meeting_id, *poll_id)
                    .await?
                    .ok_or_else(|| {
                        StoreError::Refused(format!("poll {poll_id} is not an open secret poll with a key"))
                    })?;
                keys.insert(*poll_id, key);
            }
            let (ballot_id, bytes) = self.ballot_box.seal(&keys[poll_id], meeting, *poll_id, vote)?;
            sealed.push((*poll_id, ballot_id, bytes));
        }
        sealed.shuffle(&mut rand::thread_rng());
        for chunk in self.secret_ballots.chunks(ROWS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Postgres>::new("INSERT INTO secret_voters (meeting_id, poll_id, user_id) ");
            insert.push_values(chunk, |mut row, (poll_id, voter, _)| {
                row.push_bind(meeting_id)
                    .push_bind(id(poll_id.0))
                    .push_bind(id(voter.0));
            });
            insert.build().execute(&mut *connection).await.map_err(refused_or)?;
        }
        for chunk in sealed.chunks(ROWS_PER_STATEMENT) {
            let mut insert =
                QueryBuilder::<Postgres>::new("INSERT INTO sealed_ballots (meeting_id, poll_id, id, sealed) ");
            insert.push_values(chunk, |mut row, (poll_id, ballot_id, bytes)| {
                row.push_bind(meeting_id)
                    .push_bind(id(poll_id.0))
                    .push_bind(ballot_id.as_slice())
                    .push_bind(bytes.as_slice());
            });
            insert.build().execute(&mut *connection).await.map_err(refused_or)?;
        }
        self.secret_ballots.clear();
        Ok(())
    }
}

/// Records one fact: a log entry and its projection, a roll, a member, page text; ballots are
/// gathered into `rows`, which are written before the next other fact so the order
/// of the facts holds (a ballot is written after the roll it needs).
async fn record(
    connection: &mut PgConnection,
    meeting: MeetingId,
    fact: &Fact,
    now: i64,
    rows: &mut Rows<'_>,
) -> Result<()> {
    let meeting_id = id(meeting.0);
    match fact {
        Fact::BallotCast { poll_id, voter, vote } => {
            rows.ballots.push((*poll_id, *voter, vote.clone()));
            return Ok(());
        }
        Fact::SecretBallotCast { poll_id, voter, vote } => {
            rows.secret_ballots.push((*poll_id, *voter, vote.clone()));
            return Ok(());
        }
        _ => rows.write(connection, meeting, now).await?,
    }
    match fact {
        Fact::BallotCast { .. } | Fact::SecretBallotCast { .. } => Ok(()),
        Fact::BallotChanged { poll_id, voter, to, .. } => {
            let (choice, marks) = vote_columns(to)?;
            let changed = sqlx::query(
                "UPDATE ballots SET choice = $1, marks = $2, cast_at = $3
                 WHERE meeting_id = $4 AND poll_id = $5 AND user_id = $6",
            )
            .bind(choice)
            .bind(marks)
            .bind(now)
            .bind(meeting_id)
            .bind(id(poll_id.0))
            .bind(id(voter.0))
            .execute(connection)
            .await
            .map_err(refused_or)?
            .rows_affected();
            if changed == 1 {
                Ok(())
            } else {
                Err(StoreError::Refused(format!(
                    "no ballot of {voter} in poll {poll_id} to change"
                )))
            }
        }
        Fact::Logged { seq, event } => {
            let payload = serde_json::to_string(event).map_err(corrupt)?;
            sqlx::query("INSERT INTO events (meeting_id, seq, payload, at) VALUES ($1, $2, $3, $4)")
                .bind(meeting_id)
                .bind(id(*seq))
                .bind(payload)
                .bind(now)
                .execute(&mut *connection)
                .await
                .map_err(refused_or)?;
            project(connection, rows, meeting_id, *seq, event, now).await
        }
        Fact::RollFixed { poll_id, voters } => {
            for voter in voters {
                sqlx::query(
                    "INSERT INTO poll_voters (meeting_id, poll_id, user_id, present_at_opening) VALUES ($1, $2, $3, $4)",
                )
                .bind(meeting_id)
                .bind(id(poll_id.0))
                .bind(id(voter.user.0))
                .bind(voter.present as i64)
                .execute(&mut *connection)
                .await
                .map_err(refused_or)?;
            }
            Ok(())
        }
        Fact::MemberSet { user, role } => {
            sqlx::query(
                "INSERT INTO meeting_members (meeting_id, user_id, role) VALUES ($1, $2, $3)
                 ON CONFLICT (meeting_id, user_id) DO UPDATE SET role = excluded.role",
            )
            .bind(meeting_id)
            .bind(id(user.0))
            .bind(role_name(*role))
            .execute(connection)
            .await
            .map_err(refused_or)?;
            Ok(())
        }
        Fact::PagesIndexed {
            document_id,
            revision,
            pages,
        } => {
            for (index, page) in pages.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO revision_pages
                         (meeting_id, document_id, revision, page_index, width_pt, height_pt, text)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(meeting_id)
                .bind(id(document_id.0))
                .bind(id(*revision))
                .bind(index as i64)
                .bind(f64::from(page.width_pt))
                .bind(f64::from(page.height_pt))
                .bind(&page.text)
                .execute(&mut *connection)
                .await
                .map_err(refused_or)?;
            }
            // Facts come in order: these pages are those of the document's newest revision.
            let texts = pages.iter().map(|page| page.text.as_str());
            super::search::index_pages(connection, meeting_id, *document_id, *revision, texts).await
        }
    }
}

/// The blobs a revision names: its PDF and the file it was converted from.
async fn insert_blobs(connection: &mut PgConnection, revision: &Revision, now: i64) -> Result<()> {
    let original = revision
        .original
        .as_ref()
        .map(|original| (&original.sha256, original.size));
    for (sha256, size) in std::iter::once((&revision.sha256, revision.size)).chain(original) {
        sqlx::query("INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(sha256.as_str())
            .bind(size as i64)
            .bind(now)
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

async fn insert_revision(
    connection: &mut PgConnection,
    meeting_id: i64,
    document: DocumentId,
    revision: &Revision,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO document_revisions
             (meeting_id, document_id, revision, sha256, original_sha256, revision_json, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(meeting_id)
    .bind(id(document.0))
    .bind(id(revision.revision))
    .bind(revision.sha256.as_str())
    .bind(revision.original.as_ref().map(|original| original.sha256.as_str()))
    .bind(serde_json::to_string(revision).expect("revisions serialize"))
    .bind(now)
    .execute(connection)
    .await
    .map_err(refused_or)?;
    Ok(())
}

/// Gives every item of `item_ids` its place in that order; 1 when each was there to move (so the
/// one-row check of [`project`] holds), else 0.
async fn place_items(connection: &mut PgConnection, meeting_id: i64, item_ids: &[ItemId]) -> Result<u64> {
    let mut changed = 0u64;
    for (position, item_id) in item_ids.iter().enumerate() {
        changed +=
            sqlx::query("UPDATE agenda_items SET position = $1 WHERE meeting_id = $2 AND id = $3 AND removed = 0")
                .bind(position as i64)
                .bind(meeting_id)
                .bind(id(item_id.0))
                .execute(&mut *connection)
                .await?
                .rows_affected();
    }
    Ok(u64::from(changed == item_ids.len() as u64))
}

/// Keeps the meeting's tables in step with a logged event.
async fn project(
    connection: &mut PgConnection,
    rows: &mut Rows<'_>,
    meeting_id: i64,
    seq: u32,
    event: &MeetingEvent,
    now: i64,
) -> Result<()> {
    let changed = match event {
        MeetingEvent::AgendaItemAdded { item } => {
            // A sub-item may go in the middle: the items from its place on move down one.
            sqlx::query("UPDATE agenda_items SET position = position + 1 WHERE meeting_id = $1 AND removed = 0 AND position >= $2")
                .bind(meeting_id)
                .bind(id(item.position))
                .execute(&mut *connection)
                .await?;
            sqlx::query(
                "INSERT INTO agenda_items (meeting_id, id, position, parent_id, title, description) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(meeting_id)
            .bind(id(item.id.0))
            .bind(id(item.position))
            .bind(item.parent.map(|parent| id(parent.0)))
            .bind(&item.title)
            .bind(&item.description)
            .execute(connection)
            .await
            .map_err(refused_or)?
            .rows_affected()
        }
        MeetingEvent::AgendaItemEdited {
            item_id,
            title,
            description,
        } => sqlx::query("UPDATE agenda_items SET title = $1, description = $2 WHERE meeting_id = $3 AND id = $4")
            .bind(title)
            .bind(description)
            .bind(meeting_id)
            .bind(id(item_id.0))
            .execute(connection)
            .await?
            .rows_affected(),
        MeetingEvent::AgendaReordered { item_ids } => place_items(connection, meeting_id, item_ids).await?,
        MeetingEvent::AgendaItemMoved {
            item_id,
            parent,
            item_ids,
        } => {
            sqlx::query("UPDATE agenda_items SET parent_id = $1 WHERE meeting_id = $2 AND id = $3 AND removed = 0")
                .bind(parent.map(|parent| id(parent.0)))
                .bind(meeting_id)
                .bind(id(item_id.0))
                .execute(&mut *connection)
                .await?;
            place_items(connection, meeting_id, item_ids).await?
        }
        MeetingEvent::AgendaItemRemoved { item_id } => {
            let position: Option<i64> = sqlx::query_scalar(
                "UPDATE agenda_items SET removed = 1 WHERE meeting_id = $1 AND id = $2 AND removed = 0 RETURNING position",
            )
            .bind(meeting_id)
            .bind(id(item_id.0))
            .fetch_optional(&mut *connection)
            .await?;
            if let Some(position) = position {
                sqlx::query("UPDATE agenda_items SET position = position - 1 WHERE meeting_id = $1 AND removed = 0 AND position > $2")
                    .bind(meeting_id)
                    .bind(position)
                    .execute(&mut *connection)
                    .await?;
            }
            u64::from(position.is_some())
        }
        MeetingEvent::DocumentAdded { document } => {
            insert_blobs(connection, &document.current, now).await?;
            let changed = sqlx::query(
                "INSERT INTO documents (meeting_id, id, item_id, title, file_name, sha256, size, page_count, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(meeting_id)
            .bind(id(document.id.0))
            .bind(id(document.item_id.0))
            .bind(&document.title)
            .bind(&document.current.file_name)
            .bind(document.current.sha256.as_str())
            .bind(document.current.size as i64)
            .bind(id(document.current.page_count))
            .bind(now)
            .execute(&mut *connection)
            .await
            .map_err(refused_or)?
            .rows_affected();
            insert_revision(connection, meeting_id, document.id, &document.current, now).await?;
            changed
        }
        MeetingEvent::DocumentRevised { document } => {
            insert_blobs(connection, &document.current, now).await?;
            let changed = sqlx::query(
                "UPDATE documents SET file_name = $1, sha256 = $2, size = $3, page_count = $4
                 WHERE meeting_id = $5 AND id = $6",
            )
            .bind(&document.current.file_name)
            .bind(document.current.sha256.as_str())
            .bind(document.current.size as i64)
            .bind(id(document.current.page_count))
            .bind(meeting_id)
            .bind(id(document.id.0))
            .execute(&mut *connection)
            .await?
            .rows_affected();
            insert_revision(connection, meeting_id, document.id, &document.current, now).await?;
            changed
        }
        MeetingEvent::PollOpened { poll } => sqlx::query(
            "INSERT INTO polls
                 (meeting_id, id, item_id, title, ballot_json, ballot_lines, secrecy, changeable, ballot_key,
                  rule_json, basis_json, quorum_override, closes_at, state, opened_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'open', $14)",
        )
        .bind(meeting_id)
        .bind(id(poll.id.0))
        .bind(id(poll.item_id.0))
        .bind(&poll.title)
        .bind(match poll.ballot {
            BallotForm::Motion => None,
            ref form => Some(serde_json::to_string(form).map_err(corrupt)?),
        })
        .bind(poll.ballot.lines().len().max(1) as i64)
        .bind(secrecy_name(poll.secrecy))
        .bind(i64::from(poll.changeable))
        .bind(match poll.secrecy {
            Secrecy::Named => None,
            // On disk (synced) before the poll exists; a transaction that fails after this
            // leaves a key no poll names, removed at a later start.
            Secrecy::Secret => Some(rows.ballot_box.new_key()?),
        })
        .bind(serde_json::to_string(&poll.rule).map_err(corrupt)?)
        .bind(
            poll.basis
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(corrupt)?,
        )
        .bind(&poll.quorum_override)
        .bind(poll.closes_at)
        .bind(now)
        .execute(connection)
        .await
        .map_err(refused_or)?
        .rows_affected(),
        MeetingEvent::PollCancelled { poll_id, reason } => {
            let ending = Ending {
                tally_json: None,
                outcome: None,
                line_outcomes_json: None,
                cancel_reason: Some(reason),
            };
            end_poll(connection, rows, meeting_id, *poll_id, ending, now).await?
        }
        MeetingEvent::RulePresetSet { preset } => {
            preset_change(
                connection,
                meeting_id,
                seq,
                &preset.id,
                Some(serde_json::to_string(preset).map_err(corrupt)?),
            )
            .await?
        }
        MeetingEvent::RulePresetRemoved { preset_id } => {
            preset_change(connection, meeting_id, seq, preset_id, None).await?
        }
        MeetingEvent::AttendanceSet { attendance, by } => sqlx::query(
            "INSERT INTO attendance (meeting_id, user_id, checked_in_at, status, reason, set_by)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (meeting_id, user_id) DO UPDATE SET
                 checked_in_at = excluded.checked_in_at, status = excluded.status,
                 reason = excluded.reason, set_by = excluded.set_by",
        )
        .bind(meeting_id)
        .bind(id(attendance.user_id.0))
        .bind(now)
        .bind(attendance_name(attendance.status))
        .bind(&attendance.reason)
        .bind(id(by.0))
        .execute(connection)
        .await
        .map_err(refused_or)?
        .rows_affected(),
        // The running sitting is kept in the log alone: `load` replays these events.
        MeetingEvent::AgendaPublished
        | MeetingEvent::CurrentItemSet { .. }
        | MeetingEvent::SpeechRequested { .. }
        | MeetingEvent::SpeechRequestWithdrawn { .. }
        | MeetingEvent::SpeakersOrdered { .. }
        | MeetingEvent::FloorGranted { .. }
        | MeetingEvent::SpeechEnded { .. }
        | MeetingEvent::PresenterSet { .. }
        | MeetingEvent::PagePresented { .. }
        | MeetingEvent::PresentingStopped => 1,
        MeetingEvent::MeetingQuorumSet { quorum } => sqlx::query("UPDATE meetings SET quorum_json = $1 WHERE id = $2")
            .bind(serde_json::to_string(quorum).map_err(corrupt)?)
            .bind(meeting_id)
            .execute(connection)
            .await?
            .rows_affected(),
        MeetingEvent::PollClosed {
            poll_id,
            tally,
            outcome,
            line_outcomes,
        } => {
            let ending = Ending {
                tally_json: Some(serde_json::to_string(tally).map_err(corrupt)?),
                outcome: Some(outcome_name(*outcome)),
                line_outcomes_json: Some(serde_json::to_string(line_outcomes).map_err(corrupt)?)
                    .filter(|_| !line_outcomes.is_empty()),
                cancel_reason: None,
            };
            end_poll(connection, rows, meeting_id, *poll_id, ending, now).await?
        }
    };
    if changed == 0 {
        return Err(StoreError::Refused(format!("{event:?} names nothing of this meeting")));
    }
    Ok(())
}

/// The key of an open secret poll; `None` for a named or a closed poll.
async fn open_ballot_key(connection: &mut PgConnection, meeting_id: i64, poll_id: PollId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT ballot_key FROM polls WHERE meeting_id = $1 AND id = $2 AND state = 'open'")
            .bind(meeting_id)
            .bind(id(poll_id.0))
            .fetch_optional(connection)
            .await?
            .flatten(),
    )
}

/// How an open poll ends: closed with its final tally and outcome, or cancelled with a reason.
struct Ending<'a> {
    tally_json: Option<String>,
    outcome: Option<&'static str>,
    line_outcomes_json: Option<String>,
    cancel_reason: Option<&'a str>,
}

/// An open poll ends: it is kept closed (`cancel_reason` set when cancelled), and a secret poll's
/// sealed ballots and key go.
async fn end_poll(
    connection: &mut PgConnection,
    rows: &mut Rows<'_>,
    meeting_id: i64,
    poll_id: PollId,
    ending: Ending<'_>,
    now: i64,
) -> Result<u64> {
    forget_sealed_ballots(connection, rows, meeting_id, poll_id).await?;
    Ok(sqlx::query(
        "UPDATE polls SET state = 'closed', tally_json = $1, outcome = $2, line_outcomes_json = $3, cancel_reason = $4,
                          closed_at = $5, ballot_key = NULL
         WHERE meeting_id = $6 AND id = $7 AND state = 'open'",
    )
    .bind(ending.tally_json)
    .bind(ending.outcome)
    .bind(ending.line_outcomes_json)
    .bind(ending.cancel_reason)
    .bind(now)
    .bind(meeting_id)
    .bind(id(poll_id.0))
    .execute(connection)
    .await
    .map_err(refused_or)?
    .rows_affected())
}

/// A secret poll closing or cancelled: its sealed ballots are deleted (the counts go into its
/// tally, or nowhere) and its key is removed once the transaction commits.
async fn forget_sealed_ballots(
    connection: &mut PgConnection,
    rows: &mut Rows<'_>,
    meeting_id: i64,
    poll_id: PollId,
) -> Result<()> {
    if let Some(key) = open_ballot_key(connection, meeting_id, poll_id).await? {
        sqlx::query("DELETE FROM sealed_ballots WHERE meeting_id = $1 AND poll_id = $2")
            .bind(meeting_id)
            .bind(id(poll_id.0))
            .execute(&mut *connection)
            .await?;
        rows.closed_keys.push(key);
    }
    Ok(())
}

/// Keeps a change to the meeting's rule presets at its seq (`preset_json` `None`: removed).
async fn preset_change(
    connection: &mut PgConnection,
    meeting_id: i64,
    seq: u32,
    preset_id: &str,
    preset_json: Option<String>,
) -> Result<u64> {
    Ok(
        sqlx::query(
            "INSERT INTO rule_preset_changes (meeting_id, seq, preset_id, preset_json) VALUES ($1, $2, $3, $4)",
        )
        .bind(meeting_id)
        .bind(id(seq))
        .bind(preset_id)
        .bind(preset_json)
        .execute(connection)
        .await
        .map_err(refused_or)?
        .rows_affected(),
    )
}
