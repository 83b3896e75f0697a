-- The signed result record of each closed poll (biên bản kết quả biểu quyết), as CSV and PDF,
-- kept as first made so its bytes, and so its signature, never change. Made by the server when
-- the poll closes (or when first asked for); a row is only ever added.
CREATE TABLE poll_records (
    meeting_id INTEGER NOT NULL,
    poll_id    INTEGER NOT NULL,
    csv        BLOB    NOT NULL,
    pdf        BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, poll_id),
    FOREIGN KEY (meeting_id, poll_id) REFERENCES polls(meeting_id, id)
);

CREATE TRIGGER poll_records_are_kept BEFORE UPDATE ON poll_records
BEGIN
    SELECT RAISE(ABORT, 'a poll record is never changed');
END;

CREATE TRIGGER poll_records_only_of_closed_polls BEFORE INSERT ON poll_records
WHEN (SELECT state FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id) IS NOT 'closed'
BEGIN
    SELECT RAISE(ABORT, 'a poll record is made only once the poll is closed');
END;
