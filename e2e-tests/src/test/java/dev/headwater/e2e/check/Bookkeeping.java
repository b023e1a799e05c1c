package dev.headwater.e2e.check;

import dev.headwater.e2e.load.Ledger;
import dev.headwater.e2e.load.Ledger.Acknowledged;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The checks around the views: the versions each projection recorded as applied against the log,
 * open dead letters, and the log against what the command API acknowledged.
 */
final class Bookkeeping {

    /** The aggregate types each control-plane projection consumes (README, projector section). */
    static final Map<String, Set<String>> PROJECTIONS = Map.of(
            "tenant-overview", Set.of("tenant", "allocation"),
            "node-utilisation", Set.of("node", "allocation"),
            "allocations", Set.of("allocation"),
            "audit-trail", Set.of("tenant", "node", "allocation", "api-token"),
            "api-tokens", Set.of("api-token"));

    static final String LIVE_APPLIED = """
            SELECT a.projection, a.aggregate_type, a.aggregate_id, a.version
              FROM projection.applied_versions a
              JOIN projection.generations g
                ON g.projection = a.projection AND g.generation = a.generation AND g.state = 'live'
            """;

    static final String OPEN_DEAD_LETTERS = """
            SELECT projection, aggregate_type, aggregate_id, aggregate_version, status, cause, error
              FROM projection.dead_letters
             WHERE status IN ('parked', 'halted')
            """;

    /**
     * Streams whose latest version differs from what a projection applied, counted in SQL: the
     * cheap "have the views caught up?" that is polled before the full check.
     */
    static final String LAGGING_STREAMS = """
            WITH latest AS (
                SELECT aggregate_type, aggregate_id, max(aggregate_version) AS version
                  FROM event_log.events GROUP BY aggregate_type, aggregate_id),
            consumed(projection, aggregate_type) AS (VALUES
                ('tenant-overview', 'tenant'), ('tenant-overview', 'allocation'),
                ('node-utilisation', 'node'), ('node-utilisation', 'allocation'),
                ('allocations', 'allocation'),
                ('audit-trail', 'tenant'), ('audit-trail', 'node'), ('audit-trail', 'allocation'),
                ('audit-trail', 'api-token'),
                ('api-tokens', 'api-token')),
            live AS (SELECT projection, generation FROM projection.generations WHERE state = 'live')
            SELECT count(*)
              FROM consumed c
              JOIN latest l ON l.aggregate_type = c.aggregate_type
              LEFT JOIN live g ON g.projection = c.projection
              LEFT JOIN projection.applied_versions a
                ON a.projection = c.projection AND a.generation = g.generation
               AND a.aggregate_type = l.aggregate_type AND a.aggregate_id = l.aggregate_id
             WHERE a.version IS DISTINCT FROM l.version
            """;

    private Bookkeeping() {}

    static long laggingStreams(DataSource database) {
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(LAGGING_STREAMS)) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Comparing applied versions failed: " + e.getMessage(), e);
        }
    }

    /** Every projection's applied versions in its live generation equal the log's latest versions. */
    static void checkAppliedVersions(DataSource database, Map<String, Long> latest, Anomalies anomalies) {
        Map<String, Long> applied = new HashMap<>();
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(LIVE_APPLIED)) {
            while (rows.next()) {
                applied.put(rows.getString(1) + " " + rows.getString(2) + "/" + rows.getString(3), rows.getLong(4));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading applied versions failed: " + e.getMessage(), e);
        }
        Set<String> expectedKeys = new HashSet<>();
        PROJECTIONS.forEach((projection, types) -> latest.forEach((stream, version) -> {
            if (types.contains(stream.substring(0, stream.indexOf('/')))) {
                String key = projection + " " + stream;
                expectedKeys.add(key);
                Long found = applied.get(key);
                if (found == null || found.longValue() != version) {
                    anomalies.add(
                            "applied." + projection,
                            stream + " applied version " + found + ", the log's latest is " + version);
                }
            }
        }));
        applied.forEach((key, version) -> {
            if (!expectedKeys.contains(key)) {
                anomalies.add("applied.unknown", key + " applied version " + version + " of a stream the log lacks");
            }
        });
    }

    static void checkDeadLetters(DataSource database, Anomalies anomalies) {
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(OPEN_DEAD_LETTERS)) {
            while (rows.next()) {
                anomalies.add(
                        "dead-letter." + rows.getString(1),
                        rows.getString(2) + "/" + rows.getString(3) + " v" + rows.getLong(4) + " is "
                                + rows.getString(5) + " (" + rows.getString(6) + "): " + rows.getString(7));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading dead letters failed: " + e.getMessage(), e);
        }
    }

    /**
     * Each acknowledged command's events are in the log at the positions its answer gave, with the
     * stream and versions it said, written by one transaction; every event of the log was
     * acknowledged by exactly one answer.
     */
    static void checkLedger(List<LoggedEvent> log, Ledger ledger, Anomalies anomalies) {
        Map<Long, LoggedEvent> byPosition = new HashMap<>();
        log.forEach(event -> byPosition.put(event.globalPosition(), event));
        Set<Long> acknowledged = new HashSet<>();
        for (Acknowledged command : ledger.acknowledged()) {
            Set<String> transactions = new HashSet<>();
            for (int i = 0; i < command.globalPositions().size(); i++) {
                long position = command.globalPositions().get(i);
                if (!acknowledged.add(position)) {
                    anomalies.add(
                            "ledger.twice",
                            "position " + position + " was acknowledged to two commands (" + command.command() + ")");
                }
                LoggedEvent event = byPosition.get(position);
                if (event == null) {
                    anomalies.add(
                            "ledger.lost",
                            command.command() + " was acknowledged at position " + position
                                    + ", which the log does not hold");
                    continue;
                }
                transactions.add(event.transactionId());
                String stream = command.aggregateType() + "/" + command.aggregateId();
                if (!event.stream().equals(stream) || event.aggregateVersion() != command.versionAt(i)) {
                    anomalies.add(
                            "ledger.mismatch",
                            command.command() + " was acknowledged as " + stream + " v" + command.versionAt(i)
                                    + " at position " + position + ", where the log has " + event.stream() + " v"
                                    + event.aggregateVersion());
                }
            }
            if (transactions.size() > 1) {
                anomalies.add(
                        "ledger.split",
                        command.command() + " was written by " + transactions.size() + " transactions: "
                                + transactions);
            }
        }
        for (LoggedEvent event : log) {
            if (!acknowledged.contains(event.globalPosition())) {
                anomalies.add(
                        "ledger.unacknowledged",
                        event.stream() + " v" + event.aggregateVersion() + " (" + event.eventType() + ", position "
                                + event.globalPosition() + ") is in the log, but no command was told so");
            }
        }
    }
}
