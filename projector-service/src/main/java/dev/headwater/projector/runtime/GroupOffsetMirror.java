package dev.headwater.projector.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The checkpoints copied to the consumer group's offsets, for lag tooling only: positions come
 * from Postgres (docs/adr/0030), so these may trail. Copied at most once per interval instead of
 * after every batch: at a steady load a projection commits a batch every few tens of milliseconds,
 * and each copy was a request to the broker and about a tenth of a worker's CPU samples.
 */
final class GroupOffsetMirror {

    /** How often the group's offsets catch up with the checkpoints. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Clock clock;
    private final Duration interval;
    private final Map<TopicPartition, Long> pending = new HashMap<>();
    private @Nullable Instant lastCopy;

    GroupOffsetMirror(Clock clock, Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("the interval must not be negative, was " + interval);
        }
        this.clock = clock;
        this.interval = interval;
    }

    /**
     * Takes a committed batch's next offsets; returns what to copy to the group now (the latest
     * offset of each assigned partition since the last copy), or nothing before the interval ends.
     */
    Map<TopicPartition, OffsetAndMetadata> committed(
            Map<TopicPartition, Long> next, Collection<TopicPartition> assigned) {
        next.forEach((partition, offset) -> pending.merge(partition, offset, Math::max));
        Instant now = clock.instant();
        if (pending.isEmpty() || (lastCopy != null && now.isBefore(lastCopy.plus(interval)))) {
            return Map.of();
        }
        lastCopy = now;
        Map<TopicPartition, OffsetAndMetadata> copy = new HashMap<>();
        pending.forEach((partition, offset) -> {
            if (assigned.contains(partition)) {
                copy.put(partition, new OffsetAndMetadata(offset));
            }
        });
        pending.clear();
        return copy;
    }

    /** Partitions this worker no longer owns: their next owner copies their offsets. */
    void forget(Collection<TopicPartition> partitions) {
        pending.keySet().removeAll(partitions);
    }
}
