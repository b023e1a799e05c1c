package dev.headwater.contract;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Everything the topic contract says about an event except its payload: the CloudEvents context
 * attributes, the extensions and the record headers are made from these. {@link EventEnvelope} is
 * the complete event; a publisher that holds the payload only as JSON text (the relay, reading the
 * log's {@code jsonb} column) implements this and hands the text to
 * {@link CloudEventCodec#encode(EventAttributes, String)}. See {@link EventEnvelope} for the
 * meaning of each attribute and {@link #requireValid} for the rules every implementation keeps.
 */
public interface EventAttributes {

    UUID eventId();

    String tenantId();

    String aggregateType();

    String aggregateId();

    long aggregateVersion();

    String eventType();

    int schemaVersion();

    EventMetadata metadata();

    Instant recordedAt();

    long globalPosition();

    @Nullable
    Long commitLsn();

    /**
     * The contract's rules for the attributes, for the constructor of every implementation (a
     * record's compact constructor cannot call its own accessors yet, hence the parameters).
     *
     * @throws ContractViolation naming the first attribute that breaks a rule
     */
    static void requireValid(
            @Nullable UUID eventId,
            @Nullable String tenantId,
            @Nullable String aggregateType,
            @Nullable String aggregateId,
            long aggregateVersion,
            @Nullable String eventType,
            int schemaVersion,
            @Nullable EventMetadata metadata,
            @Nullable Instant recordedAt) {
        if (eventId == null) {
            throw new NullPointerException("eventId");
        }
        requireText("tenantId", tenantId);
        requireText("aggregateType", aggregateType);
        if (!EventEnvelope.AGGREGATE_TYPE.matcher(aggregateType).matches()) {
            throw new ContractViolation(
                    "aggregateType", "'" + aggregateType + "' does not match " + EventEnvelope.AGGREGATE_TYPE);
        }
        requireText("aggregateId", aggregateId);
        if (aggregateVersion < 1) {
            throw new ContractViolation("aggregateVersion", "must be at least 1, was " + aggregateVersion);
        }
        requireText("eventType", eventType);
        if (schemaVersion < 1) {
            throw new ContractViolation("schemaVersion", "must be at least 1, was " + schemaVersion);
        }
        if (metadata == null) {
            throw new NullPointerException("metadata");
        }
        if (recordedAt == null) {
            throw new NullPointerException("recordedAt");
        }
    }

    private static void requireText(String field, @Nullable String value) {
        if (value == null || value.isEmpty()) {
            throw new ContractViolation(field, "is required");
        }
    }
}
