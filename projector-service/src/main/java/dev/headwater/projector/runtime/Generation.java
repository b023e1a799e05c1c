package dev.headwater.projector.runtime;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One generation of a projection's tables: the live one, or one a rebuild built.
 *
 * @param state {@code building}, {@code live}, {@code retired}, {@code failed} or {@code abandoned}
 * @param checksums per table, as compared at the swap (JSON text), when the rebuild got that far
 */
public record Generation(
        String projection,
        long generation,
        String state,
        Instant startedAt,
        @Nullable Instant finishedAt,
        @Nullable String requestedBy,
        long eventsReplayed,
        @Nullable String checksums,
        @Nullable String detail) {

    public static final String BUILDING = "building";
    public static final String LIVE = "live";
    public static final String RETIRED = "retired";
    public static final String FAILED = "failed";
    public static final String ABANDONED = "abandoned";
}
