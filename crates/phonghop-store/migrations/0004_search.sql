-- The search index: one row per page of each document's current revision, its text folded the
-- way people type when searching (phonghop-core's `search::folded`: no accents, đ → d, lower
-- case, whitespace runs as one space). Filled by the store when pages are indexed; the pages of
-- documents taken in before this migration are added when the store opens.
CREATE VIRTUAL TABLE page_search USING fts5(
    folded,
    meeting_id UNINDEXED,
    document_id UNINDEXED,
    revision UNINDEXED,
    page_index UNINDEXED,
    tokenize = 'unicode61'
);
