//! What a search answers: for each page the index found, a passage around the first match and
//! where every match is, found again in the page's own text with the same folding
//! (`phonghop_core::search`), so the words are shown as the document writes them.

use phonghop_core::search::{find, snippet, words};
use phonghop_protocol::http::{SearchHit, SearchResponse, TextRange};
use phonghop_store::PageHit;

/// Characters of context on each side of a match in a passage.
const CONTEXT_CHARS: usize = 60;

/// The answer for `pages` (the index's best first), pages where the words stand together as
/// typed put before pages that only hold them apart, at most `limit`.
pub fn hits(query: String, pages: Vec<PageHit>, limit: usize) -> SearchResponse {
    let mut hits: Vec<(bool, SearchHit)> = pages.into_iter().map(|page| hit(&query, page)).collect();
    // Stable: the index's order holds within each group.
    hits.sort_by_key(|(together, _)| !together);
    SearchResponse {
        query,
        hits: hits.into_iter().take(limit).map(|(_, hit)| hit).collect(),
    }
}

/// A page's hit, and whether the words stand together on it.
fn hit(query: &str, page: PageHit) -> (bool, SearchHit) {
    let mut found = find(&page.text, query);
    let together = !found.is_empty();
    if !together {
        // The words are on the page, not side by side: each word is marked.
        found = words(query).iter().flat_map(|word| find(&page.text, word)).collect();
        found.sort_by_key(|range| range.start);
    }
    let (passage, mark) = match found.first() {
        Some(first) => {
            let (passage, mark) = snippet(&page.text, first.clone(), CONTEXT_CHARS);
            (passage, vec![TextRange::from(mark)])
        }
        None => (snippet(&page.text, 0..0, 2 * CONTEXT_CHARS).0, vec![]),
    };
    let hit = SearchHit {
        document_id: page.document_id,
        revision: page.revision,
        page: page.page_index,
        snippet: passage,
        snippet_marks: mark,
        page_marks: found.into_iter().map(TextRange::from).collect(),
    };
    (together, hit)
}
