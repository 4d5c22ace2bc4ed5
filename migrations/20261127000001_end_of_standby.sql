-- `/handover end` records a handover to nobody: `to_user` is '' (the column stays NOT NULL, and
-- no Slack id or console name is empty). No table changes; this migration marks the database as
-- one that may hold such rows, so that a Baton from before it, which would fail to read them,
-- refuses the database at startup ("written by a newer Baton") instead.
SELECT 1;
