package dev.headwater.e2e.check;

import dev.headwater.contract.EventMetadata;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the whole event log, in global position order. */
final class EventLog {

    static final String READ_ALL = """
            SELECT global_position, event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                   event_type, schema_version, payload::text, metadata::text, recorded_at, transaction_id::text
              FROM event_log.events
             ORDER BY global_position
            """;

    private EventLog() {}

    static List<LoggedEvent> read(DataSource database, JsonMapper json) {
        List<LoggedEvent> events = new ArrayList<>();
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(READ_ALL)) {
                statement.setFetchSize(5_000);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        JsonNode metadata = json.readTree(rows.getString(10));
                        events.add(new LoggedEvent(
                                rows.getLong(1),
                                (UUID) rows.getObject(2),
                                rows.getString(3),
                                rows.getString(4),
                                rows.getString(5),
                                rows.getLong(6),
                                rows.getString(7),
                                rows.getInt(8),
                                json.readTree(rows.getString(9)),
                                new EventMetadata(
                                        text(metadata, EventMetadata.ACTOR),
                                        text(metadata, EventMetadata.COMMAND_ID),
                                        text(metadata, EventMetadata.CORRELATION_ID),
                                        text(metadata, EventMetadata.CAUSATION_ID),
                                        text(metadata, EventMetadata.TRACEPARENT)),
                                rows.getObject(11, OffsetDateTime.class).toInstant(),
                                rows.getString(12)));
                    }
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the event log failed: " + e.getMessage(), e);
        }
        return events;
    }

    private static @Nullable String text(JsonNode metadata, String field) {
        JsonNode value = metadata.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }
}
