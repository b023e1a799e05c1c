-- The projector's schemas (DESIGN.md §6, docs/adr/0030-0033): the runtime's bookkeeping
-- (generations, checkpoints, applied versions, dead letters), the control-plane views, and the
-- shadow schema rebuilds write into. Runs as headwater_owner, which keeps owning every table;
-- headwater_projector writes rows and swaps shadows through the SECURITY DEFINER functions below.

CREATE SCHEMA projection;
-- Rebuilds create their tables here, named as in "projection"; handlers address tables unqualified
-- and the runtime points search_path at one schema or the other.
CREATE SCHEMA projection_shadow;

COMMENT ON SCHEMA projection IS 'Live projection views and the projection runtime''s bookkeeping.';
COMMENT ON SCHEMA projection_shadow IS 'Views under rebuild; swapped into "projection" by projection.swap_shadow().';

-- ---------------------------------------------------------------------------------------------
-- Runtime bookkeeping. Every row is keyed by projection and generation: a rebuild writes a new
-- generation beside the live one, and the swap makes it live in one transaction.
-- ---------------------------------------------------------------------------------------------

CREATE TABLE projection.generations (
    projection      text        NOT NULL,
    generation      bigint      NOT NULL,
    state           text        NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    requested_by    text,
    events_replayed bigint      NOT NULL DEFAULT 0,
    checksums       jsonb,
    detail          text,
    CONSTRAINT generations_pkey PRIMARY KEY (projection, generation),
    CONSTRAINT generations_generation_positive CHECK (generation >= 1),
    CONSTRAINT generations_state_known CHECK (state IN ('building', 'live', 'retired', 'failed', 'abandoned'))
);
CREATE UNIQUE INDEX generations_one_live ON projection.generations (projection) WHERE state = 'live';
CREATE UNIQUE INDEX generations_one_building ON projection.generations (projection) WHERE state = 'building';

COMMENT ON TABLE projection.generations IS
    'Each projection has one live generation; a rebuild adds a building one and swaps it live.';

CREATE TABLE projection.checkpoints (
    projection  text        NOT NULL,
    generation  bigint      NOT NULL,
    topic       text        NOT NULL,
    partition   int         NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT checkpoints_pkey PRIMARY KEY (projection, generation, topic, partition),
    CONSTRAINT checkpoints_offset_not_negative CHECK (next_offset >= 0)
);

COMMENT ON TABLE projection.checkpoints IS
    'The next Kafka offset to apply, written in the same transaction as the view rows it covers. '
    'Kafka''s committed offsets are informational only.';

-- The hottest table: one upsert per aggregate per batch. Free space per page lets those updates
-- stay HOT (the key is never updated), so the index is not rewritten.
CREATE TABLE projection.applied_versions (
    projection     text   NOT NULL,
    generation     bigint NOT NULL,
    aggregate_type text   NOT NULL,
    aggregate_id   text   NOT NULL,
    version        bigint NOT NULL,
    CONSTRAINT applied_versions_pkey PRIMARY KEY (projection, generation, aggregate_type, aggregate_id),
    CONSTRAINT applied_versions_version_positive CHECK (version >= 1)
) WITH (fillfactor = 80);

COMMENT ON TABLE projection.applied_versions IS
    'Highest aggregate version each projection has applied: the dedupe key of exactly-once effects.';

CREATE TABLE projection.dead_letters (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    projection        text        NOT NULL,
    generation        bigint      NOT NULL,
    topic             text,
    partition         int,
    record_offset     bigint,
    event_id          uuid,
    aggregate_type    text        NOT NULL,
    aggregate_id      text        NOT NULL,
    aggregate_version bigint,
    event_type        text,
    record_value      bytea       NOT NULL,
    cause             text        NOT NULL,
    error             text,
    attempts          int         NOT NULL,
    status            text        NOT NULL,
    failed_at         timestamptz NOT NULL,
    resolved_at       timestamptz,
    resolved_by       text,
    resolution_note   text,
    requested_action  text,
    requested_by      text,
    requested_note    text,
    requested_at      timestamptz,
    CONSTRAINT dead_letters_cause_known CHECK (cause IN ('failed', 'behind')),
    CONSTRAINT dead_letters_status_known CHECK (status IN ('parked', 'halted', 'applied', 'skipped')),
    CONSTRAINT dead_letters_requested_action_known CHECK (requested_action IN ('retry', 'skip')),
    CONSTRAINT dead_letters_resolution_complete CHECK (
        (status IN ('parked', 'halted')) = (resolved_at IS NULL))
);

COMMENT ON TABLE projection.dead_letters IS
    'Events a projection could not apply (cause failed) and the later events of the same aggregate '
    'parked behind them (cause behind). Resolved rows stay as the record of who retried or skipped what.';
