package dev.headwater.cdc.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class CdcPropertiesTest {

    @Test
    void without_settings_the_documented_defaults_apply() {
        CdcProperties settings = bind(Map.of());

        assertThat(settings.slotName()).isEqualTo("headwater_cdc");
        assertThat(settings.publication()).isEqualTo("headwater_events");
        assertThat(settings.topics().prefix()).isEqualTo("headwater");
        assertThat(settings.topics().partitions()).isEqualTo(12);
        assertThat(settings.topics().replicationFactor()).isEqualTo(3);
        assertThat(settings.topics().precreate()).containsExactly("tenant", "node", "allocation", "api-token");
        assertThat(settings.engine().pollInterval()).isEqualTo(Duration.ofMillis(5));
        assertThat(settings.engine().heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.engine().offsetFlushInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.producer().linger()).isEqualTo(Duration.ofMillis(2));
        assertThat(settings.leader().pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.restart().maxBackoff()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void a_queue_no_larger_than_a_batch_is_refused_naming_both_settings() {
        assertThatThrownBy(() -> bind(Map.of(
                        "headwater.cdc.engine.max-batch-size", "100", "headwater.cdc.engine.max-queue-size", "100")))
                .isInstanceOf(BindException.class)
                .hasStackTraceContaining("max-queue-size");
    }

    private static CdcProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("headwater.cdc", CdcProperties.class);
    }
}
