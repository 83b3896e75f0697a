-- Laptops (issue 11): the app names its laptop at each login; the secretariat sees the laptops of
-- a meeting's members and may revoke one. A revoked laptop's sessions end (`sessions.device_id`
-- ties each session to its laptop), it may not log in again, and the app removes what it keeps.
CREATE TABLE devices (
    id            TEXT    PRIMARY KEY,
    name          TEXT    NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    last_login_at INTEGER NOT NULL,
    last_address  TEXT    NOT NULL,
    revoked_at    INTEGER,
    revoked_by    INTEGER REFERENCES users(id)
);

CREATE INDEX devices_by_user ON devices (user_id);

ALTER TABLE sessions ADD COLUMN device_id TEXT;
