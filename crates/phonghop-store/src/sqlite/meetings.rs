//! Meetings, their members, and loading a meeting's model from its projections.

use std::collections::BTreeMap;

use phonghop_core::{LastIds, MeetingModel, PollRoll};
use phonghop_protocol::{
    AgendaItem, Attendance, AttendanceStatus, BallotForm, Document, DocumentId, Floor, ItemId, Meeting, MeetingEvent,
    MeetingId, MeetingKind, MeetingState, MeetingSummary, Poll, PollId, PollState, Revision, Role, RulePreset, Secrecy,
    Tally, UserId,
};
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::{
    corrupt, id, kind_name, meeting_quorum, parse_attendance, parse_ballot_form, parse_role, parse_secrecy, parse_vote,
    unix_now,
};
use crate::ballot_box::BallotBox;
use crate::{Loaded, Result, StoreError};

pub(super) async fn create_meeting(
    pool: &SqlitePool,
    title: &str,
    location: &str,
    starts_at: &str,
    kind: MeetingKind,
) -> Result<Meeting> {
    let row = sqlx::query(
        "INSERT INTO meetings (title, location, starts_at, kind, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(title)
    .bind(location)
    .bind(starts_at)
    .bind(kind_name(kind)?)
    .bind(unix_now())
    .fetch_one(pool)
    .await?;
    Ok(Meeting {
        id: MeetingId(row.get::<i64, _>("id") as u32),
        title: title.to_owned(),
        location: location.to_owned(),
        starts_at: starts_at.to_owned(),
        kind,
    })
}

pub(super) async fn meetings_of(pool: &SqlitePool, user: UserId) -> Result<Vec<MeetingSummary>> {
    let rows = sqlx::query(
        "SELECT m.id, m.title, m.location, m.starts_at, mm.role FROM meetings m
         JOIN meeting_members mm ON mm.meeting_id = m.id WHERE mm.user_id = ? ORDER BY m.id",
    )
    .bind(id(user.0))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(MeetingSummary {
                id: MeetingId(row.get::<i64, _>("id") as u32),
                title: row.get("title"),
                location: row.get("location"),
                starts_at: row.get("starts_at"),
                role: parse_role(row.get("role"))?,
            })
        })
        .collect()
}

pub(super) async fn first_meeting_id(pool: &SqlitePool) -> Result<Option<MeetingId>> {
    let row = sqlx::query("SELECT MIN(id) AS id FROM meetings")
        .fetch_one(pool)
        .await?;
    Ok(row.get::<Option<i64>, _>("id").map(|id| MeetingId(id as u32)))
}

pub(super) async fn member_role(pool: &SqlitePool, meeting: MeetingId, user: UserId) -> Result<Option<Role>> {
    let row = sqlx::query("SELECT role FROM meeting_members WHERE meeting_id = ? AND user_id = ?")
        .bind(id(meeting.0))
        .bind(id(user.0))
        .fetch_optional(pool)
        .await?;
    row.map(|row| parse_role(row.get("role"))).transpose()
}

fn number(row: &sqlx::sqlite::SqliteRow, column: &str) -> u32 {
    row.get::<i64, _>(column) as u32
}

