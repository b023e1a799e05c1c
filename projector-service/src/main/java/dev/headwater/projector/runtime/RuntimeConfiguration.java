package dev.headwater.projector.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The runtime's beans. A service that reuses the runtime imports this configuration and
 * defines {@link Projection} beans (and a {@link Clock}).
 */
@Configuration(proxyBeanMethods = false)
@Import(ProjectionAdminController.class)
@EnableConfigurationProperties({ProjectorProperties.class, KafkaConnection.class})
public class RuntimeConfiguration {

    private static final long CACHE_NANOS = Duration.ofSeconds(10).toNanos();

    @Bean
    ProjectionRuntime projectionRuntime(
            List<Projection> projections,
            DataSource dataSource,
            KafkaConnection kafka,
            ProjectorProperties properties,
            MeterRegistry registry,
            ObjectProvider<CommitHook> commitHooks,
            Clock clock) {
        ProjectionRuntime runtime = new ProjectionRuntime(
                projections,
                dataSource,
                kafka,
                properties,
                registry,
                commitHooks.orderedStream().toList(),
                clock);
        registerDeadLetterGauges(runtime, registry);
        return runtime;
    }

    @Bean
    AppliedNotifications appliedNotifications(DataSource dataSource) {
        return new AppliedNotifications(dataSource);
    }

    @Bean
    ProjectionHealthIndicator projectionsHealthIndicator(ProjectionRuntime runtime) {
        return new ProjectionHealthIndicator(runtime);
    }

    /** Open dead letters per projection, read at scrape time at most every ten seconds. */
    private static void registerDeadLetterGauges(ProjectionRuntime runtime, MeterRegistry registry) {
        AtomicReference<Map<String, Long>> counts = new AtomicReference<>(Map.of());
        AtomicLong readAt = new AtomicLong(System.nanoTime() - CACHE_NANOS - 1);
        for (String name : runtime.names()) {
            Gauge.builder("headwater.projector.dead_letters", () -> {
                        long now = System.nanoTime();
                        if (now - readAt.get() > CACHE_NANOS) {
                            try {
                                counts.set(runtime.openDeadLetters());
                                readAt.set(now);
                            } catch (RuntimeException e) {
                                return Double.NaN;
                            }
                        }
                        return counts.get().getOrDefault(name, 0L);
                    })
                    .description("Open (parked or halted) dead letters of the live generation")
                    .tag("projection", name)
                    .register(registry);
        }
    }
}
