package dev.headwater.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@link CloudEventCodec#decode} reads a record in one pass and builds a tree only of {@code data}.
 * It must accept and refuse exactly what reading the whole document into a tree did: this test
 * keeps that earlier decoder as the reference and compares the two on every attribute removed,
 * set to null, to a number, a boolean, an object, an array, an empty or a malformed string, on
 * unknown and repeated attributes, content after the document and documents that are no object.
 */
class StreamingDecodeTest {

    private static final List<String> ATTRIBUTES = List.of(
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "datacontenttype",
            "tenantid",
            "aggregatetype",
            "aggregateversion",
            "globalposition",
            "schemaversion",
            "commitlsn",
            "actor",
            "commandid",
            "correlationid",
            "causationid",
            "traceparent",
            "data");

    private final JsonMapper json = JsonMapper.builder().build();
    private final CloudEventCodec codec = new CloudEventCodec(json);

    @Test
    void every_variant_of_a_document_decodes_or_fails_as_the_whole_tree_decoder_did() {
        List<String> documents = variants();

        for (String document : documents) {
            byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
            Outcome expected = outcome(() -> TreeDecoder.decode(json, bytes));
            Outcome actual = outcome(() -> codec.decode(bytes));

            assertThat(actual).as(document).isEqualTo(expected);
        }
        // The corpus holds documents that decode and documents refused for many reasons.
        assertThat(documents.stream()
                        .map(d -> outcome(() -> codec.decode(d.getBytes(StandardCharsets.UTF_8))))
                        .map(o -> o.event() != null ? "decoded" : o.field())
                        .distinct()
                        .count())
                .isGreaterThan(12);
    }

    @Test
    void only_the_payload_is_built_as_a_tree_and_it_is_the_payload_that_was_encoded() {
        EventEnvelope event = sample();

        EventEnvelope decoded = codec.decode(codec.encode(event));

        assertThat(decoded.payload()).isEqualTo(event.payload());
        assertThat(decoded.payload().get("labels").get("tier").asString()).isEqualTo("gold");
    }

    private List<String> variants() {
        ObjectNode base = (ObjectNode) json.readTree(codec.encode(sample()));
        List<String> documents = new ArrayList<>();
        documents.add(base.toString());
        documents.add(" \n" + base + " \n");
        for (String name : ATTRIBUTES) {
            documents.add(without(base, name).toString());
            for (String value : List.of(
                    "null",
                    "3",
                    "-7",
                    "3.5",
                    "99999999999999999999",
                    "true",
                    "{}",
                    "{\"a\":[1,{\"b\":2}]}",
                    "[]",
                    "[\"x\"]",
                    "\"\"",
                    "\"x\"",
                    "\"12\"",
                    "\"1.0\"")) {
                ObjectNode copy = base.deepCopy();
                copy.set(name, json.readTree(value));
                documents.add(copy.toString());
            }
        }
        String text = base.toString();
        String open = text.substring(0, text.length() - 1);
        documents.add(open + ",\"unknown\":{\"deep\":[1,[2,{\"x\":null}]],\"s\":\"t\"},\"n\":1.5}");
        documents.add("{\"unknown\":[{},[]]," + text.substring(1));
        documents.add(open + ",\"type\":\"Repeated\"}");
        documents.add(open + ",\"aggregateversion\":\"4\"}");
        documents.add(open + ",\"data\":{\"again\":true}}");
        documents.add(open + ",\"data\":7}");
        documents.add(text + " {}");
        documents.add(text + " x");
        documents.add(text + "]");
        documents.add(open);
        documents.add(open + ",");
        documents.add(text.replace("\"1.0\"", "\"0.3\""));
        documents.add(text.replace("application/json", "text/plain"));
        documents.add(text.replace("application/json", "application/json; charset=utf-8"));
        documents.add(text.replace("1/A0B1C2D3", "not-an-lsn"));
        documents.add(text.replace("2026-11-30T07:00:00.123456Z", "yesterday"));
        documents.add(text.replace("5f0c6a2e-3a6b-4d1f-9c59-0b3c1d3e2f10", "not-a-uuid"));
        for (String other :
                List.of("", " ", "[]", "[1,2]", "\"x\"", "1", "null", "true", "[1,", "{", "{}", "not json")) {
            documents.add(other);
        }
        return documents;
    }

    private static ObjectNode without(ObjectNode node, String name) {
        ObjectNode copy = node.deepCopy();
        copy.remove(name);
        return copy;
    }

    /** What decoding did: the event, or the violated field (and message unless it is Jackson's own). */
    private record Outcome(
            @Nullable EventEnvelope event,
            @Nullable String field,
            @Nullable String message) {}

    private static Outcome outcome(Decoding decoding) {
        try {
            return new Outcome(decoding.run(), null, null);
        } catch (ContractViolation e) {
            // Both decoders quote Jackson for malformed JSON; the parser's wording depends on where
            // it stopped, which differs between reading a tree and skipping tokens.
            boolean fromJackson = e.getMessage().startsWith("value: not JSON");
            return new Outcome(null, e.field(), fromJackson ? "not JSON" : e.getMessage());
        } catch (IllegalArgumentException e) {
            // A valid document whose envelope refuses a value (EventAttributes' own checks).
            return new Outcome(null, "envelope", e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Decoding {
        EventEnvelope run();
    }

    private EventEnvelope sample() {
        return SampleEvent.of(json);
    }

    /** The decoder as it was before the one-pass reading: the whole document read into a tree. */
    private static final class TreeDecoder {

        static EventEnvelope decode(JsonMapper mapper, byte[] value) {
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
            if (!"1.0".equals(specVersion)) {
                throw new ContractViolation("specversion", "expected 1.0, got " + specVersion);
            }
            String contentType = optional(root, "datacontenttype");
            if (contentType != null && !contentType.startsWith("application/json")) {
                throw new ContractViolation("datacontenttype", "expected application/json, got " + contentType);
            }
            JsonNode data = root.get("data");
            if (data == null || !data.isObject()) {
                throw new ContractViolation("data", "must be a JSON object");
            }
            String commitLsn = optional(root, "commitlsn");
            String id = required(root, "id");
            UUID eventId;
            try {
                eventId = UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw new ContractViolation("id", "'" + id + "' is not a UUID");
            }
            return new EventEnvelope(
                    eventId,
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
                    time(required(root, "time")),
                    longValue(root, "globalposition"),
                    commitLsn == null ? null : EventHeaders.parseLsn(commitLsn));
        }

        private static Instant time(String text) {
            try {
                return InstantText.parse(text);
            } catch (DateTimeParseException e) {
                throw new ContractViolation("time", "'" + text + "' is not an RFC 3339 timestamp");
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
    }
}
