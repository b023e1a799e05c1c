package dev.headwater.cdc.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** Appends to and reads the event log as the command service would (role headwater_app). */
public final class EventLog {

    static final String APPEND = """
            INSERT INTO event_log.events
                   (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, metadata)
            VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)""";

    static final String NEXT_VERSION = """
            SELECT coalesce(max(aggregate_version), 0) + 1 FROM event_log.events
             WHERE aggregate_type = ? AND aggregate_id = ?""";

    private static final String METADATA =
            "{\"actor\":\"test\",\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}";

    /** One row as stored. */
    public record Row(UUID eventId, String aggregateType, String aggregateId, long version, long globalPosition) {}

    private final DataSource app;

    public EventLog(DataSource app) {
        this.app = app;
    }

    /** Appends one event in its own transaction, at the next version of the stream. */
    public UUID append(String aggregateType, String aggregateId) throws SQLException {
        try (Connection connection = app.getConnection()) {
            return append(connection, aggregateType, aggregateId);
        }
    }

    /** Appends at the next version using the caller's connection (and its transaction). */
    public static UUID append(Connection connection, String aggregateType, String aggregateId) throws SQLException {
        return append(connection, aggregateType, aggregateId, null, METADATA);
    }

    /**
     * Appends one event with this payload and metadata (JSON text) in its own transaction;
     * a {@code null} payload is the usual {@code {"n": version, "label": "v<version>"}}.
     */
    public UUID append(String aggregateType, String aggregateId, String payload, String metadata) throws SQLException {
        try (Connection connection = app.getConnection()) {
            return append(connection, aggregateType, aggregateId, payload, metadata);
        }
    }

    private static UUID append(
            Connection connection, String aggregateType, String aggregateId, @Nullable String payload, String metadata)
            throws SQLException {
        long version;
        try (PreparedStatement next = connection.prepareStatement(NEXT_VERSION)) {
            next.setString(1, aggregateType);
            next.setString(2, aggregateId);
            try (ResultSet rows = next.executeQuery()) {
                rows.next();
                version = rows.getLong(1);
            }
        }
        UUID id = UUID.randomUUID();
        try (PreparedStatement insert = connection.prepareStatement(APPEND)) {
            insert.setObject(1, id);
            insert.setString(2, "acme");
            insert.setString(3, aggregateType);
            insert.setString(4, aggregateId);
            insert.setLong(5, version);
            insert.setString(6, "Something" + (version == 1 ? "Created" : "Changed"));
            insert.setString(7, payload != null ? payload : "{\"n\":" + version + ",\"label\":\"v" + version + "\"}");
            insert.setString(8, metadata);
            insert.executeUpdate();
        }
        return id;
    }

    public List<Row> all() throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (Connection connection = app.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("""
                        SELECT event_id, aggregate_type, aggregate_id, aggregate_version, global_position
                          FROM event_log.events ORDER BY transaction_id, global_position""")) {
            while (result.next()) {
                rows.add(new Row(
                        result.getObject(1, UUID.class),
                        result.getString(2),
                        result.getString(3),
                        result.getLong(4),
                        result.getLong(5)));
            }
        }
        return rows;
    }
}
