package dev.headwater.cdc.relay;

import dev.headwater.contract.ContractViolation;
import dev.headwater.contract.EventAttributes;
import dev.headwater.contract.EventMetadata;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A row of the log on its way to Kafka: the contract's attributes, checked like an
 * {@link dev.headwater.contract.EventEnvelope}'s, and the payload still as the JSON text the slot
 * delivered. The relay never needs the payload's tree: the codec copies the text into the record
 * (see {@link dev.headwater.contract.CloudEventCodec#encode(EventAttributes, String)}).
 */
record RelayedEvent(
        UUID eventId,
        String tenantId,
        String aggregateType,
        String aggregateId,
        long aggregateVersion,
        String eventType,
        int schemaVersion,
        String payloadJson,
        EventMetadata metadata,
        Instant recordedAt,
        long globalPosition,
        @Nullable Long commitLsn)
        implements EventAttributes {

    RelayedEvent {
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
        if (payloadJson == null || payloadJson.isEmpty()) {
            throw new ContractViolation("payload", "is required");
        }
    }
}
