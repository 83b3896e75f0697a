-- Hall links: the read-only code a hall screen (a browser on the hall's TV) opens a meeting with.
-- Only the code's SHA-256 is kept, like a session token's; a code shows one meeting and never
-- sends a command.
CREATE TABLE hall_links (
    code_hash  BLOB    PRIMARY KEY CHECK (length(code_hash) = 32),
    meeting_id INTEGER NOT NULL REFERENCES meetings(id),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
