-- The first schema of phonghop: accounts, meetings, agenda, documents, polls, ballots, event log.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    full_name     TEXT    NOT NULL,
    position      TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    -- May create meetings and add members (the council's office).
    is_admin      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- Session tokens are stored only as their SHA-256, so a database copy cannot log anyone in.
CREATE TABLE sessions (
    token_hash BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE meetings (
    id         INTEGER PRIMARY KEY,
    title      TEXT    NOT NULL,
    location   TEXT    NOT NULL DEFAULT '',
    starts_at  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE meeting_members (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    role       TEXT    NOT NULL CHECK (role IN ('chair', 'secretariat', 'delegate')),
    PRIMARY KEY (meeting_id, user_id)
);

-- Self check-in: a voting member who subscribed to the meeting or voted counts as present.
CREATE TABLE attendance (
    meeting_id    INTEGER NOT NULL REFERENCES meetings(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    checked_in_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

CREATE TABLE agenda_items (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    position    INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX agenda_items_by_meeting ON agenda_items(meeting_id, position);

-- Content-addressed document bytes; the file lives at <data>/blobs/<sha256[0..2]>/<sha256>.
CREATE TABLE blobs (
    sha256     TEXT    PRIMARY KEY,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE documents (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    item_id    INTEGER NOT NULL REFERENCES agenda_items(id),
    title      TEXT    NOT NULL,
    file_name  TEXT    NOT NULL,
    sha256     TEXT    NOT NULL REFERENCES blobs(sha256),
    size       INTEGER NOT NULL,
    page_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX documents_by_item ON documents(item_id);

-- Text per page, for search; sizes in PDF points.
CREATE TABLE document_pages (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    page_index  INTEGER NOT NULL,
    width_pt    REAL    NOT NULL,
    height_pt   REAL    NOT NULL,
    text        TEXT    NOT NULL,
    PRIMARY KEY (document_id, page_index)
);

CREATE TABLE polls (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    item_id    INTEGER NOT NULL REFERENCES agenda_items(id),
    title      TEXT    NOT NULL,
    rule_json  TEXT    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('open', 'closed')),
    -- Filled when the poll closes: the final counts and the outcome, frozen.
    tally_json TEXT,
    outcome    TEXT,
    opened_at  INTEGER NOT NULL,
    closed_at  INTEGER
);

-- One ballot per member per poll, enforced here and not only in code.
CREATE TABLE ballots (
    poll_id INTEGER NOT NULL REFERENCES polls(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    choice  TEXT    NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    cast_at INTEGER NOT NULL,
    PRIMARY KEY (poll_id, user_id)
);

-- The append-only, gap-free log each meeting's clients follow.
CREATE TABLE events (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    seq        INTEGER NOT NULL,
    payload    TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, seq)
);

-- Results of commands already carried out, by the client's command id, so a client that
-- resends a command (its ack was lost with the connection) gets the same answer again.
CREATE TABLE processed_commands (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    command_id TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    PRIMARY KEY (user_id, command_id)
);
