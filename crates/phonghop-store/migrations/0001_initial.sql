-- The schema of phonghop: accounts, meetings and their projections, ballots, the event log.
--
-- Each meeting's tables are projections of the facts its decisions produced (see
-- phonghop-core's `Fact`); they change only through `SqliteStore::append`, which also bumps the
-- meeting's `version` so that a decision made on an older state is refused as a conflict.
-- The guarantees the product rests on are held by the database itself, not by the code that
-- writes: the log is append-only and gap-free (triggers), one ballot per voter (primary key),
-- only voters on the poll's roll (foreign key), only into open polls (trigger), each command
-- id once (primary key).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    full_name     TEXT    NOT NULL,
    position      TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    -- The council office: may create meetings and add members to any meeting.
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
    created_at INTEGER NOT NULL,
    -- One more with every append; an append names the version its decisions were made on.
    version    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE meeting_members (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    role       TEXT    NOT NULL CHECK (role IN ('chair', 'secretariat', 'delegate')),
    PRIMARY KEY (meeting_id, user_id)
);

-- Members who checked in to the meeting.
CREATE TABLE attendance (
    meeting_id    INTEGER NOT NULL REFERENCES meetings(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    checked_in_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

-- Item, document and poll ids are numbered from 1 within their meeting.
CREATE TABLE agenda_items (
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    id          INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, id)
);

-- Content-addressed document bytes; the file lives at <data>/blobs/<sha256[0..2]>/<sha256>.
CREATE TABLE blobs (
    sha256     TEXT    PRIMARY KEY,
    size       INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE documents (
    meeting_id INTEGER NOT NULL,
    id         INTEGER NOT NULL,
    item_id    INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    file_name  TEXT    NOT NULL,
    sha256     TEXT    NOT NULL REFERENCES blobs(sha256),
    size       INTEGER NOT NULL,
    page_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, id),
    FOREIGN KEY (meeting_id, item_id) REFERENCES agenda_items(meeting_id, id)
);
CREATE INDEX documents_by_blob ON documents(sha256);

-- Text per page, for search; sizes in PDF points.
CREATE TABLE document_pages (
    meeting_id  INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    page_index  INTEGER NOT NULL,
    width_pt    REAL    NOT NULL,
    height_pt   REAL    NOT NULL,
    text        TEXT    NOT NULL,
    PRIMARY KEY (meeting_id, document_id, page_index),
    FOREIGN KEY (meeting_id, document_id) REFERENCES documents(meeting_id, id)
);

CREATE TABLE polls (
    meeting_id INTEGER NOT NULL,
    id         INTEGER NOT NULL,
    item_id    INTEGER NOT NULL,
    title      TEXT    NOT NULL,
    rule_json  TEXT    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('open', 'closed')),
    -- Filled when the poll closes: the final counts and the outcome, frozen.
    tally_json TEXT,
    outcome    TEXT,
    opened_at  INTEGER NOT NULL,
    closed_at  INTEGER,
    PRIMARY KEY (meeting_id, id),
    FOREIGN KEY (meeting_id, item_id) REFERENCES agenda_items(meeting_id, id)
);

-- A poll's voter roll, fixed when it opens: who may vote, and who was present then.
CREATE TABLE poll_voters (
    meeting_id         INTEGER NOT NULL,
    poll_id            INTEGER NOT NULL,
    user_id            INTEGER NOT NULL REFERENCES users(id),
    present_at_opening INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, poll_id, user_id),
    FOREIGN KEY (meeting_id, poll_id) REFERENCES polls(meeting_id, id)
);

-- One ballot per voter per poll (primary key), only from the poll's roll (foreign key).
CREATE TABLE ballots (
    meeting_id INTEGER NOT NULL,
    poll_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    choice     TEXT    NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    cast_at    INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, poll_id, user_id),
    FOREIGN KEY (meeting_id, poll_id, user_id) REFERENCES poll_voters(meeting_id, poll_id, user_id)
);

CREATE TRIGGER ballots_only_in_open_polls BEFORE INSERT ON ballots
WHEN (SELECT state FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id) IS NOT 'open'
BEGIN
    SELECT RAISE(ABORT, 'a ballot can only be cast in an open poll');
END;

CREATE TRIGGER closed_polls_stay_closed BEFORE UPDATE OF state ON polls
WHEN OLD.state = 'closed'
BEGIN
    SELECT RAISE(ABORT, 'a closed poll cannot be reopened');
END;

-- The append-only, gap-free log each meeting's clients follow.
CREATE TABLE events (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    seq        INTEGER NOT NULL,
    payload    TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, seq)
);

CREATE TRIGGER events_are_gap_free BEFORE INSERT ON events
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE meeting_id = NEW.meeting_id)
BEGIN
    SELECT RAISE(ABORT, 'an event must have the seq after the last one of its meeting');
END;

CREATE TRIGGER events_are_never_changed BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

CREATE TRIGGER events_are_never_removed BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

-- Results of commands already carried out, by the client's command id, so a client that
-- resends a command (its ack was lost with the connection) gets the same answer again.
CREATE TABLE processed_commands (
    user_id    INTEGER NOT NULL REFERENCES users(id),
    command_id TEXT    NOT NULL,
    result     TEXT    NOT NULL,
    PRIMARY KEY (user_id, command_id)
);
