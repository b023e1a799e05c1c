package dev.headwater.projector.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a rebuild compares before it swaps: the two generations must have applied the same version
 * of every aggregate and parked the same events (then they have seen the same events), and then
 * every table must have the same checksum in both schemas.
 */
final class ShadowComparison {

    static final String VERSION_DIFFERENCES = """
            SELECT count(*)
              FROM (SELECT aggregate_type, aggregate_id, version FROM projection.applied_versions
                     WHERE projection = ? AND generation = ?) l
              FULL JOIN (SELECT aggregate_type, aggregate_id, version FROM projection.applied_versions
                          WHERE projection = ? AND generation = ?) s
             USING (aggregate_type, aggregate_id)
             WHERE l.version IS DISTINCT FROM s.version
            """;

    static final String PARKED_DIFFERENCES = """
            SELECT count(*) FROM (
                (SELECT aggregate_type, aggregate_id, aggregate_version FROM projection.dead_letters
                  WHERE projection = ? AND generation = ? AND status = 'parked'
                 EXCEPT
                 SELECT aggregate_type, aggregate_id, aggregate_version FROM projection.dead_letters
                  WHERE projection = ? AND generation = ? AND status = 'parked')
                UNION ALL
                (SELECT aggregate_type, aggregate_id, aggregate_version FROM projection.dead_letters
                  WHERE projection = ? AND generation = ? AND status = 'parked'
                 EXCEPT
                 SELECT aggregate_type, aggregate_id, aggregate_version FROM projection.dead_letters
                  WHERE projection = ? AND generation = ? AND status = 'parked')) d
            """;

    /**
     * Order-independent: row count and the sum of a 64-bit hash of each row's text form. The
     * table name comes from the registry and is checked against {@link #TABLE_NAME}.
     */
    static final String CHECKSUM = """
            SELECT count(*) || ':' || coalesce(sum(hashtextextended(t::text, 0)::numeric), 0) FROM %s.%s t
            """;

    static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private ShadowComparison() {}

    /** Aggregates whose applied versions, or parked events, differ between the generations. */
    static long differences(Connection connection, String projection, long live, long shadow) throws SQLException {
        long versions;
        try (PreparedStatement statement = connection.prepareStatement(VERSION_DIFFERENCES)) {
            statement.setString(1, projection);
            statement.setLong(2, live);
            statement.setString(3, projection);
            statement.setLong(4, shadow);
            versions = single(statement);
        }
        try (PreparedStatement statement = connection.prepareStatement(PARKED_DIFFERENCES)) {
            for (int i = 0; i < 2; i++) {
                long a = i == 0 ? live : shadow;
                long b = i == 0 ? shadow : live;
                statement.setString(i * 4 + 1, projection);
                statement.setLong(i * 4 + 2, a);
                statement.setString(i * 4 + 3, projection);
                statement.setLong(i * 4 + 4, b);
            }
            return versions + single(statement);
        }
    }

    /** Checksum per table of one schema. */
    static Map<String, String> checksums(Connection connection, String schema, List<String> tables)
            throws SQLException {
        Map<String, String> sums = new LinkedHashMap<>();
        for (String table : tables) {
            if (!TABLE_NAME.matcher(table).matches()) {
                throw new IllegalArgumentException("not a plain table name: " + table);
            }
            try (PreparedStatement statement = connection.prepareStatement(CHECKSUM.formatted(schema, table));
                    ResultSet rows = statement.executeQuery()) {
                rows.next();
                sums.put(table, rows.getString(1));
            }
        }
        return sums;
    }

    private static long single(PreparedStatement statement) throws SQLException {
        try (ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
