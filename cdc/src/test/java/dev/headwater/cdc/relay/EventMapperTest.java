package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EventMapperTest {

    private final EventMapper mapper = new EventMapper(JsonMapper.builder().build());

    @Test
    void a_row_becomes_the_event_with_parsed_metadata_uuid_and_timestamp_and_the_payload_text_as_delivered() {
        SourceRecord record = TestRecords.streamed(42, "node-7", 3, 500).record();

        RelayedEvent event = mapper.toEvent(record, 0x1A0B1C2D3L);

        assertThat(event.eventId()).isEqualTo(UUID.fromString("5f0c6a2e-3a6b-4d1f-9c59-0b3c1d3e2042"));
        assertThat(event.aggregateId()).isEqualTo("node-7");
        assertThat(event.aggregateVersion()).isEqualTo(3);
        assertThat(event.globalPosition()).isEqualTo(42);
        assertThat(event.payloadJson())
                .isEqualTo(((Struct) ((Struct) record.value()).get("after")).getString("payload"));
        assertThat(event.metadata().actor()).isEqualTo("token:1");
        assertThat(event.metadata().correlationId()).isEqualTo("c-1");
        assertThat(event.metadata().traceparent()).isEqualTo("00-ab-cd-01");
        assertThat(event.recordedAt()).isEqualTo(Instant.parse("2026-11-30T07:00:00.123456Z"));
        assertThat(event.commitLsn()).isEqualTo(0x1A0B1C2D3L);
    }

    @Test
    void an_update_or_delete_is_a_permanent_failure_because_the_log_only_grows() {
        assertThatThrownBy(() -> mapper.toEvent(TestRecords.operation("u").record(), null))
                .isInstanceOf(PermanentRelayFailure.class)
                .hasMessageContaining("operation 'u'");
        assertThatThrownBy(() -> mapper.toEvent(TestRecords.operation("d").record(), null))
                .isInstanceOf(PermanentRelayFailure.class);
    }

    @Test
    void a_row_that_breaks_the_contract_is_a_permanent_failure_naming_its_position() {
        SourceRecord record = TestRecords.streamed(9, "n-1", 1, 100).record();
        ((Struct) ((Struct) record.value()).get("after")).put("aggregate_type", "Not A Topic Name");

        assertThatThrownBy(() -> mapper.toEvent(record, null))
                .isInstanceOf(PermanentRelayFailure.class)
                .hasMessageContaining("global position 9")
                .hasMessageContaining("aggregateType");
        assertThat(RelaySupervisor.isPermanent(new RuntimeException("wrapped", new PermanentRelayFailure("x"))))
                .isTrue();
        assertThat(RelaySupervisor.isPermanent(new TransientRelayFailure("kafka", new RuntimeException())))
                .isFalse();
    }

    @Test
    void metadata_fields_read_as_a_tree_would_read_them_and_unknown_or_nested_fields_are_ignored() {
        SourceRecord record = TestRecords.streamed(7, "n-1", 1, 100).record();
        ((Struct) ((Struct) record.value()).get("after"))
                .put(
                        "metadata",
                        "{\"other\": {\"actor\": \"nested\"}, \"actor\": \"token:2\", \"commandId\": 12,"
                                + " \"correlationId\": 1.50, \"causationId\": null, \"traceparent\": [\"x\"]}");

        RelayedEvent event = mapper.toEvent(record, null);

        assertThat(event.metadata().actor()).isEqualTo("token:2");
        assertThat(event.metadata().commandId()).isEqualTo("12");
        assertThat(event.metadata().correlationId()).isEqualTo("1.5");
        assertThat(event.metadata().causationId()).isNull();
        assertThat(event.metadata().traceparent()).isNull();
    }

    @Test
    void a_payload_or_metadata_that_is_not_a_json_object_is_a_permanent_failure() {
        SourceRecord payload = TestRecords.streamed(8, "n-1", 1, 100).record();
        ((Struct) ((Struct) payload.value()).get("after")).put("payload", "[1, 2]");
        SourceRecord metadata = TestRecords.streamed(8, "n-1", 1, 100).record();
        ((Struct) ((Struct) metadata.value()).get("after")).put("metadata", "\"actor\"");

        assertThatThrownBy(() -> mapper.toEvent(payload, null))
                .isInstanceOf(PermanentRelayFailure.class)
                .hasMessageContaining("payload");
        assertThatThrownBy(() -> mapper.toEvent(metadata, null))
                .isInstanceOf(PermanentRelayFailure.class)
                .hasMessageContaining("metadata");
    }
}
