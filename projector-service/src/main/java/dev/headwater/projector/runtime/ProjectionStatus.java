package dev.headwater.projector.runtime;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A projection as this instance sees it, for the admin API and the health check.
 *
 * @param state the local consumer loop's state ({@code STOPPED} where disabled here)
 * @param generation the live generation the loop applies to
 * @param partitions the partitions assigned here, with checkpoint, end offset and lag
 * @param rebuild the rebuild this instance runs, if any
 */
public record ProjectionStatus(
        String name,
        WorkerState state,
        PoisonPolicy poisonPolicy,
        long generation,
        @Nullable String haltReason,
        @Nullable Long haltedDeadLetter,
        @Nullable String lastError,
        long eventsApplied,
        double eventsPerSecond,
        List<PartitionStatus> partitions,
        @Nullable RebuildStatus rebuild) {

    /** One assigned partition. */
    public record PartitionStatus(String topic, int partition, long checkpoint, long endOffset, long lag) {}

    /** A rebuild in progress on this instance. */
    public record RebuildStatus(long generation, String phase, long replayed, long caughtUp) {}
}
