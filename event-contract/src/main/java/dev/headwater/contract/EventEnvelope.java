package dev.headwater.contract;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One committed event of the log, as every consumer sees it.
 *
 * @param eventId stable identity; the dedupe key for consumers
 * @param tenantId the tenant the event belongs to
 * @param aggregateType the stream's type; names the topic
 * @param aggregateId the stream's id; the record key
 * @param aggregateVersion position in the stream: starts at 1, no gaps, strictly increasing per key
 * @param eventType what happened, for example {@code TenantCreated}
 * @param schemaVersion version of the payload's shape, for upcasters
 * @param payload the fact, a JSON object
 * @param metadata who and why
 * @param recordedAt transaction time of the append
 * @param globalPosition position in the log: unique and increasing in insert order (not commit order)
 * @param commitLsn WAL position of the commit that made the event visible, where known (the relay
 *     knows it; an event read from the table does not)
 */
public record EventEnvelope(
        UUID eventId,
        String tenantId,
        String aggregateType,
        String aggregateId,
        long aggregateVersion,
        String eventType,
        int schemaVersion,
        JsonNode payload,
        EventMetadata metadata,
        Instant recordedAt,
        long globalPosition,
        @Nullable Long commitLsn)
        implements EventAttributes {

    /**
     * Aggregate types name topics and URL segments: lower-case letters, digits, {@code _} and
     * {@code -}, starting with a letter, at most 64 characters.
     */
    public static final Pattern AGGREGATE_TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

    public EventEnvelope {
        EventAttributes.requireValid(
                eventId,
                tenantId,
                aggregateType,
                aggregateId,
                aggregateVersion,
                eventType,
                schemaVersion,
                metadata,
                recordedAt);
        Objects.requireNonNull(payload, "payload");
        if (!payload.isObject()) {
            throw new ContractViolation("payload", "must be a JSON object");
        }
    }

    /** The same event with the commit LSN the relay observed. */
    public EventEnvelope withCommitLsn(long lsn) {
        return new EventEnvelope(
                eventId,
                tenantId,
                aggregateType,
                aggregateId,
                aggregateVersion,
                eventType,
                schemaVersion,
                payload,
                metadata,
                recordedAt,
                globalPosition,
                lsn);
    }
}