/// Reads everything of one meeting in one transaction, so the parts agree with each other and
/// with the version.
pub(super) async fn load(pool: &SqlitePool, ballot_box: &BallotBox, meeting_id: MeetingId) -> Result<Loaded> {
    let mut tx = pool.begin().await?;
    let connection = &mut *tx;
    let meeting_row =
        sqlx::query("SELECT title, location, starts_at, kind, quorum_json, version FROM meetings WHERE id = ?")
            .bind(id(meeting_id.0))
            .fetch_optional(&mut *connection)
            .await?
            .ok_or(StoreError::NotFound("meeting"))?;
    let meeting = Meeting {
        id: meeting_id,
        title: meeting_row.get("title"),
        location: meeting_row.get("location"),
        starts_at: meeting_row.get("starts_at"),
        kind: serde_json::from_value(serde_json::Value::String(meeting_row.get("kind"))).map_err(corrupt)?,
    };
    let presets = presets(connection, &meeting).await?;
    let quorum = meeting_quorum(meeting_row.get("quorum_json"), meeting_row.get("kind"))?;
    let version = meeting_row.get::<i64, _>("version") as u64;
    let members = members(connection, meeting_id).await?;
    let attendance = attendance(connection, meeting_id).await?;
    let present = attendance
        .iter()
        .filter(|entry| entry.status == AttendanceStatus::Present)
        .map(|entry| entry.user_id)
        .collect();
    let mut items = agenda_items(connection, meeting_id).await?;
    let documents = documents(connection, meeting_id).await?;
    let last_document = documents.iter().map(|document| document.id).max().unwrap_or_default();
    for document in documents {
        if let Some(item) = items.iter_mut().find(|item| item.id == document.item_id) {
            item.documents.push(document);
        }
    }
    let mut rolls = rolls(connection, meeting_id).await?;
    count_sealed_ballots(connection, ballot_box, meeting_id, &mut rolls).await?;
    let polls = polls(connection, meeting_id, &rolls).await?;
    // Removed items count too: an item id is never given twice.
    let last_item: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM agenda_items WHERE meeting_id = ?")
        .bind(id(meeting_id.0))
        .fetch_one(&mut *connection)
        .await?;
    let seq = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE meeting_id = ?")
        .bind(id(meeting_id.0))
        .fetch_one(&mut *connection)
        .await?;
    let mut view = MeetingState {
        meeting,
        items,
        polls,
        presets,
        quorum,
        attendance,
        current_item: None,
        floor: Floor::default(),
        presenter: None,
        presenting: None,
        agenda_published: false,
    };
    replay_running(connection, meeting_id, &mut view).await?;
    tx.commit().await?;
    let last_ids = LastIds {
        item: ItemId(last_item as u32),
        document: last_document,
        poll: view.polls.iter().map(|poll| poll.id).max().unwrap_or_default(),
    };
    let model = MeetingModel {
        seq: number(&seq, "seq"),
        view,
        members,
        present,
        rolls,
        last_ids,
    };
    Ok(Loaded { model, version })
}

/// The running sitting — the item under discussion, the speaking queue, the presenter and the
/// page presented — replayed from its events in order, as a mirror applies them (they change
/// often and are small, so no table keeps them apart).
async fn replay_running(connection: &mut SqliteConnection, meeting: MeetingId, view: &mut MeetingState) -> Result<()> {
    let payloads: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM events WHERE meeting_id = ?
         AND json_extract(payload, '$.kind') IN ('agenda_published', 'current_item_set', 'speech_requested',
             'speech_request_withdrawn', 'speakers_ordered', 'floor_granted', 'speech_ended',
             'presenter_set', 'page_presented', 'presenting_stopped')
         ORDER BY seq",
    )
    .bind(id(meeting.0))
    .fetch_all(&mut *connection)
    .await?;
    for payload in payloads {
        let event: MeetingEvent = serde_json::from_str(&payload).map_err(corrupt)?;
        phonghop_core::mirror::apply(view, &event);
    }
    Ok(())
}

/// The meeting's rule presets: its kind's defaults with the secretariat's changes replayed in
/// order, as a mirror applies them.
async fn presets(connection: &mut SqliteConnection, meeting: &Meeting) -> Result<Vec<RulePreset>> {
    let rows = sqlx::query("SELECT preset_id, preset_json FROM rule_preset_changes WHERE meeting_id = ? ORDER BY seq")
        .bind(id(meeting.id.0))
        .fetch_all(&mut *connection)
        .await?;
    let mut presets = phonghop_core::presets::defaults(meeting.kind);
    for row in rows {
        match row.get::<Option<String>, _>("preset_json") {
            Some(json) => {
                let preset: RulePreset = serde_json::from_str(&json).map_err(corrupt)?;
                phonghop_core::presets::apply_set(&mut presets, &preset);
            }
            None => phonghop_core::presets::apply_removed(&mut presets, row.get("preset_id")),
        }
    }
    Ok(presets)
}

