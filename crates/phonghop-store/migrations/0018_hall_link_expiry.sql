-- A hall screen's code lasts a few days (the server's --hall-link-hours, 72 by default) and is
-- revoked with the others of its meeting by deleting its row. Codes made before this migration
-- last 72 hours from their making.
ALTER TABLE hall_links ADD COLUMN expires_at INTEGER;
UPDATE hall_links SET expires_at = created_at + 72 * 3600;
