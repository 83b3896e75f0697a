-- A poll cancelled before it closed (hủy biểu quyết): kept with state 'closed' (so it stays
-- closed by the same trigger) and the reason here; it has no outcome, no tally_json and no
-- record. A cancelled secret poll keeps no sealed ballot and no key, like a closed one.
ALTER TABLE polls ADD COLUMN cancel_reason TEXT;
