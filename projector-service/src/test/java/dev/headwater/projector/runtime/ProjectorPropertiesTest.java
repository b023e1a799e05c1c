package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectorPropertiesTest {

    @Test
    void retries_back_off_exponentially_up_to_the_cap() {
        var retry = new ProjectorProperties.Retry(3, Duration.ofMillis(200), Duration.ofSeconds(1));
        assertThat(retry.backoff(1)).isEqualTo(Duration.ofMillis(200));
        assertThat(retry.backoff(2)).isEqualTo(Duration.ofMillis(400));
        assertThat(retry.backoff(3)).isEqualTo(Duration.ofMillis(800));
        assertThat(retry.backoff(4)).isEqualTo(Duration.ofSeconds(1));
        assertThat(retry.backoff(400)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void a_projection_setting_overrides_the_default_poison_policy() {
        var properties =
                properties(Map.of("audit-trail", new ProjectorProperties.ProjectionSettings(false, PoisonPolicy.HALT)));
        assertThat(properties.poisonPolicyOf("audit-trail")).isEqualTo(PoisonPolicy.HALT);
        assertThat(properties.poisonPolicyOf("allocations")).isEqualTo(PoisonPolicy.PARK);
        assertThat(properties.enabled("audit-trail")).isFalse();
        assertThat(properties.enabled("allocations")).isTrue();
    }

    @Test
    void a_poll_timeout_of_zero_is_refused() {
        assertThatThrownBy(() -> new ProjectorProperties(
                        false,
                        "headwater",
                        "g",
                        Duration.ZERO,
                        10,
                        PoisonPolicy.PARK,
                        Map.of(),
                        retry(),
                        consistency(),
                        rebuild(),
                        Map.of()))
                .hasMessageContaining("poll-timeout");
    }

    private static ProjectorProperties properties(Map<String, ProjectorProperties.ProjectionSettings> projections) {
        return properties(projections, Map.of());
    }

    /** The defaults, with these projection settings and extra consumer properties. */
    static ProjectorProperties properties(
            Map<String, ProjectorProperties.ProjectionSettings> projections, Map<String, String> consumer) {
        return new ProjectorProperties(
                false,
                "headwater",
                "headwater-projector",
                Duration.ofMillis(500),
                2000,
                PoisonPolicy.PARK,
                projections,
                retry(),
                consistency(),
                rebuild(),
                consumer);
    }

    private static ProjectorProperties.Retry retry() {
        return new ProjectorProperties.Retry(3, Duration.ofMillis(200), Duration.ofSeconds(5));
    }

    private static ProjectorProperties.Consistency consistency() {
        return new ProjectorProperties.Consistency(Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    private static ProjectorProperties.Rebuild rebuild() {
        return new ProjectorProperties.Rebuild(5000, Duration.ofMinutes(2));
    }
}