COMMENT ON COLUMN projection.dead_letters.requested_action IS
    'An operator''s retry or skip of a halted event, waiting for the halted consumer to carry it out.';
COMMENT ON COLUMN projection.dead_letters.record_value IS
    'The record value as received (CloudEvents JSON), also when it could not be decoded.';

CREATE INDEX dead_letters_open_idx ON projection.dead_letters
    (projection, generation, aggregate_type, aggregate_id, aggregate_version) WHERE status IN ('parked', 'halted');
CREATE INDEX dead_letters_skipped_idx ON projection.dead_letters
    (projection, aggregate_type, aggregate_id, aggregate_version) WHERE status = 'skipped';
CREATE INDEX dead_letters_listing_idx ON projection.dead_letters (projection, id);

-- Which tables belong to which projection: the only tables the swap functions touch.
CREATE TABLE projection.view_tables (
    table_name text NOT NULL PRIMARY KEY,
    projection text NOT NULL
);

COMMENT ON TABLE projection.view_tables IS
    'Registry of view tables per projection. A migration that adds a view table registers it here.';

-- ---------------------------------------------------------------------------------------------
-- Control-plane views. Times come from events (recorded_at), never from the clock, so a rebuild
-- computes the same rows as the live projection.
-- ---------------------------------------------------------------------------------------------

-- Projection tenant-overview. A row may exist before TenantCreated arrives (allocation events
-- travel on another topic); such a row has no created_at and is not shown.
CREATE TABLE projection.tenant_overview (
    tenant_id          text        NOT NULL PRIMARY KEY,
    name               text,
    status             text,
    suspended_reason   text,
    quota_cpu_millis   bigint,
    quota_memory_mib   bigint,
    quota_gpus         bigint,
    used_cpu_millis    bigint      NOT NULL DEFAULT 0,
    used_memory_mib    bigint      NOT NULL DEFAULT 0,
    used_gpus          bigint      NOT NULL DEFAULT 0,
    active_allocations bigint      NOT NULL DEFAULT 0,
    created_at         timestamptz,
    updated_at         timestamptz NOT NULL,
    tenant_version     bigint      NOT NULL DEFAULT 0
);

-- Projection node-utilisation.
CREATE TABLE projection.node_utilisation (
    node_id              text        NOT NULL PRIMARY KEY,
    status               text,
    cordon_reason        text,
    labels               jsonb,
    capacity_cpu_millis  bigint,
    capacity_memory_mib  bigint,
    capacity_gpus        bigint,
    allocated_cpu_millis bigint      NOT NULL DEFAULT 0,
    allocated_memory_mib bigint      NOT NULL DEFAULT 0,
    allocated_gpus       bigint      NOT NULL DEFAULT 0,
    active_allocations   bigint      NOT NULL DEFAULT 0,
    registered_at        timestamptz,
    updated_at           timestamptz NOT NULL,
    node_version         bigint      NOT NULL DEFAULT 0
);

-- Projection allocations: the allocation list and billing usage.
CREATE TABLE projection.allocations (
    allocation_id text        NOT NULL PRIMARY KEY,
    tenant_id     text        NOT NULL,
    node_id       text        NOT NULL,
    workload      text,
    cpu_millis    bigint      NOT NULL,
    memory_mib    bigint      NOT NULL,
    gpus          bigint      NOT NULL,
    status        text        NOT NULL,
    placed_at     timestamptz NOT NULL,
    released_at   timestamptz
);
-- Keyset pagination: newest first per tenant and per node.
CREATE INDEX allocations_tenant_idx ON projection.allocations (tenant_id, placed_at DESC, allocation_id DESC);
CREATE INDEX allocations_node_idx ON projection.allocations (node_id, placed_at DESC, allocation_id DESC);

-- Resource-seconds of released allocations per tenant and UTC hour; running allocations are added
-- at query time.
CREATE TABLE projection.billing_usage (
    tenant_id             text           NOT NULL,
    hour                  timestamptz    NOT NULL,
    cpu_millicore_seconds numeric(30, 6) NOT NULL,
    memory_mib_seconds    numeric(30, 6) NOT NULL,
    gpu_seconds           numeric(30, 6) NOT NULL,
    CONSTRAINT billing_usage_pkey PRIMARY KEY (tenant_id, hour)
);

-- Projection audit-trail: every event of every aggregate type. The runtime's version check keeps
-- events unique; no index on event_id, as every index costs on the busiest insert path.
CREATE TABLE projection.audit_events (
    global_position   bigint      NOT NULL PRIMARY KEY,
    event_id          uuid        NOT NULL,
    tenant_id         text        NOT NULL,
    aggregate_type    text        NOT NULL,
    aggregate_id      text        NOT NULL,
    aggregate_version bigint      NOT NULL,
    event_type        text        NOT NULL,
    actor             text,
    command_id        text,
    correlation_id    text,
    recorded_at       timestamptz NOT NULL,
    payload           jsonb       NOT NULL
);
CREATE INDEX audit_events_time_idx ON projection.audit_events (recorded_at DESC, global_position DESC);
CREATE INDEX audit_events_tenant_idx ON projection.audit_events (tenant_id, recorded_at DESC, global_position DESC);
CREATE INDEX audit_events_aggregate_idx ON projection.audit_events (aggregate_type, aggregate_id, aggregate_version);

