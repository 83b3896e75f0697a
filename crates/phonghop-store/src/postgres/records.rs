//! Result records of closed polls: the facts a record states, read from the projections in one
//! transaction, and the signed files kept as first made.

use phonghop_core::record::{RecordFacts, RollLine};
use phonghop_protocol::{ItemId, Meeting, MeetingId, Poll, PollId, PollState};
use sqlx::{PgPool, Row};

use super::{corrupt, id, parse_ballot_form, parse_vote, unix_now};
use crate::Result;

/// The facts of poll `poll`'s record; `None` when the meeting has no such poll or it is open.
pub(super) async fn facts(pool: &PgPool, meeting: MeetingId, poll: PollId) -> Result<Option<RecordFacts>> {
    let mut tx = super::snapshot(pool).await?;
    let row = sqlx::query(
        "SELECT m.title AS meeting_title, m.location, m.starts_at, m.kind, a.title AS item_title,
                p.item_id, p.title, p.ballot_json, p.line_outcomes_json, p.secrecy, p.changeable, p.quorum_override, p.rule_json, p.basis_json, p.closes_at, p.tally_json, p.outcome, p.opened_at,
                p.closed_at
         FROM polls p
         JOIN meetings m ON m.id = p.meeting_id
         JOIN agenda_items a ON a.meeting_id = p.meeting_id AND a.id = p.item_id
         WHERE p.meeting_id = $1 AND p.id = $2 AND p.state = 'closed' AND p.cancel_reason IS NULL",
    )
    .bind(id(meeting.0))
    .bind(id(poll.0))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    // A secret poll's record names no one: its roll is empty.
    let roll = sqlx::query(
        "SELECT u.full_name, u.position, b.choice, b.marks, b.user_id IS NOT NULL AS voted FROM poll_voters v
         JOIN users u ON u.id = v.user_id
         LEFT JOIN ballots b ON b.meeting_id = v.meeting_id AND b.poll_id = v.poll_id AND b.user_id = v.user_id
         JOIN polls p ON p.meeting_id = v.meeting_id AND p.id = v.poll_id
         WHERE v.meeting_id = $1 AND v.poll_id = $2 AND p.secrecy = 'named' ORDER BY v.user_id",
    )
    .bind(id(meeting.0))
    .bind(id(poll.0))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let json = |column: &str| -> Result<serde_json::Value> {
        let text: Option<String> = row.get(column);
        text.map_or(Ok(serde_json::Value::Null), |text| {
            serde_json::from_str(&text).map_err(corrupt)
        })
    };
    let roll = roll
        .iter()
        .map(|line| {
            let vote = match line.get::<bool, _>("voted") {
                true => Some(parse_vote(line.get("choice"), line.get("marks"))?),
                false => None,
            };
            Ok(RollLine {
                full_name: line.get("full_name"),
                position: line.get("position"),
                vote,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(RecordFacts {
        meeting: Meeting {
            id: meeting,
            title: row.get("meeting_title"),
            location: row.get("location"),
            starts_at: row.get("starts_at"),
            kind: serde_json::from_value(serde_json::Value::String(row.get("kind"))).map_err(corrupt)?,
        },
        item_title: row.get("item_title"),
        poll: Poll {
            id: poll,
            item_id: ItemId(row.get::<i64, _>("item_id") as u32),
            title: row.get("title"),
            ballot: parse_ballot_form(row.get("ballot_json"))?,
            secrecy: super::parse_secrecy(row.get("secrecy"))?,
            changeable: row.get::<i64, _>("changeable") != 0,
            rule: serde_json::from_value(json("rule_json")?).map_err(corrupt)?,
            basis: serde_json::from_value(json("basis_json")?).map_err(corrupt)?,
            quorum_override: row.get("quorum_override"),
            closes_at: row.get("closes_at"),
            state: PollState::Closed,
            tally: serde_json::from_value(json("tally_json")?).map_err(corrupt)?,
            outcome: Some(serde_json::from_value(serde_json::Value::String(row.get("outcome"))).map_err(corrupt)?),
            line_outcomes: match json("line_outcomes_json")? {
                serde_json::Value::Null => vec![],
                lines => serde_json::from_value(lines).map_err(corrupt)?,
            },
            cancel_reason: None,
        },
        opened_at: row.get("opened_at"),
        closed_at: row.get::<Option<i64>, _>("closed_at").unwrap_or_default(),
        roll,
    }))
}

/// The kept record of a poll: its CSV and its PDF.
pub(super) async fn kept(pool: &PgPool, meeting: MeetingId, poll: PollId) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
    let row = sqlx::query("SELECT csv, pdf FROM poll_records WHERE meeting_id = $1 AND poll_id = $2")
        .bind(id(meeting.0))
        .bind(id(poll.0))
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|row| (row.get("csv"), row.get("pdf"))))
}

/// Keeps a record unless one is kept already, and returns the one kept: the first made stays, so
/// two made at once still give every reader the same signed bytes.
pub(super) async fn keep(
    pool: &PgPool,
    meeting: MeetingId,
    poll: PollId,
    csv: &[u8],
    pdf: &[u8],
) -> Result<(Vec<u8>, Vec<u8>)> {
    sqlx::query(
        "INSERT INTO poll_records (meeting_id, poll_id, csv, pdf, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (meeting_id, poll_id) DO NOTHING",
    )
    .bind(id(meeting.0))
    .bind(id(poll.0))
    .bind(csv)
    .bind(pdf)
    .bind(unix_now())
    .execute(pool)
    .await?;
    kept(pool, meeting, poll)
        .await?
        .ok_or_else(|| corrupt("a poll record vanished as it was kept"))
}
