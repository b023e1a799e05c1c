package dev.headwater.projector.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.projector.events.Resources;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BillingTest {

    @Test
    void usage_is_split_at_hour_boundaries_exactly_to_the_microsecond() {
        Map<Instant, Billing.Usage> hours = new TreeMap<>();
        Billing.addTo(
                hours,
                Instant.parse("2026-01-01T10:59:30.250000Z"),
                Instant.parse("2026-01-01T12:00:10Z"),
                new Resources(500, 1024, 1));

        assertThat(hours)
                .containsOnlyKeys(
                        Instant.parse("2026-01-01T10:00:00Z"),
                        Instant.parse("2026-01-01T11:00:00Z"),
                        Instant.parse("2026-01-01T12:00:00Z"));
        assertThat(hours.get(Instant.parse("2026-01-01T10:00:00Z")).cpuMillicoreSeconds())
                .isEqualByComparingTo(new BigDecimal("14875")); // 29.75 s * 500
        assertThat(hours.get(Instant.parse("2026-01-01T11:00:00Z")).gpuSeconds())
                .isEqualByComparingTo(new BigDecimal("3600"));
        assertThat(hours.get(Instant.parse("2026-01-01T12:00:00Z")).memoryMibSeconds())
                .isEqualByComparingTo(new BigDecimal("10240"));
    }

    @Test
    void an_allocation_released_the_moment_it_was_placed_uses_nothing() {
        Map<Instant, Billing.Usage> hours = new TreeMap<>();
        Instant at = Instant.parse("2026-01-01T10:00:00Z");
        Billing.addTo(hours, at, at, new Resources(500, 1024, 1));
        assertThat(hours).isEmpty();
    }
}
