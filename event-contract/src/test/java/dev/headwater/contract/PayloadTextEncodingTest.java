package dev.headwater.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The payload-text path ({@link CloudEventCodec#encode(EventAttributes, String)}) and the new time
 * formatting must publish exactly the bytes the codec published before them. {@link #frozen} is the
 * codec's encoder as it was (commit 295e939), kept here as the reference.
 */
class PayloadTextEncodingTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final CloudEventCodec codec = new CloudEventCodec();

    /** Payloads as Postgres prints {@code jsonb}: a space after every colon and comma. */
    private static final List<String> POSTGRES_JSONB = List.of(
            "{}",
            "{\"name\": \"Acme Corp\", \"quota\": {\"gpus\": 1, \"cpuMillis\": 8000, \"memoryMib\": 16384}}",
            "{\"nodeId\": \"node-1\", \"tenantId\": \"acme\", \"workload\": \"web-frontend\", \"resources\":"
                    + " {\"gpus\": 0, \"cpuMillis\": 500, \"memoryMib\": 1024}}",
            "{\"a\": [], \"b\": [1, -2, 0, 9223372036854775807, 123456789012345678901234567890], \"c\": {}}",
            "{\"t\": true, \"f\": false, \"n\": null, \"nested\": [[{\"x\": [null]}]]}",
            "{\"quote\": \"say \\\"hi\\\"\", \"back\\\\slash\": \"a\\\\b\", \"ws\": \"tab\\there\\nnew\\rline\\b\\f\"}",
            "{\"unicode\": \"Zürich – 東京 – emoji 🚀\", \"slash\": \"a/b\", \"spaces\": \"  keep  them  \"}",
            "{\"key with : and , inside\": \"value with { and [ inside\"}",
            // Refused by the fast path: fractions, exponents, \\u escapes. Still the same bytes.
            "{\"ratio\": 0.5, \"big\": 1.50, \"tiny\": 0.00001, \"pi\": 3.14159265358979323846}",
            "{\"control\": \"bell\\u0007 unit\\u001f\"}",
            "{\"n\": 100, \"m\": -0.0}");

    @Test
    void the_payload_text_path_publishes_the_bytes_the_tree_path_published() {
        SplittableRandom random = new SplittableRandom(8);
        for (String payload : POSTGRES_JSONB) {
            for (int i = 0; i < 50; i++) {
                EventEnvelope event = event(payload, randomInstant(random), i % 2 == 0 ? 0x1A0B1C2D3L : null);

                byte[] before = frozen(event);

                assertThat(codec.encode(event)).as(payload).isEqualTo(before);
                assertThat(codec.encode(event, payload)).as(payload).isEqualTo(before);
                assertThat(codec.decode(codec.encode(event, payload))).isEqualTo(event);
            }
        }
    }

    @Test
    void the_catalogue_payloads_take_the_fast_path_and_fractions_or_unicode_escapes_do_not() {
        assertThat(CompactJson.compactObject(POSTGRES_JSONB.get(1))).isNotNull();
        assertThat(CompactJson.compactObject(POSTGRES_JSONB.get(2))).isNotNull();
        assertThat(CompactJson.compactObject(POSTGRES_JSONB.get(6))).isNotNull();
        assertThat(CompactJson.compactObject(POSTGRES_JSONB.get(8))).isNull();
        assertThat(CompactJson.compactObject(POSTGRES_JSONB.get(9))).isNull();
    }

    @Test
    void text_that_is_not_a_json_object_is_refused_as_the_payload() {
        EventEnvelope event = event("{}", Instant.EPOCH, null);
        for (String notAnObject : List.of("[1, 2]", "\"text\"", "42", "{\"a\": 1} {}", "{\"a\": ", "nonsense", "")) {
            assertThatThrownBy(() -> codec.encode(event, notAnObject))
                    .as(notAnObject)
                    .isInstanceOf(ContractViolation.class)
                    .extracting(e -> ((ContractViolation) e).field())
                    .isEqualTo("payload");
        }
    }

    @Test
    void times_print_as_instant_to_string_prints_them() {
        SplittableRandom random = new SplittableRandom(30);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = randomInstant(random);
            assertThat(InstantText.format(instant)).isEqualTo(instant.toString());
        }
        for (Instant edge : List.of(
                Instant.EPOCH,
                Instant.parse("1969-12-31T23:59:59.999999999Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("2026-11-30T07:00:00.100Z"),
                Instant.parse("2026-11-30T07:00:00.000100Z"),
                Instant.parse("2026-11-30T07:00:00.000000100Z"))) {
            assertThat(InstantText.format(edge)).isEqualTo(edge.toString());
        }
    }

    /** Mostly microsecond times (what Postgres stores), some whole seconds, millis and nanos. */
    private static Instant randomInstant(SplittableRandom random) {
        long seconds = random.nextLong(0, 4_102_444_800L);
        int nanos = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
        return Instant.ofEpochSecond(seconds, nanos);
    }

    private EventEnvelope event(String payload, Instant recordedAt, @Nullable Long commitLsn) {
        return new EventEnvelope(
                UUID.fromString("5f0c6a2e-3a6b-4d1f-9c59-0b3c1d3e2f10"),
                "acme",
                "allocation",
                "00000000-0000-4000-8000-000000000001",
                2,
                "AllocationPlaced",
                1,
                json.readTree(payload),
                new EventMetadata("token:bench", "cmd-1", null, null, "00-ab-cd-01"),
                recordedAt,
                1234567,
                commitLsn);
    }

    /** {@code CloudEventCodec.encode} as of 295e939: the tree of the payload, {@code Instant.toString}. */
    private byte[] frozen(EventEnvelope event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("specversion", "1.0");
            g.writeStringProperty("id", event.eventId().toString());
            g.writeStringProperty("source", "/headwater/" + event.aggregateType());
            g.writeStringProperty("type", event.eventType());
            g.writeStringProperty("subject", event.aggregateId());
            g.writeStringProperty("time", event.recordedAt().toString());
            g.writeStringProperty("datacontenttype", "application/json");
            g.writeStringProperty("tenantid", event.tenantId());
            g.writeStringProperty("aggregatetype", event.aggregateType());
            g.writeStringProperty("aggregateversion", Long.toString(event.aggregateVersion()));
            g.writeStringProperty("globalposition", Long.toString(event.globalPosition()));
            g.writeNumberProperty("schemaversion", event.schemaVersion());
            if (event.commitLsn() != null) {
                g.writeStringProperty("commitlsn", EventHeaders.formatLsn(event.commitLsn()));
            }
            String[][] metadata = {
                {"actor", event.metadata().actor()},
                {"commandid", event.metadata().commandId()},
                {"correlationid", event.metadata().correlationId()},
                {"causationid", event.metadata().causationId()},
                {"traceparent", event.metadata().traceparent()}
            };
            for (String[] attribute : metadata) {
                if (attribute[1] != null) {
                    g.writeStringProperty(attribute[0], attribute[1]);
                }
            }
            g.writeName("data");
            g.writeTree(event.payload());
            g.writeEndObject();
        }
        return out.toByteArray();
    }
}
