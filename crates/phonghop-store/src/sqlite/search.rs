//! The search index of a meeting's documents: SQLite FTS5 over each current revision's pages,
//! folded with `phonghop_core::search` so that "phong hop", "phòng họp" and "PHÒNG HỌP" are one
//! query. FTS5 rather than a search library: the index then lives in the same file and the same
//! transaction as the pages it indexes, so it is never out of step with them after a crash.

use phonghop_core::search::{folded, words};
use phonghop_protocol::{DocumentId, MeetingId};
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::id;
use crate::{PageHit, Result};

/// Makes `texts` (the pages of a document's new current revision) what the index holds for it.
pub(super) async fn index_pages(
    connection: &mut SqliteConnection,
    meeting_id: i64,
    document_id: DocumentId,
    revision: u32,
    texts: impl Iterator<Item = &str>,
) -> Result<()> {
    sqlx::query("DELETE FROM page_search WHERE meeting_id = ? AND document_id = ?")
        .bind(meeting_id)
        .bind(id(document_id.0))
        .execute(&mut *connection)
        .await?;
    for (page_index, text) in texts.enumerate() {
        sqlx::query(
            "INSERT INTO page_search (folded, meeting_id, document_id, revision, page_index) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(folded(text))
        .bind(meeting_id)
        .bind(id(document_id.0))
        .bind(id(revision))
        .bind(page_index as i64)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// Indexes the current revision of every document the index does not know yet (documents taken
/// in before the index existed).
pub(super) async fn index_missing(pool: &SqlitePool) -> Result<()> {
    let missing = sqlx::query(
        "SELECT r.meeting_id, r.document_id, MAX(r.revision) AS revision FROM document_revisions r
         WHERE NOT EXISTS (SELECT 1 FROM page_search s
                           WHERE s.meeting_id = r.meeting_id AND s.document_id = r.document_id)
         GROUP BY r.meeting_id, r.document_id",
    )
    .fetch_all(pool)
    .await?;
    for row in missing {
        let (meeting_id, document_id, revision): (i64, i64, i64) =
            (row.get("meeting_id"), row.get("document_id"), row.get("revision"));
        let mut transaction = pool.begin().await?;
        let (meeting, document) = (MeetingId(meeting_id as u32), DocumentId(document_id as u32));
        let texts = super::meetings::revision_texts(&mut transaction, meeting, document, revision as u32).await?;
        index_pages(
            &mut transaction,
            meeting_id,
            document,
            revision as u32,
            texts.iter().map(String::as_str),
        )
        .await?;
        transaction.commit().await?;
    }
    Ok(())
}

/// The pages of the meeting's documents (current revisions) holding every word of `query`, the
/// last word also as the start of a longer one (a person still typing), best first.
pub(super) async fn search(pool: &SqlitePool, meeting: MeetingId, query: &str, limit: u32) -> Result<Vec<PageHit>> {
    let Some(matching) = fts_query(query) else {
        return Ok(vec![]);
    };
    let rows = sqlx::query(
        "SELECT s.document_id, s.revision, s.page_index, p.text
         FROM page_search s
         JOIN revision_pages p ON p.meeting_id = s.meeting_id AND p.document_id = s.document_id
                              AND p.revision = s.revision AND p.page_index = s.page_index
         WHERE page_search MATCH ? AND s.meeting_id = ?
         ORDER BY rank, s.document_id, s.page_index
         LIMIT ?",
    )
    .bind(matching)
    .bind(id(meeting.0))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| PageHit {
            document_id: DocumentId(row.get::<i64, _>("document_id") as u32),
            revision: row.get::<i64, _>("revision") as u32,
            page_index: row.get::<i64, _>("page_index") as u32,
            text: row.get("text"),
        })
        .collect())
}

/// An FTS5 query for `query`: its folded words, each a quoted string (so nothing in it is FTS5
/// syntax), the last one a prefix. `None` when it has no word.
fn fts_query(query: &str) -> Option<String> {
    let words = words(query);
    let (last, others) = words.split_last()?;
    let quoted = |word: &str| format!("\"{}\"", word.replace('"', "\"\""));
    let mut terms: Vec<String> = others.iter().map(|word| quoted(word)).collect();
    terms.push(format!("{}*", quoted(last)));
    Some(terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn queries_are_folded_words_and_never_fts5_syntax() {
        assert_eq!(
            fts_query("Phòng HỌP không").as_deref(),
            Some(r#""phong" "hop" "khong"*"#)
        );
        assert_eq!(
            fts_query("NEAR(\"a\" OR b*)").as_deref(),
            Some(r#""near" "a" "or" "b"*"#)
        );
        assert_eq!(fts_query("Đ/12-NQ").as_deref(), Some(r#""d" "12" "nq"*"#));
        assert_eq!(fts_query("  … ").as_deref(), None);
    }
}
