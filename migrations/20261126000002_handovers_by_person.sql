-- One engineer's pay reads only the channels where they held the pager.
CREATE INDEX handovers_by_person ON handovers (to_user, effective_at);
