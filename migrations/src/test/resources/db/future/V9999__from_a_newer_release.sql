-- A migration this build does not know, as a newer release would have applied it.
CREATE TABLE event_log.added_by_a_newer_release (id int);
