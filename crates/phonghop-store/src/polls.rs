//! Polls, ballots and tallies. A ballot is committed before it is acknowledged.

use phonghop_protocol::{Choice, CommandResult, MajorityRule, MeetingEvent, MyBallot, Outcome, Poll, PollState, Tally};
use sqlx::{Row, SqliteConnection};

use crate::meetings::append_event;
use crate::{check_receipt, is_unique_violation, record_receipt, unix_now, Receipt, Result, Store, StoreError};

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Rejected => "rejected",
        Outcome::NoQuorum => "no_quorum",
    }
}

fn corrupt(err: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(err.to_string())
}

/// Live counts of a poll: members and attendance of its meeting, ballots so far.
async fn live_tally(connection: &mut SqliteConnection, meeting_id: u32, poll_id: u32) -> Result<Tally> {
    let row = sqlx::query(
        "SELECT
           (SELECT COUNT(*) FROM meeting_members WHERE meeting_id = ?1 AND role IN ('chair', 'delegate')) AS members,
           (SELECT COUNT(*) FROM attendance a JOIN meeting_members mm
              ON mm.meeting_id = a.meeting_id AND mm.user_id = a.user_id
              WHERE a.meeting_id = ?1 AND mm.role IN ('chair', 'delegate')) AS present,
           (SELECT COUNT(*) FROM ballots WHERE poll_id = ?2 AND choice = 'yes') AS yes,
           (SELECT COUNT(*) FROM ballots WHERE poll_id = ?2 AND choice = 'no') AS no,
           (SELECT COUNT(*) FROM ballots WHERE poll_id = ?2 AND choice = 'abstain') AS abstain",
    )
    .bind(i64::from(meeting_id))
    .bind(i64::from(poll_id))
    .fetch_one(connection)
    .await?;
    let count = |name: &str| row.get::<i64, _>(name) as u32;
    Ok(Tally {
        members: count("members"),
        present: count("present"),
        yes: count("yes"),
        no: count("no"),
        abstain: count("abstain"),
    })
}

pub(crate) async fn polls_of_meeting(connection: &mut SqliteConnection, meeting_id: u32) -> Result<Vec<Poll>> {
    let rows = sqlx::query(
        "SELECT id, item_id, title, rule_json, state, tally_json, outcome FROM polls WHERE meeting_id = ? ORDER BY id",
    )
    .bind(i64::from(meeting_id))
    .fetch_all(&mut *connection)
    .await?;
    let mut polls = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.get::<i64, _>("id") as u32;
        let state = if row.get::<String, _>("state") == "open" {
            PollState::Open
        } else {
            PollState::Closed
        };
        let tally = match row.get::<Option<String>, _>("tally_json") {
            Some(json) => serde_json::from_str(&json).map_err(corrupt)?,
            None => live_tally(connection, meeting_id, id).await?,
        };
        let outcome = match row.get::<Option<String>, _>("outcome") {
            Some(name) => Some(serde_json::from_value(serde_json::Value::String(name)).map_err(corrupt)?),
            None => None,
        };
        polls.push(Poll {
            id,
            item_id: row.get::<i64, _>("item_id") as u32,
            title: row.get("title"),
            rule: serde_json::from_str(&row.get::<String, _>("rule_json")).map_err(corrupt)?,
            state,
            tally,
            outcome,
        });
    }
    Ok(polls)
}

impl Store {
    pub async fn open_poll(
        &self,
        meeting_id: u32,
        item_id: u32,
        title: &str,
        rule: MajorityRule,
        receipt: Option<&Receipt>,
    ) -> Result<(u32, MeetingEvent)> {
        let mut tx = self.write().await?;
        let connection = &mut *tx.transaction;
        check_receipt(connection, receipt).await?;
        let item = sqlx::query("SELECT 1 FROM agenda_items WHERE id = ? AND meeting_id = ?")
            .bind(i64::from(item_id))
            .bind(i64::from(meeting_id))
            .fetch_optional(&mut *connection)
            .await?;
        if item.is_none() {
            return Err(StoreError::NotFound("agenda item"));
        }
        let row = sqlx::query(
            "INSERT INTO polls (meeting_id, item_id, title, rule_json, state, opened_at)
             VALUES (?, ?, ?, ?, 'open', ?) RETURNING id",
        )
        .bind(i64::from(meeting_id))
        .bind(i64::from(item_id))
        .bind(title)
        .bind(serde_json::to_string(&rule).map_err(corrupt)?)
        .bind(unix_now())
        .fetch_one(&mut *connection)
        .await?;
        let id = row.get::<i64, _>("id") as u32;
        let tally = live_tally(connection, meeting_id, id).await?;
        let poll = Poll {
            id,
            item_id,
            title: title.to_owned(),
            rule,
            state: PollState::Open,
            tally,
            outcome: None,
        };
        let event = MeetingEvent::PollOpened { poll };
        let seq = append_event(connection, meeting_id, &event).await?;
        record_receipt(connection, receipt, &CommandResult::Logged { seq }).await?;
        tx.commit().await?;
        Ok((seq, event))
    }

