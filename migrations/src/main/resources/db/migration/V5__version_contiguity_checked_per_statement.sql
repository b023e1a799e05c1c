-- Streams still start at version 1 and have no gaps, whoever writes (ADR 0003); the check now runs
-- once per statement over the rows it inserted instead of once per row (ADR 0041). V1's row trigger
-- called PL/pgSQL and ran its query for every appended row, about a quarter of Postgres's CPU per
-- row of a 1000-event append. An AFTER trigger sees every row of its statement, so it also checks
-- that each predecessor was inserted before its successor (a smaller global_position, which the
-- identity hands out in insert order): the WAL, and so the topic, carries a stream's versions in
-- that order. A gap or a reversed pair anywhere fails the whole statement with the SQLSTATE,
-- constraint name and message of V1's row trigger.

CREATE FUNCTION event_log.require_previous_versions() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    gap record;
BEGIN
    SELECT n.aggregate_type, n.aggregate_id, n.aggregate_version
      INTO gap
      FROM appended n
     WHERE n.aggregate_version > 1
       AND NOT EXISTS (
           SELECT FROM event_log.events e
            WHERE e.aggregate_type = n.aggregate_type
              AND e.aggregate_id = n.aggregate_id
              AND e.aggregate_version = n.aggregate_version - 1
              AND e.global_position < n.global_position)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'stream %/% has no version % to follow with version %',
            gap.aggregate_type, gap.aggregate_id, gap.aggregate_version - 1, gap.aggregate_version
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'events_version_contiguous';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER events_require_previous_versions
    AFTER INSERT ON event_log.events
    REFERENCING NEW TABLE AS appended
    FOR EACH STATEMENT EXECUTE FUNCTION event_log.require_previous_versions();
ALTER TABLE event_log.events ENABLE ALWAYS TRIGGER events_require_previous_versions;

-- Dropped only once its successor is in place: this migration runs in one transaction, so no
-- insert ever sees the table without a contiguity check.
DROP TRIGGER events_require_previous_version ON event_log.events;
DROP FUNCTION event_log.require_previous_version();
