package dev.headwater.e2e.check;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventHeaders;
import dev.headwater.contract.TopicNaming;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;

/**
 * Holds the topics against the log, as a downstream consumer relies on them: every logged event is
 * on its aggregate type's topic, keyed by its aggregate id, with the same content; nothing is there
 * that the log does not hold; per aggregate, the first copies arrive in version order. A second copy
 * of an event (a re-send) is counted, and must equal the first.
 */
final class KafkaAudit {

    /** What the topics hold, in numbers; the anomalies go to the report. */
    record Result(long records, long distinctEvents, long duplicates) {}

    private KafkaAudit() {}

    static Result audit(
            List<LoggedEvent> log,
            Map<TopicPartition, List<TopicRecord>> topics,
            TopicNaming naming,
            Anomalies anomalies) {
        Map<UUID, LoggedEvent> byId = new HashMap<>();
        log.forEach(event -> byId.put(event.eventId(), event));
        Map<UUID, TopicRecord> firstCopies = new HashMap<>();
        long records = 0;
        long duplicates = 0;
        for (Map.Entry<TopicPartition, List<TopicRecord>> partition : topics.entrySet()) {
            Map<String, Long> highest = new HashMap<>();
            for (TopicRecord record : partition.getValue()) {
                records++;
                EventEnvelope event = record.event();
                if (event == null) {
                    anomalies.add("kafka.undecodable", record.where() + ": " + record.decodeError());
                    continue;
                }
                checkHeaders(record, event, anomalies);
                LoggedEvent logged = byId.get(event.eventId());
                if (logged == null) {
                    anomalies.add(
                            "kafka.unknown",
                            record.where() + ": event " + event.eventId() + " (" + event.aggregateType() + "/"
                                    + event.aggregateId() + " v" + event.aggregateVersion() + ") is not in the log");
                    continue;
                }
                checkRouting(record, logged, naming, anomalies);
                checkContent(record, event, logged, anomalies);
                TopicRecord first = firstCopies.putIfAbsent(event.eventId(), record);
                if (first != null) {
                    duplicates++;
                    if (!sameEvent(first.event(), event)) {
                        anomalies.add(
                                "kafka.conflicting-copy",
                                record.where() + " repeats event " + event.eventId() + " of " + first.where()
                                        + " with other content");
                    }
                }
                checkOrder(record, logged, first != null, highest, anomalies);
            }
        }
        for (LoggedEvent event : log) {
            if (!firstCopies.containsKey(event.eventId())) {
                anomalies.add(
                        "kafka.missing",
                        "event " + event.eventId() + " (" + event.stream() + " v" + event.aggregateVersion()
                                + ", position " + event.globalPosition() + ") is not on "
                                + naming.topicFor(event.aggregateType()));
            }
        }
        return new Result(records, firstCopies.size(), duplicates);
    }

    /**
     * Per aggregate within its partition, a first copy must carry the version after the highest
     * seen so far; a repeated copy (a re-send) may carry any version already seen.
     */
    private static void checkOrder(
            TopicRecord record, LoggedEvent logged, boolean repeated, Map<String, Long> highest, Anomalies anomalies) {
        long seen = highest.getOrDefault(logged.stream(), 0L);
        long version = logged.aggregateVersion();
        if (repeated) {
            if (version > seen) {
                anomalies.add(
                        "kafka.order",
                        record.where() + ": a repeated copy of " + logged.stream() + " v" + version
                                + " arrives after only v" + seen + " was seen in this partition");
            }
        } else if (version != seen + 1) {
            anomalies.add(
                    "kafka.order",
                    record.where() + ": " + logged.stream() + " v" + version + " arrives after v" + seen);
        }
        highest.put(logged.stream(), Math.max(seen, version));
    }

    private static void checkRouting(TopicRecord record, LoggedEvent logged, TopicNaming naming, Anomalies anomalies) {
        String topic = naming.topicFor(logged.aggregateType());
        if (!topic.equals(record.topic()) || !logged.aggregateId().equals(record.key())) {
            anomalies.add(
                    "kafka.routing",
                    record.where() + ": " + logged.stream() + " v" + logged.aggregateVersion() + " has key "
                            + record.key() + " on " + record.topic() + ", expected key " + logged.aggregateId()
                            + " on " + topic);
        }
    }

    private static void checkHeaders(TopicRecord record, EventEnvelope event, Anomalies anomalies) {
        Map<String, String> expected = Map.of(
                EventHeaders.EVENT_ID, event.eventId().toString(),
                EventHeaders.EVENT_TYPE, event.eventType(),
                EventHeaders.TENANT_ID, event.tenantId(),
                EventHeaders.AGGREGATE_TYPE, event.aggregateType(),
                EventHeaders.AGGREGATE_VERSION, Long.toString(event.aggregateVersion()),
                EventHeaders.GLOBAL_POSITION, Long.toString(event.globalPosition()));
        List<String> wrong = new ArrayList<>();
        expected.forEach((name, value) -> {
            if (!value.equals(record.headers().get(name))) {
                wrong.add(name + "=" + record.headers().get(name) + " (value says " + value + ")");
            }
        });
        if (!wrong.isEmpty()) {
            anomalies.add("kafka.headers", record.where() + ": " + String.join(", ", wrong));
        }
    }

    private static void checkContent(TopicRecord record, EventEnvelope event, LoggedEvent logged, Anomalies anomalies) {
        List<String> wrong = new ArrayList<>();
        compare(wrong, "tenantId", logged.tenantId(), event.tenantId());
        compare(wrong, "aggregateType", logged.aggregateType(), event.aggregateType());
        compare(wrong, "aggregateId", logged.aggregateId(), event.aggregateId());
        compare(wrong, "aggregateVersion", logged.aggregateVersion(), event.aggregateVersion());
        compare(wrong, "eventType", logged.eventType(), event.eventType());
        compare(wrong, "schemaVersion", logged.schemaVersion(), event.schemaVersion());
        compare(wrong, "payload", logged.payload(), event.payload());
        compare(wrong, "metadata", logged.metadata(), event.metadata());
        compare(wrong, "recordedAt", logged.recordedAt(), event.recordedAt());
        compare(wrong, "globalPosition", logged.globalPosition(), event.globalPosition());
        if (!wrong.isEmpty()) {
            anomalies.add(
                    "kafka.content",
                    record.where() + ": event " + logged.eventId() + " differs from the log in "
                            + String.join(", ", wrong));
        }
    }

    private static void compare(List<String> wrong, String field, Object logged, Object published) {
        if (!Objects.equals(logged, published)) {
            wrong.add(field + " (log " + logged + ", topic " + published + ")");
        }
    }

    private static boolean sameEvent(EventEnvelope a, EventEnvelope b) {
        return Objects.equals(a, b);
    }
}
