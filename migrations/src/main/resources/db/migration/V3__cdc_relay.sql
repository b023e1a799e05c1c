-- The CDC relay's own state (schema cdc): where it is in the WAL, and its heartbeat.
-- Runs as headwater_owner; the relay logs in as headwater_cdc.

CREATE SCHEMA cdc;

-- Debezium's source offsets, written by the relay's own OffsetBackingStore
-- (dev.headwater.cdc.offset.PostgresOffsetStore) after every batch that Kafka acknowledged.
-- Key and value are the JSON texts Kafka Connect serialises offsets to; "store" is the relay's
-- slot name, so several relays (one per slot) can share the table.
CREATE TABLE cdc.offsets (
    store        text        NOT NULL,
    offset_key   text        NOT NULL,
    offset_value text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store, offset_key)
);

COMMENT ON TABLE cdc.offsets IS
    'Debezium source offsets of the CDC relay (Kafka Connect JSON), one row per slot and source partition. '
    'Written only by the instance that holds the relay''s advisory lock.';

-- Written by Debezium's heartbeat action query while the log is idle, in the same transaction as
-- a logical decoding message: that transaction reaches the relay through the slot, so the slot's
-- confirmed position advances even when no event is appended while other tables write WAL.
CREATE TABLE cdc.heartbeat (
    slot_name text        PRIMARY KEY,
    beat_at   timestamptz NOT NULL
);

COMMENT ON TABLE cdc.heartbeat IS
    'Last heartbeat of each CDC relay slot; see the relay''s heartbeat-interval setting.';

GRANT USAGE ON SCHEMA cdc TO headwater_cdc;
GRANT SELECT, INSERT, UPDATE, DELETE ON cdc.offsets TO headwater_cdc;
GRANT SELECT, INSERT, UPDATE ON cdc.heartbeat TO headwater_cdc;
