package dev.headwater.cdc.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The relay's meters (Prometheus names in the README's operations section). */
public final class RelayMetrics {

    private final Counter published;
    private final DistributionSummary batchSize;
    private final Timer commitToAck;
    private final Counter engineRestarts;
    private final AtomicLong lastGlobalPosition = new AtomicLong(-1);
    private final AtomicLong retainedWalBytes = new AtomicLong(-1);

    public RelayMetrics(MeterRegistry registry, Supplier<RelayState> state) {
        published = Counter.builder("headwater.cdc.events.published")
                .description("Events Kafka acknowledged")
                .register(registry);
        batchSize = DistributionSummary.builder("headwater.cdc.batch.size")
                .description("Events per published batch")
                .publishPercentileHistogram()
                .register(registry);
        commitToAck = Timer.builder("headwater.cdc.commit.to.ack")
                .description("From the event's commit in Postgres to Kafka's acknowledgement")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        engineRestarts = Counter.builder("headwater.cdc.engine.restarts")
                .description("Engine runs that ended in a failure and were restarted")
                .register(registry);
        Gauge.builder("headwater.cdc.last.published.global.position", lastGlobalPosition, AtomicLong::get)
                .description("Global position of the last event Kafka acknowledged (-1: none yet)")
                .register(registry);
        Gauge.builder("headwater.cdc.slot.retained.wal.bytes", retainedWalBytes, AtomicLong::get)
                .description("WAL the slot keeps: current WAL position minus the slot's confirmed flush (-1: no slot)")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("headwater.cdc.leader", state, s -> s.get().isLeader() ? 1 : 0)
                .description("1 while this instance holds the leader lock")
                // The supplier is a lambda nobody else references: a weak gauge would read NaN.
                .strongReference(true)
                .register(registry);
        Gauge.builder("headwater.cdc.engine.running", state, s -> s.get() == RelayState.RUNNING ? 1 : 0)
                .description("1 while the engine runs on this instance")
                .strongReference(true)
                .register(registry);
    }

    void batchPublished(int events, long lastPosition) {
        if (events > 0) {
            published.increment(events);
            batchSize.record(events);
            lastGlobalPosition.set(lastPosition);
        }
    }

    void commitToAck(Duration latency) {
        commitToAck.record(latency.isNegative() ? Duration.ZERO : latency);
    }

    void engineRestarted() {
        engineRestarts.increment();
    }

    public void retainedWalBytes(long bytes) {
        retainedWalBytes.set(bytes);
    }
}