-- Projection api-tokens: backs authentication of the query API.
CREATE TABLE projection.api_tokens (
    token_id       text        NOT NULL PRIMARY KEY,
    tenant_id      text        NOT NULL,
    token_hash     text        NOT NULL UNIQUE,
    role           text        NOT NULL,
    name           text,
    revoked        boolean     NOT NULL,
    revoked_reason text,
    issued_at      timestamptz NOT NULL,
    revoked_at     timestamptz
);

INSERT INTO projection.view_tables (table_name, projection) VALUES
    ('tenant_overview', 'tenant-overview'),
    ('node_utilisation', 'node-utilisation'),
    ('allocations', 'allocations'),
    ('billing_usage', 'allocations'),
    ('audit_events', 'audit-trail'),
    ('api_tokens', 'api-tokens');

-- ---------------------------------------------------------------------------------------------
-- Shadow tables for rebuilds. SECURITY DEFINER: the owner creates, drops and moves the tables, so
-- they stay owned by headwater_owner (later migrations can alter them) while headwater_projector,
-- which owns nothing, can still rebuild. Only tables registered in view_tables are touched.
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION projection.prepare_shadow(p_projection text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    t text;
    g record;
    n int := 0;
BEGIN
    FOR t IN SELECT table_name FROM projection.view_tables WHERE projection = p_projection ORDER BY table_name LOOP
        EXECUTE format('DROP TABLE IF EXISTS projection_shadow.%I', t);
        EXECUTE format('CREATE TABLE projection_shadow.%I (LIKE projection.%I INCLUDING ALL)', t, t);
        -- The live table's grants, so whoever may read or write it today still may after the swap.
        FOR g IN
            SELECT a.privilege_type, a.grantee
              FROM pg_class c, aclexplode(c.relacl) a
             WHERE c.oid = format('projection.%I', t)::regclass
               AND a.grantee <> c.relowner
        LOOP
            EXECUTE format('GRANT %s ON projection_shadow.%I TO %s', g.privilege_type, t,
                           CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END);
        END LOOP;
        n := n + 1;
    END LOOP;
    IF n = 0 THEN
        RAISE EXCEPTION 'projection % has no tables registered in projection.view_tables', p_projection;
    END IF;
END
$$;

CREATE FUNCTION projection.swap_shadow(p_projection text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    t text;
    n int := 0;
BEGIN
    FOR t IN SELECT table_name FROM projection.view_tables WHERE projection = p_projection ORDER BY table_name LOOP
        IF to_regclass(format('projection_shadow.%I', t)) IS NULL THEN
            RAISE EXCEPTION 'no shadow table projection_shadow.% to swap in', t;
        END IF;
        -- Fresh statistics before the first query plans against the new table.
        EXECUTE format('ANALYZE projection_shadow.%I', t);
        EXECUTE format('DROP TABLE projection.%I', t);
        EXECUTE format('ALTER TABLE projection_shadow.%I SET SCHEMA projection', t);
        n := n + 1;
    END LOOP;
    IF n = 0 THEN
        RAISE EXCEPTION 'projection % has no tables registered in projection.view_tables', p_projection;
    END IF;
END
$$;

CREATE FUNCTION projection.discard_shadow(p_projection text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT table_name FROM projection.view_tables WHERE projection = p_projection LOOP
        EXECUTE format('DROP TABLE IF EXISTS projection_shadow.%I', t);
    END LOOP;
END
$$;

REVOKE EXECUTE ON FUNCTION projection.prepare_shadow(text), projection.swap_shadow(text),
    projection.discard_shadow(text) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Grants. headwater_projector already reads event_log.events (V1) for rebuilds.
-- ---------------------------------------------------------------------------------------------

GRANT USAGE ON SCHEMA projection, projection_shadow TO headwater_projector;
GRANT SELECT, INSERT, UPDATE, DELETE ON projection.generations, projection.checkpoints,
    projection.applied_versions, projection.dead_letters TO headwater_projector;
GRANT SELECT ON projection.view_tables TO headwater_projector;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON projection.tenant_overview, projection.node_utilisation,
    projection.allocations, projection.billing_usage, projection.audit_events, projection.api_tokens
    TO headwater_projector;
GRANT EXECUTE ON FUNCTION projection.prepare_shadow(text), projection.swap_shadow(text),
    projection.discard_shadow(text) TO headwater_projector;
