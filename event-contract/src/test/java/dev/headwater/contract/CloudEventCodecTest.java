package dev.headwater.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class CloudEventCodecTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final CloudEventCodec codec = new CloudEventCodec();

    @Test
    void an_event_survives_encoding_and_decoding_unchanged() {
        EventEnvelope event = sample();

        assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
    }

    @Test
    void the_encoded_form_is_a_structured_cloud_event_with_the_documented_attributes() {
        JsonNode encoded = json.readTree(codec.encode(sample()));

        assertThat(encoded.get("specversion").asString()).isEqualTo("1.0");
        assertThat(encoded.get("id").asString()).isEqualTo("5f0c6a2e-3a6b-4d1f-9c59-0b3c1d3e2f10");
        assertThat(encoded.get("source").asString()).isEqualTo("/headwater/tenant");
        assertThat(encoded.get("type").asString()).isEqualTo("TenantCreated");
        assertThat(encoded.get("subject").asString()).isEqualTo("acme");
        assertThat(encoded.get("time").asString()).isEqualTo("2026-11-30T07:00:00.123456Z");
        assertThat(encoded.get("datacontenttype").asString()).isEqualTo("application/json");
        assertThat(encoded.get("tenantid").asString()).isEqualTo("acme");
        assertThat(encoded.get("aggregateversion").asString()).isEqualTo("3");
        assertThat(encoded.get("globalposition").asString()).isEqualTo("9007199254740993");
        assertThat(encoded.get("schemaversion").asInt()).isEqualTo(2);
        assertThat(encoded.get("commitlsn").asString()).isEqualTo("1/A0B1C2D3");
        assertThat(encoded.get("traceparent").asString()).startsWith("00-");
        assertThat(encoded.get("data").get("cpuMillis").asLong()).isEqualTo(4000);
    }

    @Test
    void lsns_print_as_postgres_prints_them() {
        assertThat(EventHeaders.formatLsn(0x16B3748L)).isEqualTo("0/16B3748");
        assertThat(EventHeaders.parseLsn("1/A0B1C2D3")).isEqualTo(0x1A0B1C2D3L);
    }

    @Test
    void headers_repeat_the_routing_essentials_and_omit_an_unknown_commit_lsn() {
        EventEnvelope event = sample();

        var headers = EventHeaders.of(event);

        assertThat(headers.keySet())
                .containsExactly(
                        "content-type",
                        "hw-event-id",
                        "hw-event-type",
                        "hw-tenant-id",
                        "hw-aggregate-type",
                        "hw-aggregate-version",
                        "hw-global-position",
                        "hw-commit-lsn");
        assertThat(new String(headers.get(EventHeaders.AGGREGATE_VERSION), StandardCharsets.UTF_8))
                .isEqualTo("3");
        assertThat(new String(headers.get(EventHeaders.COMMIT_LSN), StandardCharsets.UTF_8))
                .isEqualTo("1/A0B1C2D3");
        EventEnvelope withoutLsn = new EventEnvelope(
                event.eventId(),
                event.tenantId(),
                event.aggregateType(),
                event.aggregateId(),
                event.aggregateVersion(),
                event.eventType(),
                event.schemaVersion(),
                event.payload(),
                event.metadata(),
                event.recordedAt(),
                event.globalPosition(),
                null);
        assertThat(EventHeaders.of(withoutLsn)).doesNotContainKey(EventHeaders.COMMIT_LSN);
    }

    @Test
    void attributes_the_decoder_does_not_know_are_ignored() {
        String withExtra = new String(codec.encode(sample()), StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"futureattribute\":\"x\",");

        assertThat(codec.decode(withExtra.getBytes(StandardCharsets.UTF_8))).isEqualTo(sample());
    }

    @Test
    void a_document_of_another_spec_version_or_without_an_id_is_refused_naming_the_attribute() {
        String encoded = new String(codec.encode(sample()), StandardCharsets.UTF_8);

        assertThatThrownBy(
                        () -> codec.decode(encoded.replace("\"1.0\"", "\"0.3\"").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ContractViolation.class)
                .extracting(e -> ((ContractViolation) e).field())
                .isEqualTo("specversion");
        assertThatThrownBy(
                        () -> codec.decode(encoded.replace("\"id\"", "\"xid\"").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ContractViolation.class)
                .extracting(e -> ((ContractViolation) e).field())
                .isEqualTo("id");
        assertThatThrownBy(() -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ContractViolation.class);
    }

    @Test
    void a_whole_number_beyond_64_bits_is_refused_naming_the_attribute() {
        String encoded = new String(codec.encode(sample()), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> codec.decode(encoded.replace(
                                "\"globalposition\":\"9007199254740993\"", "\"globalposition\":99999999999999999999")
                        .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ContractViolation.class)
                .extracting(e -> ((ContractViolation) e).field())
                .isEqualTo("globalposition");
    }

    @Test
    void an_envelope_refuses_a_version_below_one_and_an_aggregate_type_unfit_for_a_topic_name() {
        assertThatThrownBy(() -> withVersionAndType(0, "tenant")).hasMessageContaining("aggregateVersion");
        assertThatThrownBy(() -> withVersionAndType(1, "Tenant Things")).hasMessageContaining("aggregateType");
    }

    @Test
    void the_default_topic_of_an_aggregate_type_follows_the_contract() {
        assertThat(TopicNaming.defaults().topicFor("allocation")).isEqualTo("headwater.allocation.events");
        assertThat(TopicNaming.prefixed("staging").topicFor("node")).isEqualTo("staging.node.events");
    }

    @Test
    void a_consistency_token_reads_back_what_it_was_given_even_with_colons_in_the_id() {
        ConsistencyToken token = new ConsistencyToken("allocation", "a:b:c", 42);

        assertThat(ConsistencyToken.decode(token.encode())).isEqualTo(token);
        assertThatThrownBy(() -> ConsistencyToken.decode("garbage!")).isInstanceOf(ContractViolation.class);
    }

    private EventEnvelope sample() {
        return SampleEvent.of(json);
    }

    private EventEnvelope withVersionAndType(long version, String type) {
        EventEnvelope s = sample();
        return new EventEnvelope(
                s.eventId(),
                s.tenantId(),
                type,
                s.aggregateId(),
                version,
                s.eventType(),
                s.schemaVersion(),
                s.payload(),
                s.metadata(),
                s.recordedAt(),
                s.globalPosition(),
                s.commitLsn());
    }
}
