package dev.headwater.command.stream;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** An event as the read endpoints show it. */
record EventView(
        UUID eventId,
        String tenantId,
        String aggregateType,
        String aggregateId,
        long version,
        String type,
        int schemaVersion,
        JsonNode payload,
        Map<String, String> metadata,
        String recordedAt,
        long globalPosition) {

    static EventView of(EventEnvelope event) {
        Map<String, String> metadata = new LinkedHashMap<>();
        EventMetadata m = event.metadata();
        put(metadata, EventMetadata.ACTOR, m.actor());
        put(metadata, EventMetadata.COMMAND_ID, m.commandId());
        put(metadata, EventMetadata.CORRELATION_ID, m.correlationId());
        put(metadata, EventMetadata.CAUSATION_ID, m.causationId());
        put(metadata, EventMetadata.TRACEPARENT, m.traceparent());
        return new EventView(
                event.eventId(),
                event.tenantId(),
                event.aggregateType(),
                event.aggregateId(),
                event.aggregateVersion(),
                event.eventType(),
                event.schemaVersion(),
                event.payload(),
                metadata,
                event.recordedAt().toString(),
                event.globalPosition());
    }

    private static void put(
            Map<String, String> metadata, String name, @org.jspecify.annotations.Nullable String value) {
        if (value != null) {
            metadata.put(name, value);
        }
    }
}
