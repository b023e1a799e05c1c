package dev.headwater.e2e.check;

import dev.headwater.contract.EventMetadata;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One row of {@code event_log.events}: the truth every other place is held against.
 *
 * @param transactionId the inserting transaction ({@code xid8} as text): a command's events share one
 */
public record LoggedEvent(
        long globalPosition,
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
        String transactionId) {

    /** {@code type/id}, the stream's name in reports. */
    public String stream() {
        return aggregateType + "/" + aggregateId;
    }
}
