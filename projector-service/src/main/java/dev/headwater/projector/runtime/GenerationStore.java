package dev.headwater.projector.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * {@code projection.generations} and the per-projection advisory locks. Every live batch holds
 * the projection's lock shared for its transaction; a rebuild's swap and an operator's retry of a
 * parked aggregate take it exclusively, so they see no batch half-way and no batch sees them
 * half-way.
 */
final class GenerationStore {

    /** First key of the two-key advisory locks: the projection batch lock. */
    static final int BATCH_LOCK = 0x48570001;
    /** First key of the rebuild lock, held for a rebuild's whole run by the instance doing it. */
    static final int REBUILD_LOCK = 0x48570002;

    static final String ENSURE_LIVE = """
            INSERT INTO projection.generations (projection, generation, state, started_at, finished_at)
            VALUES (?, 1, 'live', ?, ?)
            ON CONFLICT DO NOTHING
            """;

    static final String LIVE = """
            SELECT generation FROM projection.generations WHERE projection = ? AND state = 'live'
            """;

    static final String LOCK_SHARED = "SELECT pg_advisory_xact_lock_shared(?, hashtext(?))";

    static final String LOCK_EXCLUSIVE = "SELECT pg_advisory_xact_lock(?, hashtext(?))";

    static final String TRY_REBUILD_LOCK = "SELECT pg_try_advisory_lock(?, hashtext(?))";

    static final String RELEASE_REBUILD_LOCK = "SELECT pg_advisory_unlock(?, hashtext(?))";

    static final String ABANDON_BUILDING = """
            UPDATE projection.generations
               SET state = 'abandoned', finished_at = ?, detail = 'the instance building it stopped before the swap'
             WHERE projection = ? AND state = 'building'
            """;

    static final String START_BUILDING = """
            INSERT INTO projection.generations (projection, generation, state, started_at, requested_by)
            SELECT ?, max(generation) + 1, 'building', ?, ? FROM projection.generations WHERE projection = ?
            RETURNING generation
            """;

    static final String PROGRESS = """
            UPDATE projection.generations SET events_replayed = ? WHERE projection = ? AND generation = ?
            """;

    static final String FINISH = """
            UPDATE projection.generations
               SET state = ?, finished_at = ?, detail = ?, checksums = ?::jsonb
             WHERE projection = ? AND generation = ? AND state = 'building'
            """;

    static final String RETIRE_LIVE = """
            UPDATE projection.generations SET state = 'retired', finished_at = ?
             WHERE projection = ? AND state = 'live'
            RETURNING generation
            """;

    static final String LIST = """
            SELECT projection, generation, state, started_at, finished_at, requested_by, events_replayed,
                   checksums::text, detail
              FROM projection.generations
             WHERE projection = ?
             ORDER BY generation DESC
             LIMIT ?
            """;

    private GenerationStore() {}

    /**
     * The live generation, made generation 1 if the projection has none, with the partition of
     * {@code projection.applied_versions} its batches write (docs/adr/0038).
     */
    static long ensureLive(Connection connection, String projection, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(ENSURE_LIVE)) {
            statement.setString(1, projection);
            statement.setObject(2, DeadLetterStore.utc(now));
            statement.setObject(3, DeadLetterStore.utc(now));
            statement.executeUpdate();
        }
        long live = live(connection, projection)
                .orElseThrow(() -> new IllegalStateException("projection " + projection + " has no live generation"));
        // A projection's first start: its generation gets the partition its applied versions go to.
        AppliedVersionStore.ensurePartition(connection, projection, live);
        return live;
    }

    static OptionalLong live(Connection connection, String projection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(LIVE)) {
            statement.setString(1, projection);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Takes the batch lock exclusively for this transaction: no live batch runs until it ends. */
    static void lockExclusive(Connection connection, String projection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(LOCK_EXCLUSIVE)) {
            statement.setInt(1, BATCH_LOCK);
            statement.setString(2, projection);
            statement.executeQuery().close();
        }
    }

    /** Session-level: true if this session now holds the projection's rebuild lock. */
    static boolean tryRebuildLock(Connection connection, String projection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(TRY_REBUILD_LOCK)) {
            statement.setInt(1, REBUILD_LOCK);
            statement.setString(2, projection);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    static void releaseRebuildLock(Connection connection, String projection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(RELEASE_REBUILD_LOCK)) {
            statement.setInt(1, REBUILD_LOCK);
            statement.setString(2, projection);
            statement.executeQuery().close();
        }
    }

    /** Marks a building generation abandoned; only call while holding the rebuild lock. */
    static void abandonBuilding(Connection connection, String projection, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(ABANDON_BUILDING)) {
            statement.setObject(1, DeadLetterStore.utc(now));
            statement.setString(2, projection);
            statement.executeUpdate();
        }
    }

    static long startBuilding(Connection connection, String projection, String requestedBy, Instant now)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(START_BUILDING)) {
            statement.setString(1, projection);
            statement.setObject(2, DeadLetterStore.utc(now));
            statement.setString(3, requestedBy);
            statement.setString(4, projection);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    static void progress(Connection connection, String projection, long generation, long replayed) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(PROGRESS)) {
            statement.setLong(1, replayed);
            statement.setString(2, projection);
            statement.setLong(3, generation);
            statement.executeUpdate();
        }
    }

    static void finish(
            Connection connection,
            String projection,
            long generation,
            String state,
            @Nullable String detail,
            @Nullable String checksumsJson,
            Instant now)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(FINISH)) {
            statement.setString(1, state);
            statement.setObject(2, DeadLetterStore.utc(now));
            statement.setString(3, detail);
            statement.setObject(4, checksumsJson, Types.VARCHAR);
            statement.setString(5, projection);
            statement.setLong(6, generation);
            statement.executeUpdate();
        }
    }

    /** Retires the live generation; returns its number. */
    static long retireLive(Connection connection, String projection, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(RETIRE_LIVE)) {
            statement.setObject(1, DeadLetterStore.utc(now));
            statement.setString(2, projection);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("projection " + projection + " has no live generation");
                }
                return rows.getLong(1);
            }
        }
    }

    static List<Generation> list(Connection connection, String projection, int limit) throws SQLException {
        List<Generation> generations = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(LIST)) {
            statement.setString(1, projection);
            statement.setInt(2, limit);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    generations.add(new Generation(
                            rows.getString(1),
                            rows.getLong(2),
                            rows.getString(3),
                            rows.getTimestamp(4).toInstant(),
                            rows.getTimestamp(5) == null
                                    ? null
                                    : rows.getTimestamp(5).toInstant(),
                            rows.getString(6),
                            rows.getLong(7),
                            rows.getString(8),
                            rows.getString(9)));
                }
            }
        }
        return generations;
    }
}
