-- The submission that undid a handover, so that a redelivered `/handover undo` undoes one
-- handover, not two.
ALTER TABLE handovers ADD COLUMN undo_dedup_key TEXT;
CREATE UNIQUE INDEX handovers_by_undo_dedup_key ON handovers (undo_dedup_key);
