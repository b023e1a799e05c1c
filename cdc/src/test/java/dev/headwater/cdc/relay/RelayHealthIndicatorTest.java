package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.cdc.config.CdcProperties;
import dev.headwater.cdc.leader.LeaderLock;
import dev.headwater.cdc.slot.SlotMonitor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.health.contributor.Health;

class RelayHealthIndicatorTest {

    /** A lock another instance holds, on a database that may be unreachable. */
    private static final class ForeignLock implements LeaderLock {
        final AtomicReference<@Nullable String> error = new AtomicReference<>();

        @Override
        public boolean tryAcquire() {
            return false;
        }

        @Override
        public boolean isHeld() {
            return false;
        }

        @Override
        public int holderPid() {
            throw new IllegalStateException("not held");
        }

        @Override
        public Optional<String> lastError() {
            return Optional.ofNullable(error.get());
        }

        @Override
        public void close() {}
    }

    @Test
    void a_standby_is_up_while_it_can_compete_for_the_lock_and_down_when_its_database_is_unreachable() {
        CdcProperties settings = TestRelays.settings(Map.of());
        RelayStateHolder holder = new RelayStateHolder();
        RelayMetrics metrics = new RelayMetrics(new SimpleMeterRegistry(), holder::state);
        ForeignLock lock = new ForeignLock();
        DebeziumProperties.DatabaseLogin login =
                new DebeziumProperties.DatabaseLogin("jdbc:postgresql://localhost:1/none", "u", "p");
        RelaySupervisor supervisor = new RelaySupervisor(
                settings,
                lock,
                new EngineFactory(settings, "localhost:1", login, metrics, Clock.systemUTC()),
                metrics,
                Clock.systemUTC());
        RelayHealthIndicator health = new RelayHealthIndicator(
                supervisor, new SlotMonitor(new PGSimpleDataSource(), "s", Clock.systemUTC(), bytes -> {}));
        assertThat(health.health().getStatus().getCode()).as("not started").isEqualTo("DOWN");

        supervisor.start();
        try {
            await("standing by").atMost(Duration.ofSeconds(5)).until(() -> supervisor.state() == RelayState.STANDBY);
            Health standingBy = health.health();
            assertThat(standingBy.getStatus().getCode()).isEqualTo("UP");
            assertThat(standingBy.getDetails()).containsEntry("role", "standby");

            lock.error.set("Connection refused");
            Health cutOff = health.health();
            assertThat(cutOff.getStatus().getCode()).isEqualTo("DOWN");
            assertThat(cutOff.getDetails()).containsEntry("lockError", "Connection refused");
        } finally {
            supervisor.stop(Duration.ofSeconds(5));
        }
        assertThat(supervisor.state()).isEqualTo(RelayState.STOPPED);
        assertThat(health.health().getStatus().getCode()).isEqualTo("DOWN");
    }
}
