//! Meetings, members, attendance, the agenda, snapshots and the per-meeting event log.

use phonghop_protocol::{AgendaItem, Meeting, MeetingEvent, MeetingState, MeetingSummary, Role};
use sqlx::{Row, SqliteConnection};

use phonghop_protocol::CommandResult;

use crate::{check_receipt, record_receipt, unix_now, Receipt, Result, Store, StoreError};

pub(crate) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Chair => "chair",
        Role::Secretariat => "secretariat",
        Role::Delegate => "delegate",
    }
}

fn parse_role(text: &str) -> Result<Role> {
    match text {
        "chair" => Ok(Role::Chair),
        "secretariat" => Ok(Role::Secretariat),
        "delegate" => Ok(Role::Delegate),
        other => Err(StoreError::Corrupt(format!("unknown role {other:?}"))),
    }
}

/// Appends `event` to the meeting's log inside `connection`'s transaction and returns its seq,
/// one more than the last; the write lock makes the read-then-insert safe.
pub(crate) async fn append_event(
    connection: &mut SqliteConnection,
    meeting_id: u32,
    event: &MeetingEvent,
) -> Result<u32> {
    let payload = serde_json::to_string(event).map_err(|err| StoreError::Corrupt(err.to_string()))?;
    let row = sqlx::query(
        "INSERT INTO events (meeting_id, seq, payload, at)
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE meeting_id = ?1), ?2, ?3)
         RETURNING seq",
    )
    .bind(i64::from(meeting_id))
    .bind(payload)
    .bind(unix_now())
    .fetch_one(connection)
    .await?;
    Ok(row.get::<i64, _>("seq") as u32)
}

