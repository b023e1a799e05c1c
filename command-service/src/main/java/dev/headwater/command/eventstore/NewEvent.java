package dev.headwater.command.eventstore;

import dev.headwater.contract.EventMetadata;
import java.util.Objects;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** An event to append; the store assigns its version and global position. */
public record NewEvent(UUID eventId, String eventType, int schemaVersion, JsonNode payload, EventMetadata metadata) {

    public NewEvent {
        Objects.requireNonNull(eventId, "eventId");
        if (eventType.isEmpty()) {
            throw new IllegalArgumentException("an event type is required");
        }
        if (schemaVersion < 1) {
            throw new IllegalArgumentException("a schema version is at least 1, was " + schemaVersion);
        }
        if (!payload.isObject()) {
            throw new IllegalArgumentException("a payload is a JSON object");
        }
        Objects.requireNonNull(metadata, "metadata");
    }

    /** A first-version event with a fresh id. */
    public static NewEvent of(String eventType, JsonNode payload, EventMetadata metadata) {
        return new NewEvent(EventIds.next(), eventType, 1, payload, metadata);
    }
}
