package dev.headwater.projector.runtime;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An event a projection could not apply, or one parked behind it, as the admin API shows it.
 *
 * @param cause {@code failed} (its own handling failed) or {@code behind} (an earlier event of the
 *     same aggregate failed)
 * @param status {@code parked}, {@code halted} (the projection stopped at it), {@code applied}
 *     (a retry succeeded) or {@code skipped}
 * @param record the record value as received, as text
 */
public record DeadLetter(
        long id,
        String projection,
        long generation,
        @Nullable String topic,
        @Nullable Integer partition,
        @Nullable Long offset,
        @Nullable UUID eventId,
        String aggregateType,
        String aggregateId,
        @Nullable Long aggregateVersion,
        @Nullable String eventType,
        String cause,
        @Nullable String error,
        int attempts,
        String status,
        Instant failedAt,
        @Nullable Instant resolvedAt,
        @Nullable String resolvedBy,
        @Nullable String resolutionNote,
        @Nullable String requestedAction,
        @Nullable String requestedBy,
        @Nullable String requestedNote,
        String record) {

    public static final String PARKED = "parked";
    public static final String HALTED = "halted";
    public static final String APPLIED = "applied";
    public static final String SKIPPED = "skipped";
    public static final String CAUSE_FAILED = "failed";
    public static final String CAUSE_BEHIND = "behind";

    public boolean open() {
        return PARKED.equals(status) || HALTED.equals(status);
    }
}