async fn members(connection: &mut SqliteConnection, meeting: MeetingId) -> Result<BTreeMap<UserId, Role>> {
    let rows = sqlx::query("SELECT user_id, role FROM meeting_members WHERE meeting_id = ?")
        .bind(id(meeting.0))
        .fetch_all(connection)
        .await?;
    rows.iter()
        .map(|row| Ok((UserId(number(row, "user_id")), parse_role(row.get("role"))?)))
        .collect()
}

async fn agenda_items(connection: &mut SqliteConnection, meeting: MeetingId) -> Result<Vec<AgendaItem>> {
    let rows = sqlx::query(
        "SELECT id, position, parent_id, title, description FROM agenda_items
         WHERE meeting_id = ? AND removed = 0 ORDER BY position, id",
    )
    .bind(id(meeting.0))
    .fetch_all(connection)
    .await?;
    Ok(rows
        .iter()
        .map(|row| AgendaItem {
            id: ItemId(number(row, "id")),
            position: number(row, "position"),
            parent: row
                .get::<Option<i64>, _>("parent_id")
                .map(|parent| ItemId(parent as u32)),
            title: row.get("title"),
            description: row.get("description"),
            documents: vec![],
        })
        .collect())
}

async fn documents(connection: &mut SqliteConnection, meeting: MeetingId) -> Result<Vec<Document>> {
    let rows = sqlx::query("SELECT id, item_id, title FROM documents WHERE meeting_id = ? ORDER BY id")
        .bind(id(meeting.0))
        .fetch_all(&mut *connection)
        .await?;
    let revisions = sqlx::query(
        "SELECT document_id, revision_json FROM document_revisions WHERE meeting_id = ?
         ORDER BY document_id, revision",
    )
    .bind(id(meeting.0))
    .fetch_all(&mut *connection)
    .await?;
    let mut revisions_of: BTreeMap<DocumentId, Vec<Revision>> = BTreeMap::new();
    for row in revisions {
        let revision: Revision = serde_json::from_str(row.get("revision_json")).map_err(corrupt)?;
        revisions_of
            .entry(DocumentId(number(&row, "document_id")))
            .or_default()
            .push(revision);
    }
    rows.iter()
        .map(|row| {
            let document_id = DocumentId(number(row, "id"));
            let mut earlier = revisions_of.remove(&document_id).unwrap_or_default();
            let current = earlier
                .pop()
                .ok_or_else(|| corrupt(format!("document {document_id} has no revision")))?;
            Ok(Document {
                id: document_id,
                item_id: ItemId(number(row, "item_id")),
                title: row.get("title"),
                current,
                earlier,
            })
        })
        .collect()
}

/// One document with all its revisions.
pub(super) async fn document(pool: &SqlitePool, meeting: MeetingId, document: DocumentId) -> Result<Option<Document>> {
    let mut connection = pool.acquire().await?;
    let documents = documents(&mut connection, meeting).await?;
    Ok(documents.into_iter().find(|found| found.id == document))
}

/// The text of each page of one revision of a document, in page order.
pub(super) async fn revision_texts(
    connection: &mut SqliteConnection,
    meeting: MeetingId,
    document: DocumentId,
    revision: u32,
) -> Result<Vec<String>> {
    let texts = sqlx::query_scalar(
        "SELECT text FROM revision_pages WHERE meeting_id = ? AND document_id = ? AND revision = ?
         ORDER BY page_index",
    )
    .bind(id(meeting.0))
    .bind(id(document.0))
    .bind(id(revision))
    .fetch_all(connection)
    .await?;
    Ok(texts)
}

