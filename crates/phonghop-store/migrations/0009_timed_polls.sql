-- Timed polls: when the server closes a poll on its own (Unix seconds, its clock); NULL when the
-- chair closes it. The server reads the open timed polls of every meeting when it starts, so a
-- poll due while it was down closes at once and the others at their time.
ALTER TABLE polls ADD COLUMN closes_at INTEGER;
CREATE INDEX polls_timed_open ON polls(closes_at) WHERE state = 'open' AND closes_at IS NOT NULL;
