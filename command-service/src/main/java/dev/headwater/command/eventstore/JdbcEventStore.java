package dev.headwater.command.eventstore;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The event store on Postgres. An append is one {@code INSERT ... SELECT} over arrays of the
 * events' columns (a single event's columns are bound directly): one round trip whatever the batch
 * size. It checks the expected version and the
 * stream's tenant in the same statement, so the happy path costs one statement (a separate head
 * query before every append was a quarter of a command's round trips), and a stale expectation or
 * another tenant's stream is reported, after a look at the head, with no error state;
 * a concurrent transaction that takes the same version first is caught by the database (the
 * unique stream version or the contiguity trigger of ADR 0003) and reported the same way.
 */
final class JdbcEventStore implements EventStore {

    static final String UNIQUE_VIOLATION = "23505";
    static final String CHECK_VIOLATION = "23514";
    static final String STREAM_VERSION_KEY = "events_stream_version_key";
    static final String VERSION_CONTIGUOUS = "events_version_contiguous";

    /** The stream's head: its version and its tenant (the first event's), as the CTE {@code head}. */
    private static final String HEAD_OF_STREAM = """
            WITH head AS (
                SELECT coalesce(max(aggregate_version), 0) AS version,
                       (SELECT f.tenant_id FROM event_log.events f
                         WHERE f.aggregate_type = ? AND f.aggregate_id = ? AND f.aggregate_version = 1) AS tenant_id
                  FROM event_log.events
                 WHERE aggregate_type = ? AND aggregate_id = ?)
            """;

    /** No row unless the head matches the expectation (-1 = any) and the stream is new or the tenant's. */
    private static final String EXPECTATION_AND_TENANT = """
             WHERE (? = -1 OR head.version = ?)
               AND (head.tenant_id IS NULL OR head.tenant_id = ?)
            """;

    /**
     * Versions follow the stream's head, read in the same statement; no row is inserted unless the
     * head matches the expectation (-1 = any) and the stream is new or the appending tenant's (the
     * tenant of its first event). Rows go in in array order, so the contiguity trigger sees each
     * event's predecessor.
     */
    static final String APPEND = HEAD_OF_STREAM + """
            INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                          event_type, schema_version, payload, metadata)
            SELECT e.event_id, ?, ?, ?, head.version + e.ord, e.event_type, e.schema_version,
                   e.payload::jsonb, e.metadata::jsonb
              FROM head,
                   unnest(?::uuid[], ?::text[], ?::int[], ?::text[], ?::text[])
                       WITH ORDINALITY AS e(event_id, event_type, schema_version, payload, metadata, ord)
            """ + EXPECTATION_AND_TENANT + """
             ORDER BY e.ord
            RETURNING global_position, aggregate_version
            """;

    /**
     * {@link #APPEND} for a single event, with the same head, expectation and tenant checks: most
     * commands append one event, and binding its columns as plain parameters spares the driver
     * building five arrays and the server parsing and unnesting them for every such command.
     */
    static final String APPEND_ONE = HEAD_OF_STREAM + """
            INSERT INTO event_log.events (tenant_id, aggregate_type, aggregate_id, event_id, aggregate_version,
                                          event_type, schema_version, payload, metadata)
            SELECT ?, ?, ?, ?, head.version + 1, ?, ?, ?::jsonb, ?::jsonb
              FROM head
            """ + EXPECTATION_AND_TENANT + """
            RETURNING global_position, aggregate_version
            """;

    static final String CURRENT_VERSION = """
            SELECT coalesce(max(aggregate_version), 0)
              FROM event_log.events
             WHERE aggregate_type = ? AND aggregate_id = ?
            """;

    /** The tenant is the first event's: every event of a stream belongs to one tenant. */
    static final String HEAD = """
            SELECT max(e.aggregate_version) AS version,
                   (SELECT tenant_id FROM event_log.events f
                     WHERE f.aggregate_type = ? AND f.aggregate_id = ? AND f.aggregate_version = 1) AS tenant_id
              FROM event_log.events e
             WHERE e.aggregate_type = ? AND e.aggregate_id = ?
            """;

    // The text form of the transaction id gets a name of its own: ORDER BY picks an output column
    // before a table column of the same name, and text order ("100" before "99") would skip events.
    private static final String COLUMNS = """
            global_position, event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
            event_type, schema_version, payload::text AS payload, metadata::text AS metadata, recorded_at,
            transaction_id::text AS transaction_text
            """;

    static final String READ_STREAM = "SELECT " + COLUMNS + """
              FROM event_log.events
             WHERE aggregate_type = ? AND aggregate_id = ? AND aggregate_version >= ?
             ORDER BY aggregate_version
             LIMIT ?
            """;

    /**
     * Commit-visibility order: every transaction below the snapshot's xmin has ended, so the rows
     * of those transactions are final and a cursor over (transaction_id, global_position) never
     * passes a row that could still appear.
     */
    static final String READ_ALL = "SELECT " + COLUMNS + """
              FROM event_log.events
             WHERE (transaction_id, global_position) > (?::text::xid8, ?)
               AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY transaction_id, global_position
             LIMIT ?
            """;

