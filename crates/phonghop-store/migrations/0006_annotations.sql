-- Annotations: each member's highlights, ink and notes, kept per author (private unless shared)
-- and synced with their laptops; never part of the meeting's log. One row per (author, id): the
-- last change by (changed_at, device), deletions kept as rows so every laptop learns of them.
-- `seq` numbers the changes of a meeting's annotations, so a laptop asks only for what changed
-- since it last synced; `ever_shared` tells whether other members may learn that it changed
-- (an annotation never shared is never mentioned to them, not even by its id).
CREATE TABLE annotations (
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    author_id   INTEGER NOT NULL REFERENCES users(id),
    id          TEXT NOT NULL,
    document_id INTEGER NOT NULL,
    shared      INTEGER NOT NULL,
    ever_shared INTEGER NOT NULL,
    deleted     INTEGER NOT NULL,
    changed_at  INTEGER NOT NULL,
    device      TEXT NOT NULL,
    annotation  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, author_id, id)
);
CREATE INDEX annotations_by_seq ON annotations (meeting_id, seq);

CREATE TABLE annotation_clocks (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings(id),
    seq        INTEGER NOT NULL
);
