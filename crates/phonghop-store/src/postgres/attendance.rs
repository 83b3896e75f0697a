//! A meeting's attendance for those who run it: every member with their name, role and mark,
//! and the meeting's quorum counted as the decider counts it before opening a poll.

use phonghop_protocol::http::{AttendanceView, MemberAttendance};
use phonghop_protocol::{AttendanceStatus, MeetingId, UserId, UserView};
use sqlx::{PgPool, Row};

use super::{id, meeting_quorum, parse_attendance, parse_role};
use crate::{Result, StoreError};

pub(super) async fn of_meeting(pool: &PgPool, meeting: MeetingId) -> Result<AttendanceView> {
    let mut tx = super::snapshot(pool).await?;
    let meeting_row = sqlx::query("SELECT kind, quorum_json FROM meetings WHERE id = $1")
        .bind(id(meeting.0))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("meeting"))?;
    let rows = sqlx::query(
        "SELECT u.id, u.username, u.full_name, u.position, m.role, a.status, a.reason
         FROM meeting_members m
         JOIN users u ON u.id = m.user_id
         LEFT JOIN attendance a ON a.meeting_id = m.meeting_id AND a.user_id = m.user_id
         WHERE m.meeting_id = $1 ORDER BY u.id",
    )
    .bind(id(meeting.0))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let quorum = meeting_quorum(meeting_row.get("quorum_json"), meeting_row.get("kind"))?;
    let members = rows
        .iter()
        .map(|row| {
            let status = row.get::<Option<&str>, _>("status").map(parse_attendance).transpose()?;
            Ok(MemberAttendance {
                user: UserView {
                    id: UserId(row.get::<i64, _>("id") as u32),
                    username: row.get("username"),
                    full_name: row.get("full_name"),
                    position: row.get("position"),
                },
                role: parse_role(row.get("role"))?,
                status,
                reason: row.get::<Option<String>, _>("reason").unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let voting = members.iter().filter(|member| phonghop_core::roles::votes(member.role));
    let (voting_members, present) = voting.fold((0, 0), |(all, present), member| {
        (
            all + 1,
            present + u32::from(member.status == Some(AttendanceStatus::Present)),
        )
    });
    Ok(AttendanceView {
        members,
        quorum: phonghop_core::attendance::count(quorum, voting_members, present),
    })
}
