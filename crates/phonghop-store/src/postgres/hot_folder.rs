//! The hot folder's state: the files it took and the agenda items it created from folder names.

use phonghop_protocol::{DocumentId, ItemId, MeetingId, Sha256};
use sqlx::{PgPool, Row};

use super::{corrupt, id, unix_now};
use crate::{HotFolderFile, Result};

pub(super) async fn files(pool: &PgPool) -> Result<Vec<HotFolderFile>> {
    let rows = sqlx::query(
        "SELECT meeting_id, item_id, file_name, path, sha256, size, mtime_ns, document_id, revision, taken_at
         FROM hot_folder_files ORDER BY meeting_id, item_id, file_name",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let number = |column: &str| row.get::<i64, _>(column) as u32;
            Ok(HotFolderFile {
                meeting_id: MeetingId(number("meeting_id")),
                item_id: ItemId(number("item_id")),
                file_name: row.get("file_name"),
                path: row.get("path"),
                sha256: Sha256::parse(row.get("sha256")).map_err(corrupt)?,
                size: row.get::<i64, _>("size") as u64,
                mtime_ns: row.get("mtime_ns"),
                document_id: DocumentId(number("document_id")),
                revision: number("revision"),
                taken_at: row.get("taken_at"),
            })
        })
        .collect()
}

pub(super) async fn record_file(pool: &PgPool, file: &HotFolderFile) -> Result<()> {
    sqlx::query(
        "INSERT INTO hot_folder_files
             (meeting_id, item_id, file_name, path, sha256, size, mtime_ns, document_id, revision, taken_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (meeting_id, item_id, file_name) DO UPDATE SET
             path = excluded.path, sha256 = excluded.sha256, size = excluded.size,
             mtime_ns = excluded.mtime_ns, document_id = excluded.document_id,
             revision = excluded.revision, taken_at = excluded.taken_at",
    )
    .bind(id(file.meeting_id.0))
    .bind(id(file.item_id.0))
    .bind(&file.file_name)
    .bind(&file.path)
    .bind(file.sha256.as_str())
    .bind(file.size as i64)
    .bind(file.mtime_ns)
    .bind(id(file.document_id.0))
    .bind(id(file.revision))
    .bind(file.taken_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn item(pool: &PgPool, meeting: MeetingId, folder_name: &str) -> Result<Option<ItemId>> {
    let row = sqlx::query("SELECT item_id FROM hot_folder_items WHERE meeting_id = $1 AND folder_name = $2")
        .bind(id(meeting.0))
        .bind(folder_name)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|row| ItemId(row.get::<i64, _>("item_id") as u32)))
}

pub(super) async fn record_item(pool: &PgPool, meeting: MeetingId, folder_name: &str, item: ItemId) -> Result<()> {
    sqlx::query(
        "INSERT INTO hot_folder_items (meeting_id, folder_name, item_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (meeting_id, folder_name) DO NOTHING",
    )
    .bind(id(meeting.0))
    .bind(folder_name)
    .bind(id(item.0))
    .bind(unix_now())
    .execute(pool)
    .await?;
    Ok(())
}