    static final String READ_ALL_OF_TENANT = "SELECT " + COLUMNS + """
              FROM event_log.events
             WHERE (transaction_id, global_position) > (?::text::xid8, ?)
               AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
               AND tenant_id = ?
             ORDER BY transaction_id, global_position
             LIMIT ?
            """;

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final Timer appended;
    private final Timer refused;

    JdbcEventStore(JdbcTemplate jdbc, JsonMapper json, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.json = json;
        this.appended = appendTimer(meters, "appended");
        this.refused = appendTimer(meters, "wrong-expected-version");
    }

    private static Timer appendTimer(MeterRegistry meters, String outcome) {
        return Timer.builder("headwater.eventstore.append")
                .description("Time of the append statement, by outcome")
                .tag("outcome", outcome)
                .register(meters);
    }

    @Override
    public AppendResult append(StreamId stream, String tenantId, ExpectedVersion expected, List<NewEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an append needs at least one event");
        }
        if (tenantId.isEmpty()) {
            throw new IllegalArgumentException("a tenant id is required");
        }
        long started = System.nanoTime();
        List<long[]> rows;
        try {
            rows = jdbc.execute((Connection connection) -> insert(connection, stream, tenantId, expected, events));
        } catch (DataAccessException e) {
            if (isLostRace(e)) {
                refused.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                throw new WrongExpectedVersion(stream, expected, null);
            }
            throw e;
        }
        if (rows == null || rows.isEmpty()) {
            refused.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            // Refused: the head says why (another tenant's stream is reported before a stale version).
            Optional<StreamHead> head = head(stream);
            if (head.isPresent() && !head.get().tenantId().equals(tenantId)) {
                throw new StreamOfAnotherTenant(stream, head.get().tenantId());
            }
            throw new WrongExpectedVersion(
                    stream, expected, head.map(StreamHead::version).orElse(0L));
        }
        appended.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        List<long[]> appendedRows = rows;
        appendedRows.sort(Comparator.comparingLong(row -> row[1]));
        List<Long> positions = new ArrayList<>(appendedRows.size());
        for (long[] row : appendedRows) {
            positions.add(row[0]);
        }
        return new AppendResult(stream, appendedRows.get(appendedRows.size() - 1)[1], positions);
    }

    private List<long[]> insert(
            Connection connection, StreamId stream, String tenantId, ExpectedVersion expected, List<NewEvent> events)
            throws SQLException {
        if (events.size() == 1) {
            return insertOne(connection, stream, tenantId, expected, events.get(0));
        }
        int size = events.size();
        UUID[] ids = new UUID[size];
        String[] types = new String[size];
        Integer[] schemaVersions = new Integer[size];
        String[] payloads = new String[size];
        String[] metadata = new String[size];
        for (int i = 0; i < size; i++) {
            NewEvent event = events.get(i);
            ids[i] = event.eventId();
            types[i] = event.eventType();
            schemaVersions[i] = event.schemaVersion();
            payloads[i] = json.writeValueAsString(event.payload());
            metadata[i] = json.writeValueAsString(metadataJson(event.metadata()));
        }
        List<Array> arrays = List.of(
                connection.createArrayOf("uuid", ids),
                connection.createArrayOf("text", types),
                connection.createArrayOf("int4", schemaVersions),
                connection.createArrayOf("text", payloads),
                connection.createArrayOf("text", metadata));
        try (PreparedStatement statement = connection.prepareStatement(APPEND)) {
            int p = bindHead(statement, stream, tenantId);
            for (Array array : arrays) {
                statement.setArray(p++, array);
            }
            bindChecks(statement, p, expected, tenantId);
            return rows(statement, size);
        } finally {
            for (Array array : arrays) {
                array.free();
            }
        }
    }

    private List<long[]> insertOne(
            Connection connection, StreamId stream, String tenantId, ExpectedVersion expected, NewEvent event)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(APPEND_ONE)) {
            int p = bindHead(statement, stream, tenantId);
            statement.setObject(p++, event.eventId());
            statement.setString(p++, event.eventType());
            statement.setInt(p++, event.schemaVersion());
            statement.setString(p++, json.writeValueAsString(event.payload()));
            statement.setString(p++, json.writeValueAsString(metadataJson(event.metadata())));
            bindChecks(statement, p, expected, tenantId);
            return rows(statement, 1);
        }
    }

    /** The head's stream (twice), then the new rows' tenant and stream; returns the next index. */
    private static int bindHead(PreparedStatement statement, StreamId stream, String tenantId) throws SQLException {
        int p = 1;
        statement.setString(p++, stream.aggregateType());
        statement.setString(p++, stream.aggregateId());
        statement.setString(p++, stream.aggregateType());
        statement.setString(p++, stream.aggregateId());
        statement.setString(p++, tenantId);
        statement.setString(p++, stream.aggregateType());
        statement.setString(p++, stream.aggregateId());
        return p;
    }

    /** The expectation (twice) and the appending tenant, from index {@code p} on. */
    private static void bindChecks(PreparedStatement statement, int p, ExpectedVersion expected, String tenantId)
            throws SQLException {
        statement.setLong(p, expected.sqlValue());
        statement.setLong(p + 1, expected.sqlValue());
        statement.setString(p + 2, tenantId);
    }

    private static List<long[]> rows(PreparedStatement statement, int expected) throws SQLException {
        List<long[]> rows = new ArrayList<>(expected);
        try (ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                rows.add(new long[] {result.getLong(1), result.getLong(2)});
            }
        }
        return rows;
    }

    /** The metadata column holds exactly the contract's names, and only those that are set. */
    private ObjectNode metadataJson(EventMetadata metadata) {
        ObjectNode node = json.createObjectNode();
        putIfSet(node, EventMetadata.ACTOR, metadata.actor());
        putIfSet(node, EventMetadata.COMMAND_ID, metadata.commandId());
        putIfSet(node, EventMetadata.CORRELATION_ID, metadata.correlationId());
        putIfSet(node, EventMetadata.CAUSATION_ID, metadata.causationId());
        putIfSet(node, EventMetadata.TRACEPARENT, metadata.traceparent());
        return node;
    }

    private static void putIfSet(ObjectNode node, String name, @Nullable String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    /**
     * A concurrent writer took a version first: the unique stream version, or (when this append
     * expected "any" and read a head that another append then extended) the contiguity trigger.
     * Recognised by SQLSTATE and constraint name, never by message text.
     */
    static boolean isLostRace(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PSQLException psql) {
                ServerErrorMessage message = psql.getServerErrorMessage();
                String constraint = message == null ? null : message.getConstraint();
                String state = psql.getSQLState();
                return (UNIQUE_VIOLATION.equals(state) && STREAM_VERSION_KEY.equals(constraint))
                        || (CHECK_VIOLATION.equals(state) && VERSION_CONTIGUOUS.equals(constraint));
            }
        }
        return false;
    }

    @Override
    public List<EventEnvelope> readStream(StreamId stream, long fromVersion, int limit) {
        return jdbc.query(
                READ_STREAM,
                this::envelope,
                stream.aggregateType(),
                stream.aggregateId(),
                Math.max(1, fromVersion),
                limit);
    }

    @Override
    public Optional<StreamHead> head(StreamId stream) {
        return jdbc.query(
                HEAD,
                rows -> {
                    if (!rows.next()) {
                        return Optional.<StreamHead>empty();
                    }
                    long version = rows.getLong("version");
                    String tenant = rows.getString("tenant_id");
                    return version == 0 || tenant == null
                            ? Optional.<StreamHead>empty()
                            : Optional.of(new StreamHead(stream, version, tenant));
                },
                stream.aggregateType(),
                stream.aggregateId(),
                stream.aggregateType(),
                stream.aggregateId());
    }

    @Override
    public long currentVersion(StreamId stream) {
        Long version = jdbc.queryForObject(CURRENT_VERSION, Long.class, stream.aggregateType(), stream.aggregateId());
        return version == null ? 0 : version;
    }

    @Override
    public FeedPage readAll(FeedCursor after, int limit, @Nullable String tenantId) {
        List<FeedRow> rows = tenantId == null
                ? jdbc.query(
                        READ_ALL,
                        feedRow(),
                        Long.toUnsignedString(after.transactionId()),
                        after.globalPosition(),
                        limit)
                : jdbc.query(
                        READ_ALL_OF_TENANT,
                        feedRow(),
                        Long.toUnsignedString(after.transactionId()),
                        after.globalPosition(),
                        tenantId,
                        limit);
        List<EventEnvelope> events = new ArrayList<>(rows.size());
        FeedCursor next = after;
        for (FeedRow row : rows) {
            events.add(row.event());
            next = row.cursor();
        }
        return new FeedPage(events, next);
    }

    private record FeedRow(EventEnvelope event, FeedCursor cursor) {}

    private RowMapper<FeedRow> feedRow() {
        return (rows, index) -> new FeedRow(
                envelope(rows, index),
                new FeedCursor(Long.parseLong(rows.getString("transaction_text")), rows.getLong("global_position")));
    }

    private EventEnvelope envelope(ResultSet rows, int index) throws SQLException {
        JsonNode metadata = json.readTree(rows.getString("metadata"));
        return new EventEnvelope(
                rows.getObject("event_id", UUID.class),
                rows.getString("tenant_id"),
                rows.getString("aggregate_type"),
                rows.getString("aggregate_id"),
                rows.getLong("aggregate_version"),
                rows.getString("event_type"),
                rows.getInt("schema_version"),
                json.readTree(rows.getString("payload")),
                new EventMetadata(
                        text(metadata, EventMetadata.ACTOR),
                        text(metadata, EventMetadata.COMMAND_ID),
                        text(metadata, EventMetadata.CORRELATION_ID),
                        text(metadata, EventMetadata.CAUSATION_ID),
                        text(metadata, EventMetadata.TRACEPARENT)),
                rows.getTimestamp("recorded_at").toInstant(),
                rows.getLong("global_position"),
                null);
    }

    private static @Nullable String text(JsonNode metadata, String name) {
        JsonNode value = metadata.get(name);
        return value == null || !value.isString() ? null : value.asString();
    }
}
