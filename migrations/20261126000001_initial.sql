-- Baton's schema. Instants are Unix seconds (UTC); ids are Slack ids or console names.

-- Every handover ever recorded, append-only: a correction marks a row undone, it never deletes it.
-- `seq` numbers a channel's handovers 1, 2, 3…; UNIQUE(channel_id, seq) makes two racing writers
-- in one channel conflict instead of both extending the chain from the same state.
CREATE TABLE handovers (
    id           INTEGER PRIMARY KEY,
    channel_id   TEXT    NOT NULL,
    seq          INTEGER NOT NULL,
    from_user    TEXT,
    to_user      TEXT    NOT NULL,
    effective_at INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL,
    recorded_by  TEXT    NOT NULL,
    notes        TEXT    NOT NULL DEFAULT '',
    dedup_key    TEXT    UNIQUE,
    undone_at    INTEGER,
    undone_by    TEXT,
    UNIQUE (channel_id, seq),
    CHECK ((undone_at IS NULL) = (undone_by IS NULL))
);
CREATE INDEX handovers_by_channel_time ON handovers (channel_id, effective_at);
CREATE INDEX handovers_by_time ON handovers (effective_at);

-- A channel's rota order (space-separated user ids), set by an admin.
CREATE TABLE rotas (
    channel_id TEXT    PRIMARY KEY NOT NULL,
    members    TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT    NOT NULL
);

-- The last name the directory gave for each person, for reports and the payroll export.
CREATE TABLE people (
    user_id    TEXT    PRIMARY KEY NOT NULL,
    name       TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Audit trail of changes that are not handovers (rota order), newest last.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL
);

-- One daily reminder per channel per local date: claimed before posting, marked sent after.
CREATE TABLE reminders (
    channel_id TEXT    NOT NULL,
    local_date TEXT    NOT NULL,
    claimed_at INTEGER NOT NULL,
    claimed_by TEXT    NOT NULL,
    sent_at    INTEGER,
    PRIMARY KEY (channel_id, local_date)
);
