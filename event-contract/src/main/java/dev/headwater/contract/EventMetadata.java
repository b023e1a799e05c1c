package dev.headwater.contract;

import org.jspecify.annotations.Nullable;

/**
 * Who caused an event and why, as stored in the log's {@code metadata} column under these JSON
 * names: {@code actor}, {@code commandId}, {@code correlationId}, {@code causationId},
 * {@code traceparent} (W3C Trace Context).
 */
public record EventMetadata(
        @Nullable String actor,
        @Nullable String commandId,
        @Nullable String correlationId,
        @Nullable String causationId,
        @Nullable String traceparent) {

    public static final String ACTOR = "actor";
    public static final String COMMAND_ID = "commandId";
    public static final String CORRELATION_ID = "correlationId";
    public static final String CAUSATION_ID = "causationId";
    public static final String TRACEPARENT = "traceparent";

    private static final EventMetadata EMPTY = new EventMetadata(null, null, null, null, null);

    public static EventMetadata empty() {
        return EMPTY;
    }
}
