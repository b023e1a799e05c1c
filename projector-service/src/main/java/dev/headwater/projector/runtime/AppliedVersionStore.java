package dev.headwater.projector.runtime;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code projection.applied_versions}: the highest version per aggregate a generation has applied. */
final class AppliedVersionStore {

    /**
     * One primary-key probe per key (LATERAL), whatever the planner guesses about unnest's size.
     * {@code LIMIT 1} (exact: the key is the primary key) keeps Postgres from pulling the subquery
     * up into a plain join, which it otherwise does: a plan made before the table had statistics
     * then reads every row of the generation for every batch (150 ms per batch at 100k rows in
     * bench/run projector-drain, growing with the table).
     */
    static final String FETCH = """
            SELECT k.aggregate_type, k.aggregate_id, v.version
              FROM unnest(?::text[], ?::text[]) AS k(aggregate_type, aggregate_id)
             CROSS JOIN LATERAL (
                   SELECT version FROM projection.applied_versions
                    WHERE projection = ? AND generation = ?
                      AND aggregate_type = k.aggregate_type AND aggregate_id = k.aggregate_id
                    LIMIT 1) v
            """;

    static final String UPSERT = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[]) AS k(aggregate_type, aggregate_id, version))
            INSERT INTO projection.applied_versions AS v (projection, generation, aggregate_type, aggregate_id, version)
            SELECT ?, ?, k.aggregate_type, k.aggregate_id, k.version FROM k
            ON CONFLICT (projection, generation, aggregate_type, aggregate_id) DO UPDATE SET version = excluded.version
            """;

    /**
     * Aggregates the batch's lookup did not find are written by one {@code COPY} (schema-qualified:
     * the table is shared by live and shadow generations): no speculative insertion and second index
     * probe as with {@code ON CONFLICT}, and less per row than an {@code INSERT ... SELECT FROM
     * unnest(...)}. Another writer of the same generation that inserted one of them meanwhile (a
     * consumer that still believes it owns the partition) makes it fail with a unique violation,
     * which {@link #storeBatch} turns into a conflict.
     */
    static final String TABLE = "projection.applied_versions";

    static final String[] COPY_COLUMNS = {"projection", "generation", "aggregate_type", "aggregate_id", "version"};

    static final String UNIQUE_VIOLATION = "23505";

    /** How many of the given projections' live generations have applied a version at least this high. */
    static final String COUNT_REACHED = """
            SELECT count(*)
              FROM projection.generations g
              JOIN projection.applied_versions v
                ON v.projection = g.projection AND v.generation = g.generation
             WHERE g.projection = ANY (?) AND g.state = 'live'
               AND v.aggregate_type = ? AND v.aggregate_id = ? AND v.version >= ?
            """;

    /**
     * Each generation's versions live in their own partition (docs/adr/0038). These run the
     * SECURITY DEFINER functions of migration V6, so the projector role never needs CREATE.
     */
    static final String PARTITIONED = "SELECT projection.applied_versions_partition(?, ?) IS NOT NULL";

    static final String ENSURE_PARTITION = "SELECT projection.ensure_applied_versions(?, ?)";

    static final String BEGIN_LOAD = "SELECT projection.begin_applied_versions_load(?, ?)";

    static final String ATTACH = "SELECT projection.attach_applied_versions(?, ?)";

    static final String DROP_RETIRED = "SELECT projection.drop_retired_applied_versions(?)";

    /** The SQLSTATE of {@link #BEGIN_LOAD} when the generation has its table already. */
    static final String DUPLICATE_TABLE = "42P07";

    private AppliedVersionStore() {}

    static Map<AggregateKey, Long> fetch(
            Connection connection, String projection, long generation, Collection<AggregateKey> aggregates)
            throws SQLException {
        Map<AggregateKey, Long> versions = new HashMap<>();
        if (aggregates.isEmpty()) {
            return versions;
        }
        try (AggregateKey.Arrays keys = AggregateKey.Arrays.of(connection, aggregates);
                PreparedStatement statement = connection.prepareStatement(FETCH)) {
            statement.setArray(1, keys.types());
            statement.setArray(2, keys.ids());
            statement.setString(3, projection);
            statement.setLong(4, generation);
            try (ResultSet rows = statement.executeQuery()) {
                versions.putAll(read(rows));
            }
        }
        return versions;
    }

    /** The rows of {@link #FETCH}. */
    static Map<AggregateKey, Long> read(ResultSet rows) throws SQLException {
        Map<AggregateKey, Long> versions = new HashMap<>();
        while (rows.next()) {
            versions.put(new AggregateKey(rows.getString(1), rows.getString(2)), rows.getLong(3));
        }
        return versions;
    }

    static void store(Connection connection, String projection, long generation, Map<AggregateKey, Long> versions)
            throws SQLException {
        MultiRow rows = new MultiRow(MultiRow.Kind.TEXT, MultiRow.Kind.TEXT, MultiRow.Kind.BIGINT);
        versions.forEach((key, version) -> rows.add(key.type(), key.id(), version));
        rows.execute(connection, UPSERT, projection, generation);
    }

    /**
     * Stores a batch's versions: an upsert for the aggregates in {@code found} (the ones the
     * batch's {@link #fetch} returned), a plain insert for the others. Throws {@link
     * CheckpointStore.CheckpointConflict} when another writer inserted one of the others since the
     * lookup: then another consumer applied these records, as when a checkpoint moved.
     */
    static void storeBatch(
            Connection connection,
            String projection,
            long generation,
            Map<AggregateKey, Long> versions,
            Set<AggregateKey> found)
            throws SQLException {
        Pipeline pipeline = new Pipeline();
        CopyRows fresh = stageBatch(pipeline, projection, generation, versions, found);
        pipeline.execute(connection);
        copyFresh(connection, projection, generation, fresh);
    }

    /**
     * {@link #storeBatch} in two parts: the upsert of the aggregates in {@code found} goes into
     * {@code pipeline}; the returned rows of the others are for {@link #copyFresh} after it ran.
     */
    static CopyRows stageBatch(
            Pipeline pipeline,
            String projection,
            long generation,
            Map<AggregateKey, Long> versions,
            Set<AggregateKey> found) {
        MultiRow known = new MultiRow(MultiRow.Kind.TEXT, MultiRow.Kind.TEXT, MultiRow.Kind.BIGINT);
        CopyRows fresh = new CopyRows(TABLE, COPY_COLUMNS);
        versions.forEach((key, version) -> {
            if (found.contains(key)) {
                known.add(key.type(), key.id(), version);
            } else {
                fresh.add(projection, generation, key.type(), key.id(), version);
            }
        });
        pipeline.add(known, UPSERT, projection, generation);
        return fresh;
    }

    /** Writes the rows {@link #stageBatch} left for COPY; a row written meanwhile by another consumer is a conflict. */
    static void copyFresh(Connection connection, String projection, long generation, CopyRows fresh)
            throws SQLException {
        try {
            fresh.execute(connection);
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new CheckpointStore.CheckpointConflict(
                        "applied versions of " + projection + " (generation " + generation
                                + ") were written by another consumer since this batch read them",
                        e);
            }
            throw e;
        }
    }

    /**
     * Inserts versions of aggregates the generation has no row for with one {@code COPY}, for a
     * rebuild's bulk write of its replay (docs/adr/0037). A row that exists fails the whole COPY with
     * a unique violation.
     */
    static long copyNew(Connection connection, String projection, long generation, Map<AggregateKey, Long> versions)
            throws SQLException {
        CopyRows rows = new CopyRows(TABLE, COPY_COLUMNS);
        versions.forEach((key, version) -> rows.add(projection, generation, key.type(), key.id(), version));
        return rows.execute(connection);
    }

    static int countReached(
            Connection connection, List<String> projections, String aggregateType, String aggregateId, long version)
            throws SQLException {
        Array names = connection.createArrayOf("text", projections.toArray());
        try (PreparedStatement statement = connection.prepareStatement(COUNT_REACHED)) {
            statement.setArray(1, names);
            statement.setString(2, aggregateType);
            statement.setString(3, aggregateId);
            statement.setLong(4, version);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        } finally {
            names.free();
        }
    }

    /** Whether the generation has its partition, so writes through the parent table find it. */
    static boolean partitioned(Connection connection, String projection, long generation) throws SQLException {
        return single(connection, PARTITIONED, projection, generation, rows -> rows.getBoolean(1));
    }

    /** Gives the generation an empty partition unless it has one (a live generation's first start). */
    static void ensurePartition(Connection connection, String projection, long generation) throws SQLException {
        call(connection, ENSURE_PARTITION, projection, generation);
    }

    /**
     * Writes the versions of a generation that has no partition yet into a new table without an
     * index, builds the primary key in one sorted pass and attaches the table as the generation's
     * partition, all in the caller's transaction (docs/adr/0038): a rollback or a crash at any point
     * leaves no table behind. Fails with {@link #DUPLICATE_TABLE} if the generation has a table.
     */
    static long load(Connection connection, String projection, long generation, Map<AggregateKey, Long> versions)
            throws SQLException {
        String table = beginLoad(connection, projection, generation);
        long rows = copyInto(connection, table, projection, generation, versions);
        attach(connection, projection, generation);
        return rows;
    }

    /** The first step of {@link #load}: the new table's qualified name. */
    static String beginLoad(Connection connection, String projection, long generation) throws SQLException {
        return single(connection, BEGIN_LOAD, projection, generation, rows -> rows.getString(1));
    }

    /**
     * The second step of {@link #load}. {@code FREEZE}: the table was created in this transaction,
     * so its rows can be written frozen and no later reader or vacuum rewrites their pages to set
     * hint bits or freeze them; nobody else can see the table before the transaction commits.
     */
    static long copyInto(
            Connection connection, String table, String projection, long generation, Map<AggregateKey, Long> versions)
            throws SQLException {
        CopyRows rows = CopyRows.frozen(table, COPY_COLUMNS);
        versions.forEach((key, version) -> rows.add(projection, generation, key.type(), key.id(), version));
        return rows.execute(connection);
    }

    /** The last step of {@link #load}. */
    static void attach(Connection connection, String projection, long generation) throws SQLException {
        call(connection, ATTACH, projection, generation);
    }

    /**
     * Drops the partitions of the projection's retired, failed and abandoned generations, instead of
     * deleting their rows; returns how many went.
     */
    static int dropRetired(Connection connection, String projection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(DROP_RETIRED)) {
            statement.setString(1, projection);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static void call(Connection connection, String sql, String projection, long generation)
            throws SQLException {
        single(connection, sql, projection, generation, rows -> Boolean.TRUE);
    }

    private interface Column<T> {
        T read(ResultSet rows) throws SQLException;
    }

    /** Runs a one-row query of a projection's generation and reads its row. */
    private static <T> T single(Connection connection, String sql, String projection, long generation, Column<T> column)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, projection);
            statement.setLong(2, generation);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return column.read(rows);
            }
        }
    }
}