/// Every poll's roll and who has voted in it.
async fn rolls(connection: &mut SqliteConnection, meeting: MeetingId) -> Result<BTreeMap<PollId, PollRoll>> {
    let mut rolls: BTreeMap<PollId, PollRoll> = BTreeMap::new();
    let voters = sqlx::query("SELECT poll_id, user_id, present_at_opening FROM poll_voters WHERE meeting_id = ?")
        .bind(id(meeting.0))
        .fetch_all(&mut *connection)
        .await?;
    for row in voters {
        rolls.entry(PollId(number(&row, "poll_id"))).or_default().voters.insert(
            UserId(number(&row, "user_id")),
            row.get::<i64, _>("present_at_opening") != 0,
        );
    }
    let voted = sqlx::query(
        "SELECT poll_id, user_id FROM ballots WHERE meeting_id = ?1
         UNION ALL SELECT poll_id, user_id FROM secret_voters WHERE meeting_id = ?1",
    )
    .bind(id(meeting.0))
    .fetch_all(&mut *connection)
    .await?;
    for row in voted {
        rolls
            .entry(PollId(number(&row, "poll_id")))
            .or_default()
            .voted
            .insert(UserId(number(&row, "user_id")));
    }
    // An open changeable poll's latest choices, to take one out of the tally when it changes.
    let choices = sqlx::query(
        "SELECT b.poll_id, b.user_id, b.choice, b.marks FROM ballots b
         JOIN polls p ON p.meeting_id = b.meeting_id AND p.id = b.poll_id
         WHERE b.meeting_id = ? AND p.state = 'open' AND p.changeable = 1",
    )
    .bind(id(meeting.0))
    .fetch_all(&mut *connection)
    .await?;
    for row in choices {
        let vote = parse_vote(row.get("choice"), row.get("marks"))?;
        rolls
            .entry(PollId(number(&row, "poll_id")))
            .or_default()
            .choices
            .insert(UserId(number(&row, "user_id")), vote);
    }
    Ok(rolls)
}

/// Each member's attendance as the log last set it, by user id.
async fn attendance(connection: &mut SqliteConnection, meeting: MeetingId) -> Result<Vec<Attendance>> {
    let rows = sqlx::query("SELECT user_id, status, reason FROM attendance WHERE meeting_id = ? ORDER BY user_id")
        .bind(id(meeting.0))
        .fetch_all(&mut *connection)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Attendance {
                user_id: UserId(number(row, "user_id")),
                status: parse_attendance(row.get("status"))?,
                reason: row.get("reason"),
            })
        })
        .collect()
}

/// The counts so far of each open secret poll, its sealed ballots opened with its key.
async fn count_sealed_ballots(
    connection: &mut SqliteConnection,
    ballot_box: &BallotBox,
    meeting: MeetingId,
    rolls: &mut BTreeMap<PollId, PollRoll>,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT p.id AS poll_id, p.ballot_key, p.ballot_json, s.sealed FROM polls p
         JOIN sealed_ballots s ON s.meeting_id = p.meeting_id AND s.poll_id = p.id
         WHERE p.meeting_id = ? AND p.state = 'open' AND p.ballot_key IS NOT NULL",
    )
    .bind(id(meeting.0))
    .fetch_all(&mut *connection)
    .await?;
    for row in rows {
        let poll_id = PollId(number(&row, "poll_id"));
        let form = parse_ballot_form(row.get("ballot_json"))?;
        let vote = ballot_box.unseal(row.get("ballot_key"), meeting, poll_id, &form, row.get("sealed"))?;
        rolls.entry(poll_id).or_default().count_secret(&form, &vote);
    }
    Ok(())
}

