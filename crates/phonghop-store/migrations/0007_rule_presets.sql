-- Meeting kinds and rule presets. A meeting's kind (a People's Council sitting, a People's
-- Committee meeting, a conference) sets the rule presets it starts with; the secretariat's
-- changes to them are kept in order, so a meeting's presets are its kind's defaults with those
-- changes replayed, exactly as every mirror applies the log's events.
ALTER TABLE meetings ADD COLUMN kind TEXT NOT NULL DEFAULT 'council_sitting'
    CHECK (kind IN ('council_sitting', 'committee_meeting', 'conference'));

-- One row per `rule_preset_set` / `rule_preset_removed` event, at its seq; `preset_json` is the
-- whole preset as set, NULL when removed.
CREATE TABLE rule_preset_changes (
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id),
    seq         INTEGER NOT NULL,
    preset_id   TEXT    NOT NULL,
    preset_json TEXT,
    PRIMARY KEY (meeting_id, seq)
);

-- The preset a poll's rule came from and its legal source (a `RuleBasis` as JSON); NULL for
-- polls opened before presets.
ALTER TABLE polls ADD COLUMN basis_json TEXT;
