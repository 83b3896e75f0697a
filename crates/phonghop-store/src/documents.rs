//! Blobs (document bytes by SHA-256) and documents with their per-page text.

use phonghop_protocol::{Document, MeetingEvent};
use sqlx::{Row, SqliteConnection};

use crate::meetings::append_event;
use crate::{unix_now, Result, Store, StoreError};

/// One indexed page of an uploaded PDF.
#[derive(Debug, Clone)]
pub struct NewPage {
    pub width_pt: f32,
    pub height_pt: f32,
    pub text: String,
}

/// A validated, indexed upload whose blob is already on disk.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub item_id: u32,
    pub title: String,
    pub file_name: String,
    pub sha256: String,
    pub size: u64,
    pub pages: Vec<NewPage>,
}

fn document_from_row(row: &sqlx::sqlite::SqliteRow) -> Document {
    Document {
        id: row.get::<i64, _>("id") as u32,
        item_id: row.get::<i64, _>("item_id") as u32,
        title: row.get("title"),
        file_name: row.get("file_name"),
        sha256: row.get("sha256"),
        size: row.get::<i64, _>("size") as u64,
        page_count: row.get::<i64, _>("page_count") as u32,
    }
}

pub(crate) async fn documents_of_meeting(connection: &mut SqliteConnection, meeting_id: u32) -> Result<Vec<Document>> {
    let rows = sqlx::query(
        "SELECT id, item_id, title, file_name, sha256, size, page_count FROM documents
         WHERE meeting_id = ? ORDER BY id",
    )
    .bind(i64::from(meeting_id))
    .fetch_all(connection)
    .await?;
    Ok(rows.iter().map(document_from_row).collect())
}

impl Store {
    /// Stores a document of an agenda item with its pages' text, and logs it.
    pub async fn add_document(&self, meeting_id: u32, new: &NewDocument) -> Result<(u32, MeetingEvent)> {
        let mut tx = self.write().await?;
        let connection = &mut *tx.transaction;
        let item = sqlx::query("SELECT 1 FROM agenda_items WHERE id = ? AND meeting_id = ?")
            .bind(i64::from(new.item_id))
            .bind(i64::from(meeting_id))
            .fetch_optional(&mut *connection)
            .await?;
        if item.is_none() {
            return Err(StoreError::NotFound("agenda item"));
        }
        sqlx::query("INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)")
            .bind(&new.sha256)
            .bind(new.size as i64)
            .bind(unix_now())
            .execute(&mut *connection)
            .await?;
        let row = sqlx::query(
            "INSERT INTO documents (meeting_id, item_id, title, file_name, sha256, size, page_count, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(i64::from(meeting_id))
        .bind(i64::from(new.item_id))
        .bind(&new.title)
        .bind(&new.file_name)
        .bind(&new.sha256)
        .bind(new.size as i64)
        .bind(new.pages.len() as i64)
        .bind(unix_now())
        .fetch_one(&mut *connection)
        .await?;
        let document_id = row.get::<i64, _>("id");
        for (index, page) in new.pages.iter().enumerate() {
            sqlx::query(
                "INSERT INTO document_pages (document_id, page_index, width_pt, height_pt, text) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(document_id)
            .bind(index as i64)
            .bind(f64::from(page.width_pt))
            .bind(f64::from(page.height_pt))
            .bind(&page.text)
            .execute(&mut *connection)
            .await?;
        }
        let document = Document {
            id: document_id as u32,
            item_id: new.item_id,
            title: new.title.clone(),
            file_name: new.file_name.clone(),
            sha256: new.sha256.clone(),
            size: new.size,
            page_count: new.pages.len() as u32,
        };
        let event = MeetingEvent::DocumentAdded { document };
        let seq = append_event(connection, meeting_id, &event).await?;
        tx.commit().await?;
        Ok((seq, event))
    }

    /// Whether `user_id` may read the blob: it belongs to a document of one of their meetings.
    pub async fn blob_visible_to(&self, sha256: &str, user_id: u32) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM documents d JOIN meeting_members mm ON mm.meeting_id = d.meeting_id
             WHERE d.sha256 = ? AND mm.user_id = ? LIMIT 1",
        )
        .bind(sha256)
        .bind(i64::from(user_id))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.is_some())
    }

    /// The text of one page, as indexed at upload.
    pub async fn page_text(&self, document_id: u32, page_index: u32) -> Result<Option<String>> {
        let row = sqlx::query("SELECT text FROM document_pages WHERE document_id = ? AND page_index = ?")
            .bind(i64::from(document_id))
            .bind(i64::from(page_index))
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|row| row.get("text")))
    }
}
