-- Pay answers from an index of the handovers kept in memory (src/store/pay_index.rs). This
-- counter keeps it exact: every change to a handover, by anyone, adds one, so a reader can tell
-- whether the index has seen every change.
CREATE TABLE handovers_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO handovers_version (id, version) VALUES (1, 0);
CREATE TRIGGER handovers_inserted AFTER INSERT ON handovers
BEGIN
    UPDATE handovers_version SET version = version + 1;
END;
CREATE TRIGGER handovers_updated AFTER UPDATE ON handovers
BEGIN
    UPDATE handovers_version SET version = version + 1;
END;
CREATE TRIGGER handovers_deleted AFTER DELETE ON handovers
BEGIN
    UPDATE handovers_version SET version = version + 1;
END;
-- Only pay's SQL read through these, and every handover's insert paid for them.
DROP INDEX handovers_by_channel_time;
DROP INDEX handovers_by_time;
DROP INDEX handovers_by_person;
