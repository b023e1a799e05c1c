package dev.headwater.contract;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The value of every record: a CloudEvents 1.0 document in structured-mode JSON. Context
 * attributes: {@code id} = event id, {@code source} = {@code /headwater/<aggregate_type>},
 * {@code type} = event type, {@code subject} = aggregate id, {@code time} = recorded at,
 * {@code datacontenttype} = {@code application/json}, {@code data} = the payload. Extensions (names
 * per the CloudEvents naming rule): {@code tenantid}, {@code aggregatetype},
 * {@code aggregateversion} and {@code globalposition} (decimal strings: CloudEvents integers are 32
 * bits), {@code schemaversion} (integer), {@code commitlsn} where known, and from the metadata
 * {@code actor}, {@code commandid}, {@code correlationid}, {@code causationid}, {@code traceparent}.
 * Unknown attributes are ignored when decoding, so the contract may grow.
 */
public final class CloudEventCodec {

    public static final String SPEC_VERSION = "1.0";
    public static final String SOURCE_PREFIX = "/headwater/";
    public static final String DATA_CONTENT_TYPE = "application/json";

    private final JsonMapper mapper;

    public CloudEventCodec() {
        this(JsonMapper.builder().build());
    }

    public CloudEventCodec(JsonMapper mapper) {
        this.mapper = mapper;
    }

    public byte[] encode(EventEnvelope event) {
        return encode(event, event.payload().size() * 32, json -> json.writeTree(event.payload()));
    }

    /**
     * The same bytes {@link #encode(EventEnvelope)} writes for this event with the payload that
     * {@code payloadJson} holds, without building the payload's tree where that can be avoided:
     * for the text Postgres prints for a {@code jsonb} object with whole numbers (every event of
     * the catalogue) the text is only stripped of whitespace (see {@code CompactJson}); other text
     * is parsed and re-serialised as {@link #encode(EventEnvelope)} does.
     *
     * @param payloadJson the payload as JSON text; must be a JSON object
     * @throws ContractViolation if the text is not JSON or not an object
     */
    public byte[] encode(EventAttributes event, String payloadJson) {
        char[] compact = CompactJson.compactObject(payloadJson);
        if (compact != null) {
            return encode(event, compact.length, json -> json.writeRawValue(compact, 0, compact.length));
        }
        JsonNode payload = parsePayload(payloadJson);
        return encode(event, payloadJson.length(), json -> json.writeTree(payload));
    }

    private byte[] encode(EventAttributes event, int dataSizeHint, Consumer<JsonGenerator> writeData) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + dataSizeHint);
        try (JsonGenerator json = mapper.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringProperty("specversion", SPEC_VERSION);
            json.writeStringProperty("id", event.eventId().toString());
            json.writeStringProperty("source", SOURCE_PREFIX + event.aggregateType());
            json.writeStringProperty("type", event.eventType());
            json.writeStringProperty("subject", event.aggregateId());
            json.writeStringProperty("time", InstantText.format(event.recordedAt()));
            json.writeStringProperty("datacontenttype", DATA_CONTENT_TYPE);
            json.writeStringProperty("tenantid", event.tenantId());
            json.writeStringProperty("aggregatetype", event.aggregateType());
            json.writeStringProperty("aggregateversion", Long.toString(event.aggregateVersion()));
            json.writeStringProperty("globalposition", Long.toString(event.globalPosition()));
            json.writeNumberProperty("schemaversion", event.schemaVersion());
            Long commitLsn = event.commitLsn();
            if (commitLsn != null) {
                json.writeStringProperty("commitlsn", EventHeaders.formatLsn(commitLsn));
            }
            EventMetadata metadata = event.metadata();
            writeOptional(json, "actor", metadata.actor());
            writeOptional(json, "commandid", metadata.commandId());
            writeOptional(json, "correlationid", metadata.correlationId());
            writeOptional(json, "causationid", metadata.causationId());
            writeOptional(json, "traceparent", metadata.traceparent());
            json.writeName("data");
            writeData.accept(json);
            json.writeEndObject();
        }
        return out.toByteArray();
    }

    private JsonNode parsePayload(String payloadJson) {
        JsonNode payload;
        try {
            payload = mapper.readTree(payloadJson);
        } catch (JacksonException e) {
            throw new ContractViolation("payload", "is not JSON: " + e.getOriginalMessage());
        }
        if (payload == null || !payload.isObject()) {
            throw new ContractViolation("payload", "must be a JSON object");
        }
        return payload;
    }

    public EventEnvelope decode(byte[] value) {
        JsonNode root;
        try {
            root = mapper.readTree(value);
        } catch (JacksonException e) {
            throw new ContractViolation("value", "not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ContractViolation("value", "not a JSON object");
        }
        String specVersion = required(root, "specversion");
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new ContractViolation("specversion", "expected " + SPEC_VERSION + ", got " + specVersion);
        }
        String contentType = optional(root, "datacontenttype");
        if (contentType != null && !contentType.startsWith(DATA_CONTENT_TYPE)) {
            throw new ContractViolation("datacontenttype", "expected " + DATA_CONTENT_TYPE + ", got " + contentType);
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new ContractViolation("data", "must be a JSON object");
        }
        String commitLsn = optional(root, "commitlsn");
        return new EventEnvelope(
                uuid(required(root, "id")),
                required(root, "tenantid"),
                required(root, "aggregatetype"),
                required(root, "subject"),
                longValue(root, "aggregateversion"),
                required(root, "type"),
                (int) longValue(root, "schemaversion"),
                data,
                new EventMetadata(
                        optional(root, "actor"),
                        optional(root, "commandid"),
                        optional(root, "correlationid"),
                        optional(root, "causationid"),
                        optional(root, "traceparent")),
                instant(required(root, "time")),
                longValue(root, "globalposition"),
                commitLsn == null ? null : EventHeaders.parseLsn(commitLsn));
    }

    private static void writeOptional(JsonGenerator json, String name, @Nullable String value) {
        if (value != null) {
            json.writeStringProperty(name, value);
        }
    }

    private static String required(JsonNode root, String name) {
        String value = optional(root, name);
        if (value == null || value.isEmpty()) {
            throw new ContractViolation(name, "is required");
        }
        return value;
    }

    private static @Nullable String optional(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isValueNode()) {
            throw new ContractViolation(name, "must be a string");
        }
        return node.asString();
    }

    private static long longValue(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node != null && node.isIntegralNumber()) {
            // Out of range would otherwise escape as Jackson's exception instead of a violation.
            if (!node.canConvertToLong()) {
                throw new ContractViolation(name, "'" + node + "' is out of the range of a 64-bit integer");
            }
            return node.asLong();
        }
        String text = required(root, name);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ContractViolation(name, "'" + text + "' is not a whole number");
        }
    }

    private static UUID uuid(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new ContractViolation("id", "'" + text + "' is not a UUID");
        }
    }

    private static Instant instant(String text) {
        try {
            return InstantText.parse(text);
        } catch (DateTimeParseException e) {
            throw new ContractViolation("time", "'" + text + "' is not an RFC 3339 timestamp");
        }
    }
}
