-- Who has each revision of a document on their laptop and who opened it: what the secretariat
-- sees, and councillors are told is recorded. Recorded as the app reports it; not part of the
-- meeting's log. A later report never moves an earlier time.
CREATE TABLE read_receipts (
    meeting_id    INTEGER NOT NULL,
    document_id   INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    downloaded_at INTEGER,
    opened_at     INTEGER,
    PRIMARY KEY (meeting_id, document_id, revision, user_id),
    FOREIGN KEY (meeting_id, document_id, revision)
        REFERENCES document_revisions(meeting_id, document_id, revision)
);
