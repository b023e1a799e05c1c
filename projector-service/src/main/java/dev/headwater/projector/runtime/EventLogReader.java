package dev.headwater.projector.runtime;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code event_log.events} in commit-visibility order for rebuilds: keyset pages ordered by
 * {@code (transaction_id, global_position)}, and only rows of transactions older than the
 * snapshot's xmin, so a row of a transaction that commits late is never skipped (it becomes
 * visible before the feed passes its position). Each page is its own short query: a long rebuild
 * holds no snapshot open.
 */
final class EventLogReader {

    // The text column gets a name of its own: ORDER BY picks an output column before a table
    // column of the same name, and text order ("100" before "99") would skip events.
    static final String PAGE = """
            SELECT transaction_id::text AS transaction_text, global_position, event_id, tenant_id, aggregate_type, aggregate_id,
                   aggregate_version, event_type, schema_version, payload::text, metadata::text, recorded_at
              FROM event_log.events
             WHERE aggregate_type = ANY (?)
               AND (transaction_id, global_position) > (?::text::xid8, ?)
               AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY transaction_id, global_position
             LIMIT ?
            """;

    /** Every transaction that had started when this runs has an id below the value returned. */
    static final String HORIZON = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text";

    /** True once every transaction below the given id has ended. */
    static final String PASSED = "SELECT pg_snapshot_xmin(pg_current_snapshot()) >= ?::text::xid8";

    private final JsonMapper json = JsonMapper.builder().build();
    private final LongConsumer eventsRead;

    /** {@code eventsRead} learns how many rows each page read (a metric: how often the log is read). */
    EventLogReader(LongConsumer eventsRead) {
        this.eventsRead = eventsRead;
    }

    EventLogReader() {
        this(count -> {});
    }

    /** Where the feed stands: after this transaction and position. */
    record Position(String transactionId, long globalPosition) {
        static final Position START = new Position("0", 0);
    }

    record Page(List<EventEnvelope> events, Position next) {}

    Page read(Connection connection, Collection<String> aggregateTypes, Position after, int limit) throws SQLException {
        List<EventEnvelope> events = new ArrayList<>(Math.min(limit, 10_000));
        Position next = after;
        Array types = connection.createArrayOf("text", aggregateTypes.toArray());
        try (PreparedStatement statement = connection.prepareStatement(PAGE)) {
            statement.setArray(1, types);
            statement.setString(2, after.transactionId());
            statement.setLong(3, after.globalPosition());
            statement.setInt(4, limit);
            statement.setFetchSize(limit);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    events.add(envelope(rows));
                    next = new Position(rows.getString(1), rows.getLong(2));
                }
            }
        } finally {
            types.free();
        }
        eventsRead.accept(events.size());
        return new Page(events, next);
    }

    static String horizon(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(HORIZON);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getString(1);
        }
    }

    static boolean passed(Connection connection, String horizon) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(PASSED)) {
            statement.setString(1, horizon);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    private EventEnvelope envelope(ResultSet rows) throws SQLException {
        JsonNode metadata = json.readTree(rows.getString(11));
        return new EventEnvelope(
                (UUID) rows.getObject(3),
                rows.getString(4),
                rows.getString(5),
                rows.getString(6),
                rows.getLong(7),
                rows.getString(8),
                rows.getInt(9),
                json.readTree(rows.getString(10)),
                new EventMetadata(
                        text(metadata, EventMetadata.ACTOR),
                        text(metadata, EventMetadata.COMMAND_ID),
                        text(metadata, EventMetadata.CORRELATION_ID),
                        text(metadata, EventMetadata.CAUSATION_ID),
                        text(metadata, EventMetadata.TRACEPARENT)),
                rows.getTimestamp(12).toInstant(),
                rows.getLong(2),
                null);
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }
}
