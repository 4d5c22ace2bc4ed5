-- One engineer's pay first finds the channels where they held the pager. With the index on
-- (to_user, effective_at) that meant a table lookup for every handover they ever had, then a
-- sort to drop repeats: 6.9 ms for an engineer in 100 channels over ten years of weekly
-- handovers. Keyed by channel and covering only active handovers, the index answers it alone,
-- in channel order: 0.9 ms (benches/store.rs).
DROP INDEX handovers_by_person;
CREATE INDEX handovers_by_person ON handovers (to_user, channel_id, effective_at)
    WHERE undone_at IS NULL;
