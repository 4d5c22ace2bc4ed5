-- The last name Slack gave for each channel a handover was recorded in (a slash command's
-- `channel_name`), for the payroll export: its channel ids (C0123ABCD) say nothing to payroll.
-- A Baton from before this migration refuses the database at startup, as for every migration.
CREATE TABLE channels (
    channel_id TEXT    PRIMARY KEY NOT NULL,
    name       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