impl Store {
    pub async fn create_meeting(&self, title: &str, location: &str, starts_at: &str) -> Result<Meeting> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "INSERT INTO meetings (title, location, starts_at, created_at) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(title)
        .bind(location)
        .bind(starts_at)
        .bind(unix_now())
        .fetch_one(&mut *tx.transaction)
        .await?;
        tx.commit().await?;
        Ok(Meeting {
            id: row.get::<i64, _>("id") as u32,
            title: title.to_owned(),
            location: location.to_owned(),
            starts_at: starts_at.to_owned(),
        })
    }

    /// Adds a member, or changes the role of one already there.
    pub async fn set_member(&self, meeting_id: u32, user_id: u32, role: Role) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO meeting_members (meeting_id, user_id, role) VALUES (?, ?, ?)
             ON CONFLICT (meeting_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(i64::from(meeting_id))
        .bind(i64::from(user_id))
        .bind(role_name(role))
        .execute(&mut *tx.transaction)
        .await?;
        tx.commit().await
    }

    pub async fn member_role(&self, meeting_id: u32, user_id: u32) -> Result<Option<Role>> {
        let row = sqlx::query("SELECT role FROM meeting_members WHERE meeting_id = ? AND user_id = ?")
            .bind(i64::from(meeting_id))
            .bind(i64::from(user_id))
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| parse_role(row.get("role"))).transpose()
    }

    pub async fn meetings_of(&self, user_id: u32) -> Result<Vec<MeetingSummary>> {
        let rows = sqlx::query(
            "SELECT m.id, m.title, m.location, m.starts_at, mm.role FROM meetings m
             JOIN meeting_members mm ON mm.meeting_id = m.id WHERE mm.user_id = ? ORDER BY m.id",
        )
        .bind(i64::from(user_id))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(MeetingSummary {
                    id: row.get::<i64, _>("id") as u32,
                    title: row.get("title"),
                    location: row.get("location"),
                    starts_at: row.get("starts_at"),
                    role: parse_role(row.get("role"))?,
                })
            })
            .collect()
    }

    /// Records a voting member as present (self check-in); repeating it changes nothing.
    /// True when this call checked the member in.
    pub async fn check_in(&self, meeting_id: u32, user_id: u32) -> Result<bool> {
        let mut tx = self.write().await?;
        let inserted =
            sqlx::query("INSERT OR IGNORE INTO attendance (meeting_id, user_id, checked_in_at) VALUES (?, ?, ?)")
                .bind(i64::from(meeting_id))
                .bind(i64::from(user_id))
                .bind(unix_now())
                .execute(&mut *tx.transaction)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(inserted == 1)
    }

    pub async fn last_seq(&self, meeting_id: u32) -> Result<u32> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE meeting_id = ?")
            .bind(i64::from(meeting_id))
            .fetch_one(self.pool())
            .await?;
        Ok(row.get::<i64, _>("seq") as u32)
    }

    /// Up to `limit` events after `seq`, in order.
    pub async fn events_after(&self, meeting_id: u32, seq: u32, limit: u32) -> Result<Vec<(u32, MeetingEvent)>> {
        let rows = sqlx::query("SELECT seq, payload FROM events WHERE meeting_id = ? AND seq > ? ORDER BY seq LIMIT ?")
            .bind(i64::from(meeting_id))
            .bind(i64::from(seq))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let payload: String = row.get("payload");
                let event = serde_json::from_str(&payload).map_err(|err| StoreError::Corrupt(err.to_string()))?;
                Ok((row.get::<i64, _>("seq") as u32, event))
            })
            .collect()
    }

    /// The whole meeting and the seq it is at, read in one transaction so both agree.
    pub async fn snapshot(&self, meeting_id: u32) -> Result<(u32, MeetingState)> {
        let mut tx = self.pool().begin().await?;
        let connection = &mut *tx;
        let meeting_row = sqlx::query("SELECT id, title, location, starts_at FROM meetings WHERE id = ?")
            .bind(i64::from(meeting_id))
            .fetch_optional(&mut *connection)
            .await?
            .ok_or(StoreError::NotFound("meeting"))?;
        let meeting = Meeting {
            id: meeting_id,
            title: meeting_row.get("title"),
            location: meeting_row.get("location"),
            starts_at: meeting_row.get("starts_at"),
        };
        let mut items = agenda_items(connection, meeting_id).await?;
        let documents = crate::documents::documents_of_meeting(connection, meeting_id).await?;
        for document in documents {
            if let Some(item) = items.iter_mut().find(|item| item.id == document.item_id) {
                item.documents.push(document);
            }
        }
        let polls = crate::polls::polls_of_meeting(connection, meeting_id).await?;
        let seq_row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE meeting_id = ?")
            .bind(i64::from(meeting_id))
            .fetch_one(&mut *connection)
            .await?;
        tx.commit().await?;
        Ok((
            seq_row.get::<i64, _>("seq") as u32,
            MeetingState { meeting, items, polls },
        ))
    }

    pub async fn add_agenda_item(
        &self,
        meeting_id: u32,
        title: &str,
        description: &str,
        receipt: Option<&Receipt>,
    ) -> Result<(u32, MeetingEvent)> {
        let mut tx = self.write().await?;
        let connection = &mut *tx.transaction;
        check_receipt(connection, receipt).await?;
        let row = sqlx::query(
            "INSERT INTO agenda_items (meeting_id, position, title, description)
             VALUES (?1, (SELECT COUNT(*) FROM agenda_items WHERE meeting_id = ?1), ?2, ?3)
             RETURNING id, position",
        )
        .bind(i64::from(meeting_id))
        .bind(title)
        .bind(description)
        .fetch_one(&mut *connection)
        .await?;
        let item = AgendaItem {
            id: row.get::<i64, _>("id") as u32,
            position: row.get::<i64, _>("position") as u32,
            title: title.to_owned(),
            description: description.to_owned(),
            documents: vec![],
        };
        let event = MeetingEvent::AgendaItemAdded { item };
        let seq = append_event(connection, meeting_id, &event).await?;
        record_receipt(connection, receipt, &CommandResult::Logged { seq }).await?;
        tx.commit().await?;
        Ok((seq, event))
    }

    pub async fn edit_agenda_item(
        &self,
        meeting_id: u32,
        item_id: u32,
        title: &str,
        description: &str,
        receipt: Option<&Receipt>,
    ) -> Result<(u32, MeetingEvent)> {
        let mut tx = self.write().await?;
        let connection = &mut *tx.transaction;
        check_receipt(connection, receipt).await?;
        let changed = sqlx::query("UPDATE agenda_items SET title = ?, description = ? WHERE id = ? AND meeting_id = ?")
            .bind(title)
            .bind(description)
            .bind(i64::from(item_id))
            .bind(i64::from(meeting_id))
            .execute(&mut *connection)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound("agenda item"));
        }
        let event = MeetingEvent::AgendaItemEdited {
            item_id,
            title: title.to_owned(),
            description: description.to_owned(),
        };
        let seq = append_event(connection, meeting_id, &event).await?;
        record_receipt(connection, receipt, &CommandResult::Logged { seq }).await?;
        tx.commit().await?;
        Ok((seq, event))
    }

    /// Puts the agenda in the order of `item_ids`, which must name every item exactly once.
    pub async fn reorder_agenda(
        &self,
        meeting_id: u32,
        item_ids: &[u32],
        receipt: Option<&Receipt>,
    ) -> Result<(u32, MeetingEvent)> {
        let mut tx = self.write().await?;
        let connection = &mut *tx.transaction;
        check_receipt(connection, receipt).await?;
        let current: Vec<u32> = agenda_items(connection, meeting_id)
            .await?
            .iter()
            .map(|item| item.id)
            .collect();
        phonghop_core::agenda::check_reorder(&current, item_ids).map_err(|err| StoreError::Invalid(err.to_string()))?;
        for (position, id) in item_ids.iter().enumerate() {
            sqlx::query("UPDATE agenda_items SET position = ? WHERE id = ?")
                .bind(position as i64)
                .bind(i64::from(*id))
                .execute(&mut *connection)
                .await?;
        }
        let event = MeetingEvent::AgendaReordered {
            item_ids: item_ids.to_vec(),
        };
        let seq = append_event(connection, meeting_id, &event).await?;
        record_receipt(connection, receipt, &CommandResult::Logged { seq }).await?;
        tx.commit().await?;
        Ok((seq, event))
    }

    /// The agenda item, if it belongs to this meeting.
    pub async fn item_in_meeting(&self, meeting_id: u32, item_id: u32) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM agenda_items WHERE id = ? AND meeting_id = ?")
            .bind(i64::from(item_id))
            .bind(i64::from(meeting_id))
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }
}

async fn agenda_items(connection: &mut SqliteConnection, meeting_id: u32) -> Result<Vec<AgendaItem>> {
    let rows = sqlx::query(
        "SELECT id, position, title, description FROM agenda_items WHERE meeting_id = ? ORDER BY position, id",
    )
    .bind(i64::from(meeting_id))
    .fetch_all(connection)
    .await?;
    Ok(rows
        .iter()
        .map(|row| AgendaItem {
            id: row.get::<i64, _>("id") as u32,
            position: row.get::<i64, _>("position") as u32,
            title: row.get("title"),
            description: row.get("description"),
            documents: vec![],
        })
        .collect())
}

impl Store {
    /// The oldest meeting, if there is any.
    pub async fn first_meeting_id(&self) -> Result<Option<u32>> {
        let row = sqlx::query("SELECT MIN(id) AS id FROM meetings")
            .fetch_one(self.pool())
            .await?;
        Ok(row.get::<Option<i64>, _>("id").map(|id| id as u32))
    }
}
