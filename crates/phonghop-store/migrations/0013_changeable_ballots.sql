-- A named poll may let its voters change their ballot until it closes: the row's choice is
-- replaced in place (still one row per voter). Only while open, only in such a poll; a secret
-- poll is never changeable (nothing links its ballot to the voter).
ALTER TABLE polls ADD COLUMN changeable INTEGER NOT NULL DEFAULT 0
    CHECK (changeable = 0 OR secrecy = 'named');

CREATE TRIGGER ballots_change_only_while_open_and_changeable BEFORE UPDATE OF choice ON ballots
WHEN (SELECT state = 'open' AND changeable = 1 FROM polls WHERE meeting_id = NEW.meeting_id AND id = NEW.poll_id)
     IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'a ballot can be changed only in an open poll that allows it');
END;
