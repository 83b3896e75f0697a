-- Secret ballots (bỏ phiếu kín). A secret poll's ballot is kept in two halves with nothing that
-- links them: that a member has voted (`secret_voters`: no time, no choice) and the sealed choice
-- (`sealed_ballots`: a random id, the choice encrypted with the poll's key). Both tables are
-- WITHOUT ROWID, so no insertion order is kept beside their keys. The key lives in a file beside
-- the database, never in it (`polls.ballot_key` only names that file while the poll is open); at
-- the close the choices are counted into `tally_json`, the sealed rows deleted and the key file
-- removed. `ballots` keeps only named polls' ballots.
ALTER TABLE polls ADD COLUMN secrecy TEXT NOT NULL DEFAULT 'named' CHECK (secrecy IN ('named', 'secret'));
ALTER TABLE polls ADD COLUMN ballot_key TEXT;

CREATE TABLE secret_voters (
    meeting_id INTEGER NOT NULL,
    poll_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, poll_id, user_id),
    FOREIGN KEY (meeting_id, poll_id, user_id) REFERENCES poll_voters(meeting_id, poll_id, user_id)
) WITHOUT ROWID;

CREATE TABLE sealed_ballots (
    meeting_id INTEGER NOT NULL,
    poll_id    INTEGER NOT NULL,
    id         BLOB    NOT NULL CHECK (length(id) = 16),
    sealed     BLOB    NOT NULL CHECK (length(sealed) = 29),
    PRIMARY KEY (meeting_id, poll_id, id)
) WITHOUT ROWID;

CREATE TRIGGER secret_voters_only_in_open_secret_polls BEFORE INSERT ON secret_voters
WHEN (SELECT state || '/' || secrecy FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id)
     IS NOT 'open/secret'
BEGIN
    SELECT RAISE(ABORT, 'a secret ballot can only be cast in an open secret poll');
END;

CREATE TRIGGER sealed_ballots_only_in_open_secret_polls BEFORE INSERT ON sealed_ballots
WHEN (SELECT state || '/' || secrecy FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id)
     IS NOT 'open/secret'
BEGIN
    SELECT RAISE(ABORT, 'a secret ballot can only be cast in an open secret poll');
END;

CREATE TRIGGER named_ballots_only_in_named_polls BEFORE INSERT ON ballots
WHEN (SELECT secrecy FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id) IS NOT 'named'
BEGIN
    SELECT RAISE(ABORT, 'a secret poll keeps no named ballot');
END;

-- A closed secret poll keeps no sealed ballot and no key: its counts are in tally_json.
CREATE TRIGGER closed_secret_polls_keep_no_sealed_ballot AFTER UPDATE OF state ON polls
WHEN NEW.state = 'closed' AND NEW.secrecy = 'secret'
     AND (NEW.ballot_key IS NOT NULL
          OR EXISTS (SELECT 1 FROM sealed_ballots WHERE meeting_id = NEW.meeting_id AND poll_id = NEW.id))
BEGIN
    SELECT RAISE(ABORT, 'a closed secret poll keeps no sealed ballot and no key');
END;
