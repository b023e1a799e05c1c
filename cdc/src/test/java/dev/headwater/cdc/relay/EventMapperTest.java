package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headwater.contract.EventEnvelope;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EventMapperTest {

    private final EventMapper mapper = new EventMapper(JsonMapper.builder().build());

    @Test
    void a_row_becomes_the_envelope_with_parsed_json_text_uuid_and_timestamp() {
        SourceRecord record = TestRecords.streamed(42, "node-7", 3, 500).record();

        EventEnvelope event = mapper.toEnvelope(record, 0x1A0B1C2D3L);

        assertThat(event.eventId()).isEqualTo(UUID.fromString("5f0c6a2e-3a6b-4d1f-9c59-0b3c1d3e2042"));
        assertThat(event.aggregateId()).isEqualTo("node-7");
        assertThat(event.aggregateVersion()).isEqualTo(3);
        assertThat(event.globalPosition()).isEqualTo(42);
        assertThat(event.payload().get("cpu").asInt()).isEqualTo(4);
        assertThat(event.metadata().actor()).isEqualTo("token:1");
        assertThat(event.metadata().correlationId()).isEqualTo("c-1");
        assertThat(event.metadata().traceparent()).isEqualTo("00-ab-cd-01");
        assertThat(event.recordedAt()).isEqualTo(Instant.parse("2026-11-30T07:00:00.123456Z"));
        assertThat(event.commitLsn()).isEqualTo(0x1A0B1C2D3L);
    }

    @Test
    void an_update_or_delete_is_a_permanent_failure_because_the_log_only_grows() {
        assertThatThrownBy(() -> mapper.toEnvelope(TestRecords.operation("u").record(), null))
                .isInstanceOf(PermanentRelayFailure.class)
                .hasMessageContaining("operation 'u'");
        assertThatThrownBy(() -> mapper.toEnvelope(TestRecords.operation("d").record(), null))
                .isInstanceOf(PermanentRelayFailure.class);
    }

    @Test
    void a_row_that_breaks_the_contract_is_a_permanent_failure_naming_its_position() {
        SourceRecord record = TestRecords.streamed(9, "n-1", 1, 100).record();
        ((Struct) ((Struct) record.value()).get("after")).put("aggregate_type", "Not A Topic Name");

        assertThatThrownBy(() -> mapper.toEnvelope(record, null))
                .isInstanceOf(PermanentRelayFailure.class)
                .hasMessageContaining("global position 9")
                .hasMessageContaining("aggregateType");
        assertThat(RelaySupervisor.isPermanent(new RuntimeException("wrapped", new PermanentRelayFailure("x"))))
                .isTrue();
        assertThat(RelaySupervisor.isPermanent(new TransientRelayFailure("kafka", new RuntimeException())))
                .isFalse();
    }
}
