//! The search index of a meeting's documents on PostgreSQL: each current revision's page as its
//! folded words (`phonghop_core::search::words`) in a `tsvector` with a GIN index, so that
//! "phong hop", "phòng họp" and "PHÒNG HỌP" are one query, as with SQLite's FTS5. The words are
//! made by phonghop-core, not by PostgreSQL's parser, so both stores find the same pages.

use phonghop_core::search::words;
use phonghop_protocol::{DocumentId, MeetingId};
use sqlx::{PgConnection, PgPool, Row};

use super::id;
use crate::{PageHit, Result};

/// Makes `texts` (the pages of a document's new current revision) what the index holds for it.
pub(super) async fn index_pages(
    connection: &mut PgConnection,
    meeting_id: i64,
    document_id: DocumentId,
    revision: u32,
    texts: impl Iterator<Item = &str>,
) -> Result<()> {
    sqlx::query("DELETE FROM page_search WHERE meeting_id = $1 AND document_id = $2")
        .bind(meeting_id)
        .bind(id(document_id.0))
        .execute(&mut *connection)
        .await?;
    for (page_index, text) in texts.enumerate() {
        sqlx::query(
            "INSERT INTO page_search (folded, meeting_id, document_id, revision, page_index)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(words(text).join(" "))
        .bind(meeting_id)
        .bind(id(document_id.0))
        .bind(id(revision))
        .bind(page_index as i64)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// The pages of the meeting's documents (current revisions) holding every word of `query`, the
/// last word also as the start of a longer one (a person still typing), best first.
pub(super) async fn search(pool: &PgPool, meeting: MeetingId, query: &str, limit: u32) -> Result<Vec<PageHit>> {
    let Some(matching) = ts_query(query) else {
        return Ok(vec![]);
    };
    let rows = sqlx::query(
        "SELECT s.document_id, s.revision, s.page_index, p.text
         FROM page_search s
         JOIN revision_pages p ON p.meeting_id = s.meeting_id AND p.document_id = s.document_id
                              AND p.revision = s.revision AND p.page_index = s.page_index
         WHERE s.words @@ $1::tsquery AND s.meeting_id = $2
         ORDER BY ts_rank(s.words, $1::tsquery) DESC, s.document_id, s.page_index
         LIMIT $3",
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

/// A `tsquery` for `query`: its folded words, each a quoted lexeme (so nothing in it is tsquery
/// syntax), all required, the last one a prefix. `None` when it has no word.
fn ts_query(query: &str) -> Option<String> {
    let words = words(query);
    let (last, others) = words.split_last()?;
    let quoted = |word: &str| format!("'{}'", word.replace('\\', "\\\\").replace('\'', "''"));
    let mut terms: Vec<String> = others.iter().map(|word| quoted(word)).collect();
    terms.push(format!("{}:*", quoted(last)));
    Some(terms.join(" & "))
}

#[cfg(test)]
mod tests {
    use super::ts_query;

    #[test]
    fn queries_are_folded_words_and_never_tsquery_syntax() {
        assert_eq!(
            ts_query("Phòng HỌP không").as_deref(),
            Some("'phong' & 'hop' & 'khong':*")
        );
        assert_eq!(ts_query("a & !b | c:*").as_deref(), Some("'a' & 'b' & 'c':*"));
        assert_eq!(ts_query("Đ/12-NQ").as_deref(), Some("'d' & '12' & 'nq':*"));
        assert_eq!(ts_query("  … ").as_deref(), None);
    }
}
