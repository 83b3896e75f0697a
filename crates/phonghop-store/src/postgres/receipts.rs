//! Read receipts: when each member had a revision of a document on their laptop and when they
//! opened it, kept as the first report of each.

use phonghop_protocol::{DocumentId, MeetingId, Sha256, UserId, UserView};
use sqlx::{PgPool, Row};

use phonghop_protocol::http::{DocumentReceipts, MemberReceipt, ReceiptKind};

use super::{id, unix_now};
use crate::Result;

/// Records `event` by `user` for the revision of `document` whose PDF is `sha256`; false if no
/// revision of that document has that PDF.
pub(super) async fn record(
    pool: &PgPool,
    meeting: MeetingId,
    document: DocumentId,
    sha256: &Sha256,
    user: UserId,
    event: ReceiptKind,
) -> Result<bool> {
    let revision: Option<i64> = sqlx::query_scalar(
        "SELECT revision FROM document_revisions WHERE meeting_id = $1 AND document_id = $2 AND sha256 = $3
         ORDER BY revision DESC LIMIT 1",
    )
    .bind(id(meeting.0))
    .bind(id(document.0))
    .bind(sha256.as_str())
    .fetch_optional(pool)
    .await?;
    let Some(revision) = revision else {
        return Ok(false);
    };
    let now = unix_now();
    // Opening a document means it is on the laptop too.
    let (downloaded, opened) = match event {
        ReceiptKind::Downloaded => (Some(now), None),
        ReceiptKind::Opened => (Some(now), Some(now)),
    };
    sqlx::query(
        "INSERT INTO read_receipts (meeting_id, document_id, revision, user_id, downloaded_at, opened_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (meeting_id, document_id, revision, user_id) DO UPDATE SET
             downloaded_at = COALESCE(read_receipts.downloaded_at, excluded.downloaded_at),
             opened_at = COALESCE(read_receipts.opened_at, excluded.opened_at)",
    )
    .bind(id(meeting.0))
    .bind(id(document.0))
    .bind(revision)
    .bind(id(user.0))
    .bind(downloaded)
    .bind(opened)
    .execute(pool)
    .await?;
    Ok(true)
}

/// For the current revision of each document of the meeting, every member with what they have
/// done (`None` times where they have not), documents and members in id order.
pub(super) async fn of_meeting(pool: &PgPool, meeting: MeetingId) -> Result<Vec<DocumentReceipts>> {
    let rows = sqlx::query(
        "SELECT d.id AS document_id, MAX(r.revision) AS revision,
                u.id AS user_id, u.username, u.full_name, u.position,
                MAX(rr.downloaded_at) AS downloaded_at, MAX(rr.opened_at) AS opened_at
         FROM documents d
         JOIN document_revisions r ON r.meeting_id = d.meeting_id AND r.document_id = d.id
         JOIN meeting_members mm ON mm.meeting_id = d.meeting_id
         JOIN users u ON u.id = mm.user_id
         LEFT JOIN read_receipts rr ON rr.meeting_id = d.meeting_id AND rr.document_id = d.id
              AND rr.user_id = u.id
              AND rr.revision = (SELECT MAX(revision) FROM document_revisions
                                 WHERE meeting_id = d.meeting_id AND document_id = d.id)
         WHERE d.meeting_id = $1
         GROUP BY d.id, u.id
         ORDER BY d.id, u.id",
    )
    .bind(id(meeting.0))
    .fetch_all(pool)
    .await?;
    let mut documents: Vec<DocumentReceipts> = Vec::new();
    for row in &rows {
        let document_id = DocumentId(row.get::<i64, _>("document_id") as u32);
        let member = MemberReceipt {
            user: UserView {
                id: UserId(row.get::<i64, _>("user_id") as u32),
                username: row.get("username"),
                full_name: row.get("full_name"),
                position: row.get("position"),
            },
            downloaded_at: row.get::<Option<i64>, _>("downloaded_at").map(|at| at as u64),
            opened_at: row.get::<Option<i64>, _>("opened_at").map(|at| at as u64),
        };
        // Rows come by document, then member: a new document starts a new entry.
        match documents.last_mut() {
            Some(last) if last.document_id == document_id => last.members.push(member),
            _ => documents.push(DocumentReceipts {
                document_id,
                revision: row.get::<i64, _>("revision") as u32,
                members: vec![member],
            }),
        }
    }
    Ok(documents)
}
