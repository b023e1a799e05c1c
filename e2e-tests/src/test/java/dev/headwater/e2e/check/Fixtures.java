package dev.headwater.e2e.check;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventHeaders;
import dev.headwater.contract.EventMetadata;
import dev.headwater.contract.TopicNaming;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Logged events and topic records made up for the checker's own tests. */
final class Fixtures {

    static final JsonMapper json = JsonMapper.builder().build();
    static final TopicNaming naming = TopicNaming.defaults();
    static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

    private Fixtures() {}

    static LoggedEvent event(long position, String type, String id, long version, String eventType, String payload) {
        return event(position, type, id, version, eventType, payload, T0.plusSeconds(position), "tx" + position);
    }

    static LoggedEvent event(
            long position,
            String type,
            String id,
            long version,
            String eventType,
            String payload,
            Instant at,
            String transaction) {
        return new LoggedEvent(
                position,
                UUID.nameUUIDFromBytes((type + id + version).getBytes(StandardCharsets.UTF_8)),
                "acme",
                type,
                id,
                version,
                eventType,
                1,
                json.readTree(payload),
                new EventMetadata("token:x", "cmd-" + position, "corr", "cmd-" + position, null),
                at,
                transaction);
    }

    /** The record the relay would publish for {@code event}, at {@code offset} of partition 0. */
    static TopicRecord record(LoggedEvent event, long offset) {
        return record(event, offset, event.payload());
    }

    static TopicRecord record(LoggedEvent event, long offset, JsonNode payload) {
        EventEnvelope envelope = new EventEnvelope(
                event.eventId(),
                event.tenantId(),
                event.aggregateType(),
                event.aggregateId(),
                event.aggregateVersion(),
                event.eventType(),
                event.schemaVersion(),
                payload,
                event.metadata(),
                event.recordedAt(),
                event.globalPosition(),
                1000L + event.globalPosition());
        Map<String, String> headers = new HashMap<>();
        EventHeaders.of(envelope).forEach((k, v) -> headers.put(k, new String(v, StandardCharsets.UTF_8)));
        return new TopicRecord(
                naming.topicFor(event.aggregateType()), 0, offset, event.aggregateId(), headers, envelope, null);
    }
}
