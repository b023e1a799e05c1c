-- The event log: the single source of truth of the platform (DESIGN.md §3).
-- Runs as headwater_owner; the roles themselves come from db/bootstrap/roles.sql.

DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(r, ', ') INTO missing
      FROM unnest(ARRAY['headwater_app', 'headwater_cdc', 'headwater_projector']) AS r
     WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'roles % do not exist', missing
            USING HINT = 'Run the migrator''s "init" command with a superuser URL first.';
    END IF;
END
$$;

CREATE SCHEMA event_log;

CREATE TABLE event_log.events (
    global_position   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id          uuid        NOT NULL,
    tenant_id         text        NOT NULL,
    aggregate_type    text        NOT NULL,
    aggregate_id      text        NOT NULL,
    aggregate_version bigint      NOT NULL,
    event_type        text        NOT NULL,
    schema_version    int         NOT NULL DEFAULT 1,
    payload           jsonb       NOT NULL,
    metadata          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    transaction_id    xid8        NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_version_key UNIQUE (aggregate_type, aggregate_id, aggregate_version),
    CONSTRAINT events_version_positive CHECK (aggregate_version >= 1),
    CONSTRAINT events_schema_version_positive CHECK (schema_version >= 1),
    CONSTRAINT events_tenant_not_blank CHECK (tenant_id <> ''),
    CONSTRAINT events_aggregate_type_not_blank CHECK (aggregate_type <> ''),
    CONSTRAINT events_aggregate_id_not_blank CHECK (aggregate_id <> ''),
    CONSTRAINT events_event_type_not_blank CHECK (event_type <> ''),
    CONSTRAINT events_payload_is_object CHECK (jsonb_typeof(payload) = 'object'),
    CONSTRAINT events_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object')
);

COMMENT ON TABLE event_log.events IS
    'Append-only event log. Read in commit-visibility order: ORDER BY (transaction_id, global_position) '
    'and only rows with transaction_id < pg_snapshot_xmin(pg_current_snapshot()).';
COMMENT ON COLUMN event_log.events.global_position IS
    'Unique and increasing in insert order, which is not commit order under concurrent writers.';
COMMENT ON COLUMN event_log.events.transaction_id IS
    'Writing transaction; with global_position it gives the commit-visibility order of the catch-up feed.';

-- The catch-up feed and rebuilds scan in commit-visibility order.
CREATE INDEX events_commit_order_idx ON event_log.events (transaction_id, global_position);
-- Tenant-scoped queries (audit, exports) read a tenant's events in log order.
CREATE INDEX events_tenant_idx ON event_log.events (tenant_id, global_position);

-- Append-only for every role, superusers included: privileges stop the application roles, these
-- triggers stop the owner. ENABLE ALWAYS keeps them firing under session_replication_role = replica.
CREATE FUNCTION event_log.reject_mutation() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'event_log.events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'Correct a fact by appending a compensating event.';
END
$$;

CREATE TRIGGER events_reject_update_delete
    BEFORE UPDATE OR DELETE ON event_log.events
    FOR EACH ROW EXECUTE FUNCTION event_log.reject_mutation();
CREATE TRIGGER events_reject_truncate
    BEFORE TRUNCATE ON event_log.events
    FOR EACH STATEMENT EXECUTE FUNCTION event_log.reject_mutation();
ALTER TABLE event_log.events ENABLE ALWAYS TRIGGER events_reject_update_delete;
ALTER TABLE event_log.events ENABLE ALWAYS TRIGGER events_reject_truncate;

-- Streams start at version 1 and have no gaps, whoever writes. A row-level BEFORE trigger sees
-- the rows that earlier rows of the same statement inserted, so multi-row appends work.
CREATE FUNCTION event_log.require_previous_version() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF NEW.aggregate_version > 1 AND NOT EXISTS (
        SELECT FROM event_log.events
         WHERE aggregate_type = NEW.aggregate_type
           AND aggregate_id = NEW.aggregate_id
           AND aggregate_version = NEW.aggregate_version - 1) THEN
        RAISE EXCEPTION 'stream %/% has no version % to follow with version %',
            NEW.aggregate_type, NEW.aggregate_id, NEW.aggregate_version - 1, NEW.aggregate_version
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'events_version_contiguous';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER events_require_previous_version
    BEFORE INSERT ON event_log.events
    FOR EACH ROW EXECUTE FUNCTION event_log.require_previous_version();
ALTER TABLE event_log.events ENABLE ALWAYS TRIGGER events_require_previous_version;

GRANT USAGE ON SCHEMA event_log TO headwater_app, headwater_cdc, headwater_projector;
GRANT SELECT, INSERT ON event_log.events TO headwater_app;
-- The relay reads the log through the slot and, after a lost slot, from the table itself;
-- projectors rebuild from it.
GRANT SELECT ON event_log.events TO headwater_cdc, headwater_projector;

-- Services validate the schema version at start, so they read the history table.
GRANT USAGE ON SCHEMA headwater TO headwater_app, headwater_cdc, headwater_projector;
GRANT SELECT ON headwater.flyway_schema_history TO headwater_app, headwater_cdc, headwater_projector;

-- What the CDC relay streams: inserts only. Updates and deletes cannot happen (triggers above),
-- and publishing only inserts keeps that true for consumers even if they someday could.
CREATE PUBLICATION headwater_events FOR TABLE event_log.events WITH (publish = 'insert');
