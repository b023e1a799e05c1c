package dev.headwater.cdc.relay;

import dev.headwater.contract.ContractViolation;
import dev.headwater.contract.EventMetadata;
import java.time.DateTimeException;
import java.util.UUID;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a Debezium row of {@code event_log.events} into the event the relay publishes. Debezium
 * hands {@code jsonb} over as JSON text, {@code uuid} as text and {@code timestamptz} as ISO-8601
 * text. The payload stays text (the codec copies it into the record); the metadata is read with a
 * streaming parser for its five known fields; the time is parsed without a formatter where it has
 * Debezium's usual shape ({@link RecordedAt}). A row that does not fit the contract is a
 * {@link PermanentRelayFailure}: it cannot be skipped (nothing is) and retrying cannot fix it.
 */
final class EventMapper {

    private final JsonMapper json;

    EventMapper(JsonMapper json) {
        this.json = json;
    }

    RelayedEvent toEvent(SourceRecord record, @Nullable Long commitLsn) {
        Struct value = (Struct) record.value();
        String op = value.getString("op");
        Struct row = value.getStruct("after");
        if (!"c".equals(op) && !"r".equals(op) || row == null) {
            throw new PermanentRelayFailure("The log only grows, yet the slot delivered operation '" + op
                    + "' at offset " + record.sourceOffset() + "; check the publication and the log's triggers");
        }
        long position = row.getInt64("global_position");
        try {
            return new RelayedEvent(
                    UUID.fromString(row.getString("event_id")),
                    row.getString("tenant_id"),
                    row.getString("aggregate_type"),
                    row.getString("aggregate_id"),
                    row.getInt64("aggregate_version"),
                    row.getString("event_type"),
                    row.getInt32("schema_version"),
                    payload(row.getString("payload")),
                    metadata(row.getString("metadata")),
                    RecordedAt.parse(row.getString("recorded_at")),
                    position,
                    commitLsn);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new PermanentRelayFailure(
                    "The event at global position " + position + " does not fit the topic contract: " + e.getMessage(),
                    e);
        }
    }

    /**
     * The payload text as the slot delivered it. It is valid JSON (the column is {@code jsonb}) and
     * an object: V1 declares {@code events_payload_is_object CHECK (jsonb_typeof(payload) =
     * 'object')}. Checking the first character costs nothing and keeps a broken assumption from
     * reaching the codec, which would refuse the text anyway.
     */
    private static String payload(@Nullable String text) {
        if (text == null || text.isEmpty() || text.charAt(0) != '{') {
            throw new ContractViolation("payload", "is not a JSON object");
        }
        return text;
    }

    /**
     * The five metadata fields the contract names; anything else in the object is not published.
     * A field that is not a scalar reads as absent, a scalar other than a string as its text, as
     * when the metadata was read into a tree. V1 guarantees an object ({@code
     * events_metadata_is_object}); the parser checks it again.
     */
    private EventMetadata metadata(@Nullable String text) {
        if (text == null) {
            throw new ContractViolation("metadata", "is not a JSON object");
        }
        String actor = null;
        String commandId = null;
        String correlationId = null;
        String causationId = null;
        String traceparent = null;
        try (JsonParser parser = json.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new ContractViolation("metadata", "is not a JSON object");
            }
            for (String name = parser.nextName(); name != null; name = parser.nextName()) {
                JsonToken token = parser.nextToken();
                String scalar = scalar(parser, token);
                switch (name) {
                    case EventMetadata.ACTOR -> actor = scalar;
                    case EventMetadata.COMMAND_ID -> commandId = scalar;
                    case EventMetadata.CORRELATION_ID -> correlationId = scalar;
                    case EventMetadata.CAUSATION_ID -> causationId = scalar;
                    case EventMetadata.TRACEPARENT -> traceparent = scalar;
                    default -> {}
                }
            }
        } catch (JacksonException e) {
            throw new ContractViolation("metadata", "is not JSON: " + e.getOriginalMessage());
        }
        return new EventMetadata(actor, commandId, correlationId, causationId, traceparent);
    }

    private static @Nullable String scalar(JsonParser parser, JsonToken token) {
        if (token.isStructStart()) {
            parser.skipChildren();
            return null;
        }
        if (token.isNumeric()) {
            // As the tree printed it (a fraction as the double Jackson read), not as written.
            JsonNode number = parser.readValueAsTree();
            return number.asString();
        }
        return token == JsonToken.VALUE_NULL ? null : parser.getString();
    }
}