    /// Closes an open poll, freezing its counts and deciding its outcome with its rule.
    pub async fn close_poll(
        &self,
        meeting_id: u32,
        poll_id: u32,
        receipt: Option<&Receipt>,
    ) -> Result<(u32, MeetingEvent)> {
        let mut tx = self.write().await?;
        let connection = &mut *tx.transaction;
        check_receipt(connection, receipt).await?;
        let row = sqlx::query("SELECT state, rule_json FROM polls WHERE id = ? AND meeting_id = ?")
            .bind(i64::from(poll_id))
            .bind(i64::from(meeting_id))
            .fetch_optional(&mut *connection)
            .await?
            .ok_or(StoreError::NotFound("poll"))?;
        if row.get::<String, _>("state") != "open" {
            return Err(StoreError::PollClosed);
        }
        let rule: MajorityRule = serde_json::from_str(&row.get::<String, _>("rule_json")).map_err(corrupt)?;
        let tally = live_tally(connection, meeting_id, poll_id).await?;
        let outcome = phonghop_core::rules::decide(&rule, &tally)
            .map_err(|err| StoreError::Invalid(format!("the poll cannot be decided: {err}")))?;
        sqlx::query("UPDATE polls SET state = 'closed', tally_json = ?, outcome = ?, closed_at = ? WHERE id = ?")
            .bind(serde_json::to_string(&tally).map_err(corrupt)?)
            .bind(outcome_name(outcome))
            .bind(unix_now())
            .bind(i64::from(poll_id))
            .execute(&mut *connection)
            .await?;
        let event = MeetingEvent::PollClosed {
            poll_id,
            tally,
            outcome,
        };
        let seq = append_event(connection, meeting_id, &event).await?;
        record_receipt(connection, receipt, &CommandResult::Logged { seq }).await?;
        tx.commit().await?;
        Ok((seq, event))
    }

    /// Records a member's ballot and their presence; returns once it is committed.
    pub async fn cast_ballot(
        &self,
        meeting_id: u32,
        poll_id: u32,
        user_id: u32,
        choice: Choice,
        receipt: Option<&Receipt>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let connection = &mut *tx.transaction;
        check_receipt(connection, receipt).await?;
        let poll = sqlx::query("SELECT state FROM polls WHERE id = ? AND meeting_id = ?")
            .bind(i64::from(poll_id))
            .bind(i64::from(meeting_id))
            .fetch_optional(&mut *connection)
            .await?
            .ok_or(StoreError::NotFound("poll"))?;
        if poll.get::<String, _>("state") != "open" {
            return Err(StoreError::PollClosed);
        }
        let member = sqlx::query("SELECT role FROM meeting_members WHERE meeting_id = ? AND user_id = ?")
            .bind(i64::from(meeting_id))
            .bind(i64::from(user_id))
            .fetch_optional(&mut *connection)
            .await?;
        match member.map(|row| row.get::<String, _>("role")) {
            Some(role) if role == "chair" || role == "delegate" => {}
            _ => return Err(StoreError::NotAVoter),
        }
        let inserted = sqlx::query("INSERT INTO ballots (poll_id, user_id, choice, cast_at) VALUES (?, ?, ?, ?)")
            .bind(i64::from(poll_id))
            .bind(i64::from(user_id))
            .bind(choice.as_str())
            .bind(unix_now())
            .execute(&mut *connection)
            .await;
        match inserted {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => return Err(StoreError::AlreadyVoted),
            Err(err) => return Err(err.into()),
        }
        sqlx::query("INSERT OR IGNORE INTO attendance (meeting_id, user_id, checked_in_at) VALUES (?, ?, ?)")
            .bind(i64::from(meeting_id))
            .bind(i64::from(user_id))
            .bind(unix_now())
            .execute(&mut *connection)
            .await?;
        record_receipt(connection, receipt, &CommandResult::BallotRecorded { poll_id, choice }).await?;
        tx.commit().await
    }

    /// The polls of a meeting that are open now.
    pub async fn open_poll_ids(&self, meeting_id: u32) -> Result<Vec<u32>> {
        let rows = sqlx::query("SELECT id FROM polls WHERE meeting_id = ? AND state = 'open' ORDER BY id")
            .bind(i64::from(meeting_id))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(|row| row.get::<i64, _>("id") as u32).collect())
    }

    /// Live counts of a poll: its ballots and the meeting's members and attendance now.
    pub async fn tally(&self, meeting_id: u32, poll_id: u32) -> Result<Tally> {
        let mut connection = self.pool().acquire().await?;
        live_tally(&mut connection, meeting_id, poll_id).await
    }

    /// The ballots `user_id` cast in the meeting's polls.
    pub async fn my_ballots(&self, meeting_id: u32, user_id: u32) -> Result<Vec<MyBallot>> {
        let rows = sqlx::query(
            "SELECT b.poll_id, b.choice FROM ballots b JOIN polls p ON p.id = b.poll_id
             WHERE p.meeting_id = ? AND b.user_id = ? ORDER BY b.poll_id",
        )
        .bind(i64::from(meeting_id))
        .bind(i64::from(user_id))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let choice: String = row.get("choice");
                Ok(MyBallot {
                    poll_id: row.get::<i64, _>("poll_id") as u32,
                    choice: Choice::parse(&choice).ok_or_else(|| corrupt(format!("unknown choice {choice:?}")))?,
                })
            })
            .collect()
    }
}
