-- The submission that set a rota order (`team_id:trigger_id`), so that a redelivered
-- `/handover rota @a @b` (Slack's retry after a lost ack) does not put back an order another
-- admin has set since, nor log it twice. NULL for entries from before this migration.
ALTER TABLE audit_log ADD COLUMN dedup_key TEXT;
CREATE UNIQUE INDEX audit_log_by_dedup_key ON audit_log (dedup_key);
