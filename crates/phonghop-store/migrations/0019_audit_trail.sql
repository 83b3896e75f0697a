-- The audit trail: every change, login and failed login, who made it, when and from where, in one
-- hash chain across the server (phonghop_core::audit, docs/audit.md). `hash` is the lowercase hex
-- SHA-256 over the previous entry's hash and this entry's fields. `audit_chain` keeps how many
-- entries were ever written and the last hash, so entries removed from the end show too.
-- Entries are never changed or removed by phonghop: the triggers refuse it.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    meeting_id INTEGER,
    user_id    INTEGER,
    who        TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    hash       TEXT    NOT NULL CHECK (length(hash) = 64)
);

CREATE INDEX audit_log_by_meeting ON audit_log (meeting_id, seq);

CREATE TABLE audit_chain (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    written INTEGER NOT NULL,
    head    TEXT    NOT NULL CHECK (length(head) = 64)
);

INSERT INTO audit_chain (id, written, head)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_is_never_changed BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is never changed');
END;

CREATE TRIGGER audit_log_is_never_shortened BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is never shortened');
END;
