package dev.headwater.cdc.relay;

import io.debezium.engine.RecordChangeEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;

/** Debezium-shaped records for unit tests: rows of event_log.events, transaction frames, heartbeats. */
final class TestRecords {

    static final Schema ROW = SchemaBuilder.struct()
            .field("global_position", Schema.INT64_SCHEMA)
            .field("event_id", Schema.STRING_SCHEMA)
            .field("tenant_id", Schema.STRING_SCHEMA)
            .field("aggregate_type", Schema.STRING_SCHEMA)
            .field("aggregate_id", Schema.STRING_SCHEMA)
            .field("aggregate_version", Schema.INT64_SCHEMA)
            .field("event_type", Schema.STRING_SCHEMA)
            .field("schema_version", Schema.INT32_SCHEMA)
            .field("payload", Schema.STRING_SCHEMA)
            .field("metadata", Schema.STRING_SCHEMA)
            .field("recorded_at", Schema.STRING_SCHEMA)
            .optional()
            .build();
    static final Schema SOURCE = SchemaBuilder.struct()
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .build();
    static final Schema TRANSACTION =
            SchemaBuilder.struct().field("id", Schema.STRING_SCHEMA).optional().build();
    static final Schema ENVELOPE = SchemaBuilder.struct()
            .field("op", Schema.STRING_SCHEMA)
            .field("before", ROW)
            .field("after", ROW)
            .field("source", SOURCE)
            .field("transaction", TRANSACTION)
            .build();
    static final Schema TX_VALUE = SchemaBuilder.struct()
            .field("status", Schema.STRING_SCHEMA)
            .field("id", Schema.STRING_SCHEMA)
            .build();

    private TestRecords() {}

    static Struct row(long position, String aggregateId, long version, String payload) {
        return new Struct(ROW)
                .put("global_position", position)
                .put("event_id", "5f0c6a2e-3a6b-4d1f-9c59-0b3c1d3e2" + String.format("%03d", position))
                .put("tenant_id", "acme")
                .put("aggregate_type", "node")
                .put("aggregate_id", aggregateId)
                .put("aggregate_version", version)
                .put("event_type", "NodeRegistered")
                .put("schema_version", 1)
                .put("payload", payload)
                .put("metadata", "{\"actor\":\"token:1\",\"correlationId\":\"c-1\",\"traceparent\":\"00-ab-cd-01\"}")
                .put("recorded_at", "2026-11-30T07:00:00.123456Z");
    }

    static RecordChangeEvent<SourceRecord> streamed(long position, String aggregateId, long version, long lsn) {
        Struct value = new Struct(ENVELOPE)
                .put("op", "c")
                .put("after", row(position, aggregateId, version, "{\"cpu\":4}"))
                .put("source", new Struct(SOURCE).put("lsn", lsn).put("ts_ms", 1_000L))
                .put("transaction", new Struct(TRANSACTION).put("id", "tx"));
        return event(new SourceRecord(
                partition(),
                offset(lsn, lsn - 100),
                "headwater-cdc.event_log.events",
                null,
                null,
                null,
                ENVELOPE,
                value));
    }

    static RecordChangeEvent<SourceRecord> snapshotRow(long position, String aggregateId, long version) {
        Struct value = new Struct(ENVELOPE)
                .put("op", "r")
                .put("after", row(position, aggregateId, version, "{\"cpu\":4}"))
                .put("source", new Struct(SOURCE).put("ts_ms", 1_000L));
        return event(new SourceRecord(
                partition(),
                Map.of("snapshot", "INITIAL", "lsn", 1L),
                "headwater-cdc.event_log.events",
                null,
                null,
                null,
                ENVELOPE,
                value));
    }

    static RecordChangeEvent<SourceRecord> operation(String op) {
        Struct value = new Struct(ENVELOPE)
                .put("op", op)
                .put("after", row(7, "n-1", 1, "{}"))
                .put("source", new Struct(SOURCE).put("ts_ms", 1_000L));
        return event(new SourceRecord(partition(), offset(7, 1L), "t", null, null, null, ENVELOPE, value));
    }

    static RecordChangeEvent<SourceRecord> begin(long lsn) {
        return frame("BEGIN", lsn, lsn - 100);
    }

    static RecordChangeEvent<SourceRecord> end(long lsn, long commitLsn) {
        return frame("END", lsn, commitLsn);
    }

    static RecordChangeEvent<SourceRecord> heartbeat(long lsn) {
        Schema schema =
                SchemaBuilder.struct().field("ts_ms", Schema.INT64_SCHEMA).build();
        return event(new SourceRecord(
                partition(),
                offset(lsn, lsn),
                "__debezium-heartbeat.headwater-cdc",
                null,
                null,
                null,
                schema,
                new Struct(schema).put("ts_ms", 1L)));
    }

    private static RecordChangeEvent<SourceRecord> frame(String status, long lsn, long commitLsn) {
        Struct value = new Struct(TX_VALUE).put("status", status).put("id", "tx");
        return event(new SourceRecord(
                partition(), offset(lsn, commitLsn), "headwater-cdc.transaction", null, null, null, TX_VALUE, value));
    }

    static Map<String, ?> partition() {
        return Map.of("server", "headwater-cdc");
    }

    private static Map<String, ?> offset(long lsn, @Nullable Long commitLsn) {
        Map<String, Object> offset = new HashMap<>();
        offset.put("lsn", lsn);
        if (commitLsn != null) {
            offset.put("lsn_commit", commitLsn);
        }
        return offset;
    }

    static RecordChangeEvent<SourceRecord> event(SourceRecord record) {
        return () -> record;
    }
}
