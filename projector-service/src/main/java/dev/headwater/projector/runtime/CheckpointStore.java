package dev.headwater.projector.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * {@code projection.checkpoints}: the next offset per (projection, generation, topic, partition),
 * written in the batch's transaction. {@link #store} is a compare-and-set on the offset the writer
 * started from, so two consumers that both believe they own a partition (a rebalance overlapping
 * a slow batch) cannot both commit the same records: the second finds the offset moved and rolls
 * back.
 */
final class CheckpointStore {

    static final String FETCH = """
            SELECT topic, partition, next_offset
              FROM projection.checkpoints
             WHERE projection = ? AND generation = ?
            """;

    static final String ADVANCE = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[], ?::bigint[]) AS k(topic, part, expected, next))
            UPDATE projection.checkpoints c
               SET next_offset = k.next, updated_at = ?
              FROM k
             WHERE c.projection = ? AND c.generation = ?
               AND c.topic = k.topic AND c.partition = k.part AND c.next_offset = k.expected
            """;

    static final String CREATE = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::int[], ?::bigint[]) AS k(topic, part, next))
            INSERT INTO projection.checkpoints (projection, generation, topic, partition, next_offset, updated_at)
            SELECT ?, ?, k.topic, k.part, k.next, ? FROM k
            ON CONFLICT DO NOTHING
            """;

    static final String DELETE_GENERATION = """
            DELETE FROM projection.checkpoints WHERE projection = ? AND generation = ?
            """;

    private CheckpointStore() {}

    /** The stored checkpoints of one generation. */
    static Map<TopicPartition, Long> fetch(Connection connection, String projection, long generation)
            throws SQLException {
        Map<TopicPartition, Long> checkpoints = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(FETCH)) {
            statement.setString(1, projection);
            statement.setLong(2, generation);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    checkpoints.put(new TopicPartition(rows.getString(1), rows.getInt(2)), rows.getLong(3));
                }
            }
        }
        return checkpoints;
    }

    /** A checkpoint to write: from {@code expected} (null: none stored yet) to {@code next}. */
    record Move(TopicPartition partition, @Nullable Long expected, long next) {}

    /**
     * Stores every move or none: throws {@link CheckpointConflict} when another writer has moved
     * one of the checkpoints since the caller read it.
     */
    static void store(Connection connection, String projection, long generation, Iterable<Move> moves, Instant now)
            throws SQLException {
        Pipeline pipeline = new Pipeline();
        Staged staged = stage(pipeline, projection, generation, moves, now);
        staged.verify(pipeline.execute(connection));
    }

    /**
     * Adds the statements of {@link #store} to {@code pipeline}; the caller runs it and then
     * {@link Staged#verify} with its counts.
     */
    static Staged stage(Pipeline pipeline, String projection, long generation, Iterable<Move> moves, Instant now) {
        MultiRow advance =
                new MultiRow(MultiRow.Kind.TEXT, MultiRow.Kind.BIGINT, MultiRow.Kind.BIGINT, MultiRow.Kind.BIGINT);
        MultiRow create = new MultiRow(MultiRow.Kind.TEXT, MultiRow.Kind.BIGINT, MultiRow.Kind.BIGINT);
        for (Move move : moves) {
            if (move.expected() == null) {
                create.add(move.partition().topic(), move.partition().partition(), move.next());
            } else {
                advance.add(move.partition().topic(), move.partition().partition(), move.expected(), move.next());
            }
        }
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        int advanced = pipeline.add(advance, ADVANCE, at, projection, generation);
        int created = pipeline.add(create, CREATE, projection, generation, at);
        return new Staged(projection, generation, advanced, advance.size(), created, create.size());
    }

    /** Where a {@link #stage}d store's statements are in its pipeline, and how many rows each must move. */
    record Staged(String projection, long generation, int advanceAt, int advances, int createAt, int creates) {

        /** Throws {@link CheckpointConflict} unless every checkpoint moved. */
        void verify(int[] counts) {
            int advanced = advanceAt < 0 ? 0 : counts[advanceAt];
            int created = createAt < 0 ? 0 : counts[createAt];
            if (advanced != advances || created != creates) {
                throw new CheckpointConflict(projection, generation);
            }
        }
    }

    static void deleteGeneration(Connection connection, String projection, long generation) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(DELETE_GENERATION)) {
            statement.setString(1, projection);
            statement.setLong(2, generation);
            statement.executeUpdate();
        }
    }

    /** Another consumer committed these partitions first; this batch must not count. */
    static final class CheckpointConflict extends RuntimeException {
        CheckpointConflict(String projection, long generation) {
            super("checkpoints of " + projection + " (generation " + generation
                    + ") moved since this batch started: another consumer applied these records");
        }

        CheckpointConflict(String message, Throwable cause) {
            super(message + ": another consumer applied these records", cause);
        }
    }
}
