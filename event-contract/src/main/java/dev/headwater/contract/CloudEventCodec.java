package dev.headwater.contract;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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

    /**
     * Reads a record value in one pass over its tokens: the context attributes are taken as they
     * stream by and only {@code data} is built into a tree, instead of a tree of the whole
     * document. Decoding was about a third of a warm projector's sampled Java time (each event is
     * decoded once per projection); this allocates a quarter less per record and takes about a
     * tenth less time ({@code bench/run decode}). Accepts and refuses exactly what reading the
     * whole tree did: unknown attributes are skipped, a repeated attribute counts with its last
     * value, a number or a boolean reads as its text where a string is expected.
     */
    public EventEnvelope decode(byte[] value) {
        Object[] attributes;
        try (JsonParser parser = mapper.createParser(value)) {
            attributes = scan(parser);
        } catch (JacksonException e) {
            throw new ContractViolation("value", "not JSON: " + e.getOriginalMessage());
        }
        if (attributes == null) {
            throw new ContractViolation("value", "not a JSON object");
        }
        String specVersion = required(attributes, SPECVERSION);
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new ContractViolation("specversion", "expected " + SPEC_VERSION + ", got " + specVersion);
        }
        String contentType = optional(attributes, DATACONTENTTYPE);
        if (contentType != null && !contentType.startsWith(DATA_CONTENT_TYPE)) {
            throw new ContractViolation("datacontenttype", "expected " + DATA_CONTENT_TYPE + ", got " + contentType);
        }
        if (!(attributes[DATA] instanceof JsonNode data) || !data.isObject()) {
            throw new ContractViolation("data", "must be a JSON object");
        }
        String commitLsn = optional(attributes, COMMITLSN);
        return new EventEnvelope(
                uuid(required(attributes, ID)),
                required(attributes, TENANTID),
                required(attributes, AGGREGATETYPE),
                required(attributes, SUBJECT),
                longValue(attributes, AGGREGATEVERSION),
                required(attributes, TYPE),
                (int) longValue(attributes, SCHEMAVERSION),
                data,
                new EventMetadata(
                        optional(attributes, ACTOR),
                        optional(attributes, COMMANDID),
                        optional(attributes, CORRELATIONID),
                        optional(attributes, CAUSATIONID),
                        optional(attributes, TRACEPARENT)),
                instant(required(attributes, TIME)),
                longValue(attributes, GLOBALPOSITION),
                commitLsn == null ? null : EventHeaders.parseLsn(commitLsn));
    }

    // The attributes decode reads, by slot; NAMES holds each slot's attribute name.
    private static final int SPECVERSION = 0;
    private static final int DATACONTENTTYPE = 1;
    private static final int DATA = 2;
    private static final int COMMITLSN = 3;
    private static final int ID = 4;
    private static final int TENANTID = 5;
    private static final int AGGREGATETYPE = 6;
    private static final int SUBJECT = 7;
    private static final int AGGREGATEVERSION = 8;
    private static final int TYPE = 9;
    private static final int SCHEMAVERSION = 10;
    private static final int ACTOR = 11;
    private static final int COMMANDID = 12;
    private static final int CORRELATIONID = 13;
    private static final int CAUSATIONID = 14;
    private static final int TRACEPARENT = 15;
    private static final int TIME = 16;
    private static final int GLOBALPOSITION = 17;
    private static final String[] NAMES = {
        "specversion",
        "datacontenttype",
        "data",
        "commitlsn",
        "id",
        "tenantid",
        "aggregatetype",
        "subject",
        "aggregateversion",
        "type",
        "schemaversion",
        "actor",
        "commandid",
        "correlationid",
        "causationid",
        "traceparent",
        "time",
        "globalposition"
    };

    /** Stands for an object or an array where decode expects a scalar (or, for data, its tree). */
    private static final Object NOT_A_SCALAR = new Object();

    /** Each attribute's slot, derived from {@link #NAMES} so the two cannot disagree. */
    private static final Map<String, Integer> SLOTS = slots();

    private static Map<String, Integer> slots() {
        Map<String, Integer> slots = new HashMap<>();
        for (int slot = 0; slot < NAMES.length; slot++) {
            slots.put(NAMES[slot], slot);
        }
        return Map.copyOf(slots);
    }

    /**
     * The known attributes of a document: per slot null (absent or JSON null), the text of a
     * string, a whole number within 64 bits as a Long, the node of another scalar, the tree of
     * {@code data}, or {@link #NOT_A_SCALAR}.
     * Null if the document is valid JSON but not an object.
     */
    private static Object @Nullable [] scan(JsonParser parser) {
        JsonToken first = parser.nextToken();
        if (first != JsonToken.START_OBJECT) {
            if (first != null) {
                parser.skipChildren();
                requireEnd(parser);
            }
            return null;
        }
        Object[] attributes = new Object[NAMES.length];
        for (String name = parser.nextName(); name != null; name = parser.nextName()) {
            JsonToken token = parser.nextToken();
            Integer slot = SLOTS.get(name);
            if (slot == null) {
                parser.skipChildren();
            } else if (token == JsonToken.VALUE_NULL) {
                attributes[slot] = null;
            } else if (token == JsonToken.VALUE_STRING) {
                attributes[slot] = parser.getString();
            } else if (token == JsonToken.VALUE_NUMBER_INT
                    && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                // Held as a Long, not a node: building a node through the mapper costs more than the decode.
                attributes[slot] = parser.getLongValue();
            } else if (slot == DATA && token == JsonToken.START_OBJECT) {
                attributes[slot] = parser.readValueAsTree();
            } else if (token.isStructStart()) {
                parser.skipChildren();
                attributes[slot] = NOT_A_SCALAR;
            } else {
                attributes[slot] = parser.readValueAsTree();
            }
        }
        requireEnd(parser);
        return attributes;
    }

    /** Content after the document is refused, as reading the whole document into a tree does. */
    private static void requireEnd(JsonParser parser) {
        JsonToken after = parser.nextToken();
        if (after != null) {
            throw new ContractViolation("value", "not JSON: content after the document (" + after + ")");
        }
    }

    private static void writeOptional(JsonGenerator json, String name, @Nullable String value) {
        if (value != null) {
            json.writeStringProperty(name, value);
        }
    }

    private static String required(Object[] attributes, int slot) {
        String value = optional(attributes, slot);
        if (value == null || value.isEmpty()) {
            throw new ContractViolation(NAMES[slot], "is required");
        }
        return value;
    }

    private static @Nullable String optional(Object[] attributes, int slot) {
        Object value = attributes[slot];
        if (value == null || value instanceof String) {
            return (String) value;
        }
        if (value instanceof Long number) {
            return number.toString();
        }
        if (value == NOT_A_SCALAR || !((JsonNode) value).isValueNode()) {
            throw new ContractViolation(NAMES[slot], "must be a string");
        }
        return ((JsonNode) value).asString();
    }

    private static long longValue(Object[] attributes, int slot) {
        if (attributes[slot] instanceof Long number) {
            return number;
        }
        if (attributes[slot] instanceof JsonNode node && node.isIntegralNumber()) {
            // Out of range would otherwise escape as Jackson's exception instead of a violation.
            if (!node.canConvertToLong()) {
                throw new ContractViolation(NAMES[slot], "'" + node + "' is out of the range of a 64-bit integer");
            }
            return node.asLong();
        }
        String text = required(attributes, slot);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ContractViolation(NAMES[slot], "'" + text + "' is not a whole number");
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
