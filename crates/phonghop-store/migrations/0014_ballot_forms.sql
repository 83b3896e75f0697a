-- Polls of other forms than a motion: options, elections, confidence votes (see BallotForm).
-- `polls.ballot_json` keeps the form (NULL: a motion), `ballot_lines` how many marks a ballot of
-- it carries (1 for a motion's one choice), and `line_outcomes_json` how each line came out at
-- the close. A named ballot keeps either a motion's `choice` or the `marks` (a JSON array, one
-- mark per line); a sealed secret ballot is 28 bytes of nonce and tag around exactly
-- `ballot_lines` bytes, so its length is fixed by the poll and tells nothing of what was marked.
ALTER TABLE polls ADD COLUMN ballot_json TEXT;
ALTER TABLE polls ADD COLUMN ballot_lines INTEGER NOT NULL DEFAULT 1 CHECK (ballot_lines BETWEEN 1 AND 60);
ALTER TABLE polls ADD COLUMN line_outcomes_json TEXT;

CREATE TABLE ballots_with_marks (
    meeting_id INTEGER NOT NULL,
    poll_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    choice     TEXT CHECK (choice IN ('yes', 'no', 'abstain')),
    marks      TEXT CHECK (json_valid(marks) AND json_type(marks) = 'array'),
    cast_at    INTEGER NOT NULL,
    CHECK ((choice IS NULL) <> (marks IS NULL)),
    PRIMARY KEY (meeting_id, poll_id, user_id),
    FOREIGN KEY (meeting_id, poll_id, user_id) REFERENCES poll_voters(meeting_id, poll_id, user_id)
);
INSERT INTO ballots_with_marks (meeting_id, poll_id, user_id, choice, marks, cast_at)
    SELECT meeting_id, poll_id, user_id, choice, NULL, cast_at FROM ballots;
DROP TABLE ballots;
ALTER TABLE ballots_with_marks RENAME TO ballots;

CREATE TRIGGER ballots_only_in_open_polls BEFORE INSERT ON ballots
WHEN (SELECT state FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id) IS NOT 'open'
BEGIN
    SELECT RAISE(ABORT, 'a ballot can only be cast in an open poll');
END;

CREATE TRIGGER named_ballots_only_in_named_polls BEFORE INSERT ON ballots
WHEN (SELECT secrecy FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id) IS NOT 'named'
BEGIN
    SELECT RAISE(ABORT, 'a secret poll keeps no named ballot');
END;

-- A motion's ballot is a choice, any other form's the marks, one per line.
CREATE TRIGGER ballots_fit_their_poll BEFORE INSERT ON ballots
WHEN (SELECT CASE WHEN ballot_json IS NULL THEN NEW.choice IS NOT NULL
                  ELSE NEW.marks IS NOT NULL AND json_array_length(NEW.marks) = ballot_lines END
      FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'a ballot must fit its poll: a choice for a motion, one mark per line otherwise');
END;

CREATE TRIGGER ballots_change_only_while_open_and_changeable BEFORE UPDATE OF choice, marks ON ballots
WHEN (SELECT state = 'open' AND changeable = 1 FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id)
     IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'a ballot can be changed only in an open poll that allows it');
END;

-- The trigger on polls that names sealed_ballots goes while that table is rebuilt, and comes
-- back unchanged after.
DROP TRIGGER closed_secret_polls_keep_no_sealed_ballot;

CREATE TABLE sealed_ballots_of_any_form (
    meeting_id INTEGER NOT NULL,
    poll_id    INTEGER NOT NULL,
    id         BLOB    NOT NULL CHECK (length(id) = 16),
    sealed     BLOB    NOT NULL CHECK (length(sealed) BETWEEN 29 AND 88),
    PRIMARY KEY (meeting_id, poll_id, id)
) WITHOUT ROWID;
INSERT INTO sealed_ballots_of_any_form SELECT meeting_id, poll_id, id, sealed FROM sealed_ballots;
DROP TABLE sealed_ballots;
ALTER TABLE sealed_ballots_of_any_form RENAME TO sealed_ballots;

CREATE TRIGGER sealed_ballots_only_in_open_secret_polls BEFORE INSERT ON sealed_ballots
WHEN (SELECT state || '/' || secrecy FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id)
     IS NOT 'open/secret'
BEGIN
    SELECT RAISE(ABORT, 'a secret ballot can only be cast in an open secret poll');
END;

CREATE TRIGGER sealed_ballots_all_of_their_polls_length BEFORE INSERT ON sealed_ballots
WHEN (SELECT 28 + ballot_lines FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id)
     IS NOT length(NEW.sealed)
BEGIN
    SELECT RAISE(ABORT, 'a sealed ballot has the length its poll fixes');
END;

-- A closed secret poll keeps no sealed ballot and no key: its counts are in tally_json.
CREATE TRIGGER closed_secret_polls_keep_no_sealed_ballot AFTER UPDATE OF state ON polls
WHEN NEW.state = 'closed' AND NEW.secrecy = 'secret'
     AND (NEW.ballot_key IS NOT NULL
          OR EXISTS (SELECT 1 FROM sealed_ballots WHERE meeting_id = NEW.meeting_id AND poll_id = NEW.id))
BEGIN
    SELECT RAISE(ABORT, 'a closed secret poll keeps no sealed ballot and no key');
END;
