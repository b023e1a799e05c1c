package dev.headwater.cdc.relay;

import dev.headwater.contract.ContractViolation;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a Debezium row of {@code event_log.events} into the published envelope. Debezium hands
 * {@code jsonb} over as JSON text (parsed here, once), {@code uuid} as text and {@code timestamptz}
 * as ISO-8601 text. A row that does not fit the contract is a {@link PermanentRelayFailure}: it
 * cannot be skipped (nothing is) and retrying cannot fix it.
 */
final class EventMapper {

    private final JsonMapper json;

    EventMapper(JsonMapper json) {
        this.json = json;
    }

    EventEnvelope toEnvelope(SourceRecord record, @Nullable Long commitLsn) {
        Struct value = (Struct) record.value();
        String op = value.getString("op");
        Struct row = value.getStruct("after");
        if (!"c".equals(op) && !"r".equals(op) || row == null) {
            throw new PermanentRelayFailure("The log only grows, yet the slot delivered operation '" + op
                    + "' at offset " + record.sourceOffset() + "; check the publication and the log's triggers");
        }
        long position = row.getInt64("global_position");
        try {
            return new EventEnvelope(
                    UUID.fromString(row.getString("event_id")),
                    row.getString("tenant_id"),
                    row.getString("aggregate_type"),
                    row.getString("aggregate_id"),
                    row.getInt64("aggregate_version"),
                    row.getString("event_type"),
                    row.getInt32("schema_version"),
                    parseObject(row.getString("payload"), "payload"),
                    metadata(parseObject(row.getString("metadata"), "metadata")),
                    Instant.parse(row.getString("recorded_at")),
                    position,
                    commitLsn);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new PermanentRelayFailure(
                    "The event at global position " + position + " does not fit the topic contract: " + e.getMessage(),
                    e);
        }
    }

    private JsonNode parseObject(String text, String column) {
        try {
            JsonNode node = json.readTree(text);
            if (node == null || !node.isObject()) {
                throw new ContractViolation(column, "is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new ContractViolation(column, "is not JSON: " + e.getOriginalMessage());
        }
    }

    private static EventMetadata metadata(JsonNode metadata) {
        return new EventMetadata(
                text(metadata, EventMetadata.ACTOR),
                text(metadata, EventMetadata.COMMAND_ID),
                text(metadata, EventMetadata.CORRELATION_ID),
                text(metadata, EventMetadata.CAUSATION_ID),
                text(metadata, EventMetadata.TRACEPARENT));
    }

    private static @Nullable String text(JsonNode metadata, String name) {
        JsonNode node = metadata.get(name);
        return node == null || node.isNull() || !node.isValueNode() ? null : node.asString();
    }
}
