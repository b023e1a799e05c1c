package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class KafkaConsumersTest {

    @Test
    void fetches_are_capped_unless_the_configuration_says_otherwise() {
        KafkaConsumers plain = consumers(Map.of());
        for (Map<String, Object> config :
                List.of(plain.groupConfig("audit-trail"), plain.unassignedConfig("audit-trail"))) {
            assertThat(config)
                    .containsEntry(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * 1024 * 1024)
                    .containsEntry(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 512 * 1024);
        }

        KafkaConsumers tuned = consumers(Map.of("fetch.max.bytes", "52428800", "group.instance.id", "a"));
        assertThat(tuned.groupConfig("audit-trail"))
                .containsEntry(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "52428800")
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "headwater-projector.audit-trail")
                .containsEntry("group.instance.id", "a");
        // The rebuild's catch-up consumer has no group: group settings do not reach it, the rest does.
        assertThat(tuned.unassignedConfig("audit-trail"))
                .containsEntry(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "52428800")
                .doesNotContainKeys(ConsumerConfig.GROUP_ID_CONFIG, "group.instance.id");
    }

    private static KafkaConsumers consumers(Map<String, String> consumer) {
        return new KafkaConsumers(
                new KafkaConnection("127.0.0.1:9092"), ProjectorPropertiesTest.properties(Map.of(), consumer));
    }
}
