//! What a search answers: for each page the index found, a passage around the first match and
//! where every match is, found again in the page's own text with the same folding
//! (`phonghop_core::search`), so the words are shown as the document writes them.

use phonghop_core::search::match_page;
use phonghop_protocol::http::{SearchHit, SearchResponse, TextRange};
use phonghop_store::PageHit;

/// The answer for `pages` (the index's best first), pages where the words stand together as
/// typed put before pages that only hold them apart, at most `limit`.
pub fn hits(query: String, pages: Vec<PageHit>, limit: usize) -> SearchResponse {
    let mut hits: Vec<(bool, SearchHit)> = pages.into_iter().filter_map(|page| hit(&query, page)).collect();
    // Stable: the index's order holds within each group.
    hits.sort_by_key(|(together, _)| !together);
    SearchResponse {
        query,
        hits: hits.into_iter().take(limit).map(|(_, hit)| hit).collect(),
    }
}

/// A page's hit, and whether the words stand together on it. `None` if the words are not all
/// there after all (the index matches whole folded tokens a little more loosely).
fn hit(query: &str, page: PageHit) -> Option<(bool, SearchHit)> {
    let found = match_page(&page.text, query)?;
    let hit = SearchHit {
        document_id: page.document_id,
        revision: page.revision,
        page: page.page_index,
        snippet: found.snippet,
        snippet_marks: vec![TextRange::from(found.snippet_mark)],
        page_marks: found.marks.into_iter().map(TextRange::from).collect(),
    };
    Some((found.together, hit))
}
