//! Read receipts waiting for the server: a document downloaded or opened while the server could
//! not be reached is reported when it can be, under the person who did it.

use phonghop_protocol::http::ReceiptKind;
use phonghop_protocol::{DocumentId, ErrorCode, MeetingId, Sha256};
use sqlx::Row;

use super::DocumentCache;
use crate::error::{ClientError, Result};
use crate::session::Session;

/// One receipt not yet accepted by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsentReceipt {
    pub meeting_id: MeetingId,
    pub document_id: DocumentId,
    pub sha256: Sha256,
    pub event: ReceiptKind,
}

fn event_name(event: ReceiptKind) -> &'static str {
    match event {
        ReceiptKind::Downloaded => "downloaded",
        ReceiptKind::Opened => "opened",
    }
}

impl DocumentCache {
    /// Keeps a receipt of `session`'s person until the server has it.
    pub async fn queue_receipt(&self, session: &Session, receipt: &UnsentReceipt) -> Result<()> {
        self.on_receipt(
            "INSERT OR IGNORE INTO unsent_receipts (server, user_id, meeting_id, document_id, sha256, event)
             VALUES (?, ?, ?, ?, ?, ?)",
            session,
            receipt,
        )
        .await
    }

    /// Runs `sql` with a receipt's six columns bound in the table's order.
    async fn on_receipt(&self, sql: &str, session: &Session, receipt: &UnsentReceipt) -> Result<()> {
        sqlx::query(sql)
            .bind(&session.server)
            .bind(i64::from(session.user.id.0))
            .bind(i64::from(receipt.meeting_id.0))
            .bind(i64::from(receipt.document_id.0))
            .bind(receipt.sha256.as_str())
            .bind(event_name(receipt.event))
            .execute(&self.index)
            .await?;
        Ok(())
    }

    /// The receipts of `session`'s person on its server not sent yet, in the order they happened.
    pub async fn unsent_receipts(&self, session: &Session) -> Result<Vec<UnsentReceipt>> {
        let rows = sqlx::query(
            "SELECT meeting_id, document_id, sha256, event FROM unsent_receipts
             WHERE server = ? AND user_id = ? ORDER BY rowid",
        )
        .bind(&session.server)
        .bind(i64::from(session.user.id.0))
        .fetch_all(&self.index)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                Some(UnsentReceipt {
                    meeting_id: MeetingId(row.get::<i64, _>("meeting_id") as u32),
                    document_id: DocumentId(row.get::<i64, _>("document_id") as u32),
                    sha256: Sha256::parse(row.get::<&str, _>("sha256")).ok()?,
                    event: match row.get::<&str, _>("event") {
                        "opened" => ReceiptKind::Opened,
                        _ => ReceiptKind::Downloaded,
                    },
                })
            })
            .collect())
    }

    /// Sends the receipts waiting for `session`'s person; how many the server took. Stops at the
    /// first that cannot reach the server or whose session ended (the rest wait for the next try); one the server refuses
    /// (a document since removed, a meeting left) is dropped, as sending it again cannot help.
    pub async fn send_receipts(&self, session: &Session) -> Result<usize> {
        let mut sent = 0;
        for receipt in self.unsent_receipts(session).await? {
            match session
                .report_receipt(receipt.meeting_id, receipt.document_id, &receipt.sha256, receipt.event)
                .await
            {
                Ok(()) => sent += 1,
                // The session ended: the person logs in again and the receipts go then.
                Err(ClientError::Unreachable(_)) => return Ok(sent),
                Err(error) if matches!(error.code(), Some(ErrorCode::Unauthenticated | ErrorCode::TokenExpired)) => {
                    return Ok(sent)
                }
                Err(error) => tracing::warn!(%error, document = %receipt.document_id, "read receipt refused"),
            }
            self.on_receipt(
                "DELETE FROM unsent_receipts
                 WHERE server = ? AND user_id = ? AND meeting_id = ? AND document_id = ? AND sha256 = ? AND event = ?",
                session,
                &receipt,
            )
            .await?;
        }
        Ok(sent)
    }
}
