-- Attendance by the member's own check-in or the secretariat's mark, each an `attendance_set`
-- event of the log; this table keeps the latest per member. Rows from before (a check-in by
-- subscribing) are present. `checked_in_at` is when the latest mark was set.
ALTER TABLE attendance ADD COLUMN status TEXT NOT NULL DEFAULT 'present'
    CHECK (status IN ('present', 'excused', 'absent'));
ALTER TABLE attendance ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE attendance ADD COLUMN set_by INTEGER REFERENCES users(id);

-- The share of the voting members who must be present before a poll opens, as JSON
-- (`{"numerator":2,"denominator":3}`, or `null` for none); NULL: the meeting kind's default.
ALTER TABLE meetings ADD COLUMN quorum_json TEXT;

-- The reason the chair gave for opening a poll without the quorum present; NULL when it was.
ALTER TABLE polls ADD COLUMN quorum_override TEXT;
