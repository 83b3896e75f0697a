-- Written opinions (góp ý) members send on an agenda item or one of its documents. Not part of
-- the public log: the secretariat and the chair read them all, a member only their own. The
-- app's own id makes sending twice harmless.
CREATE TABLE opinions (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    client_id   TEXT    NOT NULL CHECK (length(client_id) BETWEEN 1 AND 100),
    item_id     INTEGER NOT NULL,
    document_id INTEGER,
    text        TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 10000),
    sent_at     INTEGER NOT NULL,
    UNIQUE (user_id, client_id),
    FOREIGN KEY (meeting_id, item_id) REFERENCES agenda_items(meeting_id, id)
);
CREATE INDEX opinions_by_meeting ON opinions (meeting_id, id);
