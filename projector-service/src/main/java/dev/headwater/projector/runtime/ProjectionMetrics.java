package dev.headwater.projector.runtime;

import dev.headwater.contract.EventEnvelope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * The meters of one projection: lag per partition (end offset − checkpoint), applied / duplicate /
 * parked events (rate() gives events/s), batch duration, commit→applied latency (from each
 * event's recordedAt to the batch commit), loop state and halted flag.
 */
final class ProjectionMetrics {

    private final Counter applied;
    private final Counter duplicates;
    private final Counter parked;
    private final Counter redone;
    private final Timer batchDuration;
    private final Timer applyLatency;
    private final MultiGauge lag;
    private final AtomicInteger state = new AtomicInteger();
    private final AtomicInteger halted = new AtomicInteger();
    private final AtomicLong appliedTotal = new AtomicLong();
    private final RateWindow rate = new RateWindow();
    private final Map<TopicPartition, AtomicLong> lagByPartition = new HashMap<>();

    ProjectionMetrics(MeterRegistry registry, String projection) {
        Tags tags = Tags.of("projection", projection);
        applied = Counter.builder("headwater.projector.events")
                .description("Events by outcome: applied (version advanced), duplicate (skipped by version), parked")
                .tags(tags.and("outcome", "applied"))
                .register(registry);
        duplicates = Counter.builder("headwater.projector.events")
                .tags(tags.and("outcome", "duplicate"))
                .register(registry);
        parked = Counter.builder("headwater.projector.events")
                .tags(tags.and("outcome", "parked"))
                .register(registry);
        redone = Counter.builder("headwater.projector.batches.redone")
                .description("Batches applied again at once with every stream looked up after a first attempt that"
                        + " took streams starting at version 1 as new failed: a redelivery, or a handler failure that"
                        + " is not transient (docs/adr/0042)")
                .tags(tags)
                .register(registry);
        batchDuration = Timer.builder("headwater.projector.batch.duration")
                .description("Time to apply and commit one batch")
                .tags(tags)
                .register(registry);
        applyLatency = Timer.builder("headwater.projector.applied.latency")
                .description("From an event's recordedAt (its commit in the log) to the commit of its batch here")
                .tags(tags)
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        lag = MultiGauge.builder("headwater.projector.lag")
                .description("End offset minus checkpoint, per assigned partition")
                .tags(tags)
                .register(registry);
        Gauge.builder("headwater.projector.state", state, AtomicInteger::get)
                .description(
                        "Loop state: ordinal of WorkerState (0 STARTING, 1 RUNNING, 2 REBUILDING, 3 HALTED, 4 STOPPING, 5 STOPPED)")
                .tags(tags)
                .register(registry);
        Gauge.builder("headwater.projector.halted", halted, AtomicInteger::get)
                .description("1 while the projection is halted at a poison event")
                .tags(tags)
                .register(registry);
    }

    void batchCommitted(BatchApplier.Result result, Duration took, Instant committedAt) {
        applied.increment(result.advanced());
        duplicates.increment(result.duplicates());
        parked.increment(result.parked());
        appliedTotal.addAndGet(result.advanced());
        rate.add(committedAt, result.advanced());
        batchDuration.record(took);
        for (EventEnvelope event : result.appliedEvents()) {
            Duration latency = Duration.between(event.recordedAt(), committedAt);
            if (!latency.isNegative()) {
                applyLatency.record(latency);
            }
        }
    }

    void batchRedone() {
        redone.increment();
    }

    /**
     * Called after every poll. The gauges are registered again only when the assigned partitions
     * change: re-registering every row on every poll (remove and add each meter) was the largest
     * item of a worker's CPU at a steady 1,000 events/s, where batches are small and frequent.
     */
    synchronized void progress(Map<TopicPartition, ProjectionWorker.PartitionProgress> progress) {
        if (!lagByPartition.keySet().equals(progress.keySet())) {
            lagByPartition.keySet().retainAll(progress.keySet());
            progress.keySet().forEach(partition -> lagByPartition.computeIfAbsent(partition, k -> new AtomicLong()));
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            lagByPartition.forEach((partition, value) -> rows.add(MultiGauge.Row.of(
                    Tags.of("topic", partition.topic(), "partition", Integer.toString(partition.partition())),
                    value,
                    AtomicLong::get)));
            lag.register(rows, true);
        }
        progress.forEach((partition, p) -> lagByPartition.get(partition).set(p.lag()));
    }

    void state(WorkerState next) {
        state.set(next.ordinal());
    }

    void halted(boolean value) {
        halted.set(value ? 1 : 0);
    }

    long appliedTotal() {
        return appliedTotal.get();
    }

    double eventsPerSecond(Instant now) {
        return rate.perSecond(now);
    }

    /** Events per second over the last ten seconds, in one-second buckets. */
    private static final class RateWindow {
        private static final int SECONDS = 10;
        private final long[] counts = new long[SECONDS];
        private final long[] seconds = new long[SECONDS];

        synchronized void add(Instant at, long events) {
            long second = at.getEpochSecond();
            int slot = (int) (second % SECONDS);
            if (seconds[slot] != second) {
                seconds[slot] = second;
                counts[slot] = 0;
            }
            counts[slot] += events;
        }

        synchronized double perSecond(Instant now) {
            long current = now.getEpochSecond();
            long total = 0;
            for (int i = 0; i < SECONDS; i++) {
                if (current - seconds[i] < SECONDS) {
                    total += counts[i];
                }
            }
            return total / (double) SECONDS;
        }
    }
}