async fn polls(
    connection: &mut SqliteConnection,
    meeting: MeetingId,
    rolls: &BTreeMap<PollId, PollRoll>,
) -> Result<Vec<Poll>> {
    let rows = sqlx::query(
        "SELECT id, item_id, title, ballot_json, secrecy, changeable, rule_json, basis_json, quorum_override,
                closes_at, state, tally_json, outcome, line_outcomes_json, cancel_reason FROM polls
         WHERE meeting_id = ? ORDER BY id",
    )
    .bind(id(meeting.0))
    .fetch_all(&mut *connection)
    .await?;
    let forms = rows
        .iter()
        .map(|row| Ok((PollId(number(row, "id")), parse_ballot_form(row.get("ballot_json"))?)))
        .collect::<Result<BTreeMap<PollId, BallotForm>>>()?;
    let counts = ballot_counts(connection, meeting, &forms).await?;
    let mut polls = Vec::with_capacity(rows.len());
    for row in rows {
        let poll_id = PollId(number(&row, "id"));
        let cancel_reason: Option<String> = row.get("cancel_reason");
        let state = match row.get::<&str, _>("state") {
            "open" => PollState::Open,
            _ if cancel_reason.is_some() => PollState::Cancelled,
            _ => PollState::Closed,
        };
        let secrecy = parse_secrecy(row.get("secrecy"))?;
        let tally = match row.get::<Option<String>, _>("tally_json") {
            Some(json) => serde_json::from_str(&json).map_err(corrupt)?,
            None => {
                let roll = rolls.get(&poll_id).cloned().unwrap_or_default();
                let mut tally = counts
                    .get(&poll_id)
                    .cloned()
                    .unwrap_or_else(|| Tally::new(&forms[&poll_id], 0, 0));
                tally.members = roll.members();
                tally.present = roll.present();
                if secrecy == Secrecy::Secret {
                    // Until the close only how many have voted is told.
                    tally.sealed = roll.voted.len() as u32;
                }
                tally
            }
        };
        let outcome = match row.get::<Option<String>, _>("outcome") {
            Some(name) => Some(serde_json::from_value(serde_json::Value::String(name)).map_err(corrupt)?),
            None => None,
        };
        polls.push(Poll {
            id: poll_id,
            item_id: ItemId(number(&row, "item_id")),
            title: row.get("title"),
            ballot: forms[&poll_id].clone(),
            secrecy,
            changeable: row.get::<i64, _>("changeable") != 0,
            rule: serde_json::from_str(row.get("rule_json")).map_err(corrupt)?,
            basis: match row.get::<Option<String>, _>("basis_json") {
                Some(json) => Some(serde_json::from_str(&json).map_err(corrupt)?),
                None => None,
            },
            quorum_override: row.get("quorum_override"),
            closes_at: row.get("closes_at"),
            state,
            tally,
            outcome,
            line_outcomes: match row.get::<Option<String>, _>("line_outcomes_json") {
                Some(json) => serde_json::from_str(&json).map_err(corrupt)?,
                None => vec![],
            },
            cancel_reason,
        });
    }
    Ok(polls)
}

/// The counts of every named poll of the meeting: yes / no / abstain, or per line and mark.
async fn ballot_counts(
    connection: &mut SqliteConnection,
    meeting: MeetingId,
    forms: &BTreeMap<PollId, BallotForm>,
) -> Result<BTreeMap<PollId, Tally>> {
    let rows = sqlx::query(
        "SELECT poll_id, choice, marks, COUNT(*) AS count FROM ballots WHERE meeting_id = ?
         GROUP BY poll_id, choice, marks",
    )
    .bind(id(meeting.0))
    .fetch_all(connection)
    .await?;
    let mut counts: BTreeMap<PollId, Tally> = BTreeMap::new();
    for row in rows {
        let poll_id = PollId(number(&row, "poll_id"));
        let form = forms
            .get(&poll_id)
            .ok_or_else(|| corrupt(format!("ballots of a poll {poll_id} that is not kept")))?;
        let vote = parse_vote(row.get("choice"), row.get("marks"))?;
        let tally = counts.entry(poll_id).or_insert_with(|| Tally::new(form, 0, 0));
        for _ in 0..number(&row, "count") {
            tally.add(&vote);
        }
    }
    Ok(counts)
}

/// Every open timed poll of every meeting with when it closes, soonest first.
pub(super) async fn timed_open_polls(pool: &SqlitePool) -> Result<Vec<(MeetingId, PollId, i64)>> {
    let rows = sqlx::query(
        "SELECT meeting_id, id, closes_at FROM polls WHERE state = 'open' AND closes_at IS NOT NULL
         ORDER BY closes_at",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            (
                MeetingId(number(row, "meeting_id")),
                PollId(number(row, "id")),
                row.get("closes_at"),
            )
        })
        .collect())
}
