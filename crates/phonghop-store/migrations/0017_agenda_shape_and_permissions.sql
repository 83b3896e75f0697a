-- Sub-items (1.1, 1.2 under item 1): `parent_id` names a top-level item of the same meeting.
-- An item removed by mistake keeps its row (its id is never given again) with `removed` = 1 and
-- no place on the agenda.
ALTER TABLE agenda_items ADD COLUMN parent_id INTEGER;
ALTER TABLE agenda_items ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;

-- Creating meetings is a permission of its own: a meeting's secretariat is not the council
-- office (`is_admin`), which keeps every power it had.
ALTER TABLE users ADD COLUMN may_create_meetings INTEGER NOT NULL DEFAULT 0;
UPDATE users SET may_create_meetings = 1 WHERE is_admin = 1;
