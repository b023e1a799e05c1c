package dev.headwater.projector;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventHeaders;
import dev.headwater.contract.EventMetadata;
import dev.headwater.contract.TopicNaming;
import dev.headwater.testsupport.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes events as the platform does: appended to {@code event_log.events} (as the command service
 * would, one transaction per call) and published in the contract format, keyed by aggregate id with
 * the contract's headers (as the CDC relay would). Tests may also publish records by hand.
 */
final class EventFeed implements AutoCloseable {

    static final List<String> AGGREGATE_TYPES = List.of("tenant", "node", "allocation", "api-token");
    static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String INSERT = """
            INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                   event_type, payload, metadata, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)
            RETURNING global_position, recorded_at
            """;

    private final DataSource app;
    private final KafkaProducer<String, byte[]> producer;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final TopicNaming topics = TopicNaming.defaults();

    /** An event to append. */
    record NewEvent(
            String tenantId,
            String aggregateType,
            String aggregateId,
            long version,
            String eventType,
            JsonNode payload,
            Instant recordedAt,
            String actor) {}

    EventFeed(DataSource app, String bootstrapServers) {
        this.app = app;
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    static void createTopics(KafkaBroker broker, int partitions) {
        TopicNaming naming = TopicNaming.defaults();
        for (String type : AGGREGATE_TYPES) {
            broker.createTopic(naming.topicFor(type), partitions);
        }
    }

    /** Appends the events in one transaction; returns them as the log holds them. */
    List<EventEnvelope> append(List<NewEvent> events) {
        List<EventEnvelope> appended = new ArrayList<>(events.size());
        try (Connection connection = app.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (NewEvent event : events) {
                    UUID id = UUID.randomUUID();
                    String commandId = "cmd-" + id.toString().substring(0, 8);
                    insert.setObject(1, id);
                    insert.setString(2, event.tenantId());
                    insert.setString(3, event.aggregateType());
                    insert.setString(4, event.aggregateId());
                    insert.setLong(5, event.version());
                    insert.setString(6, event.eventType());
                    insert.setString(7, event.payload().toString());
                    insert.setString(
                            8,
                            JSON.writeValueAsString(Map.of(
                                    EventMetadata.ACTOR, event.actor(),
                                    EventMetadata.COMMAND_ID, commandId,
                                    EventMetadata.CORRELATION_ID, commandId)));
                    insert.setTimestamp(9, Timestamp.from(event.recordedAt()));
                    try (ResultSet rows = insert.executeQuery()) {
                        rows.next();
                        appended.add(new EventEnvelope(
                                id,
                                event.tenantId(),
                                event.aggregateType(),
                                event.aggregateId(),
                                event.version(),
                                event.eventType(),
                                1,
                                event.payload(),
                                new EventMetadata(event.actor(), commandId, commandId, null, null),
                                rows.getTimestamp(2).toInstant(),
                                rows.getLong(1),
                                null));
                    }
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("appending to the log failed: " + e.getMessage(), e);
        }
        return appended;
    }

    private static final String INSERT_MANY = """
            INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                   event_type, payload, metadata, recorded_at)
            SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::jsonb[],
                                 ?::jsonb[], ?::timestamptz[])
            RETURNING event_id, global_position, recorded_at
            """;

    /** Appends many events with one statement per chunk of 5,000, for benchmarks. */
    List<EventEnvelope> appendMany(List<NewEvent> events) {
        List<EventEnvelope> appended = new ArrayList<>(events.size());
        try (Connection connection = app.getConnection()) {
            for (int from = 0; from < events.size(); from += 5_000) {
                List<NewEvent> chunk = events.subList(from, Math.min(events.size(), from + 5_000));
                int n = chunk.size();
                Object[] ids = new Object[n];
                Object[][] columns = new Object[8][n];
                for (int i = 0; i < n; i++) {
                    NewEvent e = chunk.get(i);
                    ids[i] = UUID.randomUUID();
                    columns[0][i] = e.tenantId();
                    columns[1][i] = e.aggregateType();
                    columns[2][i] = e.aggregateId();
                    columns[3][i] = e.version();
                    columns[4][i] = e.eventType();
                    columns[5][i] = e.payload().toString();
                    columns[6][i] = JSON.writeValueAsString(Map.of(EventMetadata.ACTOR, e.actor()));
                    columns[7][i] = e.recordedAt().toString();
                }
                Map<UUID, Object[]> returned = new HashMap<>();
                try (PreparedStatement insert = connection.prepareStatement(INSERT_MANY)) {
                    insert.setArray(1, connection.createArrayOf("uuid", ids));
                    String[] types = {"text", "text", "text", "int8", "text", "text", "text", "text"};
                    for (int c = 0; c < 8; c++) {
                        insert.setArray(c + 2, connection.createArrayOf(types[c], columns[c]));
                    }
                    try (ResultSet rows = insert.executeQuery()) {
                        while (rows.next()) {
                            returned.put((UUID) rows.getObject(1), new Object[] {
                                rows.getLong(2), rows.getTimestamp(3).toInstant()
                            });
                        }
                    }
                }
                for (int i = 0; i < n; i++) {
                    NewEvent e = chunk.get(i);
                    Object[] row = returned.get((UUID) ids[i]);
                    appended.add(new EventEnvelope(
                            (UUID) ids[i],
                            e.tenantId(),
                            e.aggregateType(),
                            e.aggregateId(),
                            e.version(),
                            e.eventType(),
                            1,
                            e.payload(),
                            new EventMetadata(e.actor(), null, null, null, null),
                            (Instant) row[1],
                            (Long) row[0],
                            null));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("appending to the log failed: " + e.getMessage(), e);
        }
        return appended;
    }

    /** Publishes the events in the contract format and waits for every acknowledgement. */
    void publish(List<EventEnvelope> events) {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (EventEnvelope event : events) {
            sent.add(producer.send(record(event)));
        }
        producer.flush();
        try {
            for (var future : sent) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing failed: " + e.getCause(), e);
        }
    }

    /** Publishes a raw value under an aggregate's key, as a broken producer might. */
    void publishRaw(String aggregateType, String key, byte[] value, Map<String, String> headers) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.topicFor(aggregateType), key, value);
        headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing failed: " + e.getCause(), e);
        }
    }

    List<EventEnvelope> appendAndPublish(List<NewEvent> events) {
        List<EventEnvelope> appended = append(events);
        publish(appended);
        return appended;
    }

    private ProducerRecord<String, byte[]> record(EventEnvelope event) {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(topics.topicFor(event.aggregateType()), event.aggregateId(), codec.encode(event));
        Map<String, String> headers = new HashMap<>();
        headers.put(EventHeaders.CONTENT_TYPE, EventHeaders.CONTENT_TYPE_VALUE);
        headers.put(EventHeaders.EVENT_ID, event.eventId().toString());
        headers.put(EventHeaders.EVENT_TYPE, event.eventType());
        headers.put(EventHeaders.TENANT_ID, event.tenantId());
        headers.put(EventHeaders.AGGREGATE_TYPE, event.aggregateType());
        headers.put(EventHeaders.AGGREGATE_VERSION, Long.toString(event.aggregateVersion()));
        headers.put(EventHeaders.GLOBAL_POSITION, Long.toString(event.globalPosition()));
        headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    @Override
    public void close() {
        producer.close();
    }
}
