package dev.headwater.projector.runtime;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** {@code projection.dead_letters}: parked and halted events, and the record of their resolution. */
final class DeadLetterStore {

    private static final String COLUMNS = """
            id, projection, generation, topic, partition, record_offset, event_id, aggregate_type, aggregate_id,
            aggregate_version, event_type, cause, error, attempts, status, failed_at, resolved_at, resolved_by,
            resolution_note, requested_action, requested_by, requested_note, record_value
            """;

    /**
     * What the applier must know about the aggregates of a batch: open parked versions (current
     * generation), halted rows (current generation) and skip decisions (any generation: an
     * operator's skip also holds for rebuilds).
     */
    static final String STATE = """
            SELECT d.id, d.aggregate_type, d.aggregate_id, d.aggregate_version, d.status, d.generation,
                   d.requested_by, d.requested_note, d.topic, d.partition, d.record_offset
              FROM unnest(?::text[], ?::text[]) AS k(aggregate_type, aggregate_id)
             CROSS JOIN LATERAL (
                   SELECT * FROM projection.dead_letters
                    WHERE projection = ? AND generation = ? AND status IN ('parked', 'halted')
                      AND aggregate_type = k.aggregate_type AND aggregate_id = k.aggregate_id
                   UNION ALL
                   SELECT * FROM projection.dead_letters
                    WHERE projection = ? AND status = 'skipped'
                      AND aggregate_type = k.aggregate_type AND aggregate_id = k.aggregate_id) d
            """;

    /** Two probes on the partial indexes: whether {@link #STATE} can find anything at all. */
    static final String ANY_STATE = """
            SELECT EXISTS (SELECT 1 FROM projection.dead_letters
                            WHERE projection = ? AND generation = ? AND status IN ('parked', 'halted'))
                OR EXISTS (SELECT 1 FROM projection.dead_letters WHERE projection = ? AND status = 'skipped')
            """;

    static final String INSERT = """
            INSERT INTO projection.dead_letters (projection, generation, topic, partition, record_offset, event_id,
                   aggregate_type, aggregate_id, aggregate_version, event_type, record_value, cause, error, attempts,
                   status, failed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
            """;

    static final String FIND_OPEN_HALTED = """
            SELECT id FROM projection.dead_letters
             WHERE projection = ? AND generation = ? AND status = 'halted'
               AND aggregate_type = ? AND aggregate_id = ? AND aggregate_version IS NOT DISTINCT FROM ?
            """;

    static final String UPDATE_HALTED = """
            UPDATE projection.dead_letters
               SET error = ?, attempts = attempts + ?, failed_at = ?,
                   -- A retry was just carried out; a skip filed meanwhile (say, before a restart) still stands.
                   requested_action = CASE WHEN requested_action = 'skip' THEN 'skip' END,
                   requested_by = CASE WHEN requested_action = 'skip' THEN requested_by END,
                   requested_note = CASE WHEN requested_action = 'skip' THEN requested_note END,
                   requested_at = CASE WHEN requested_action = 'skip' THEN requested_at END
             WHERE id = ?
            """;

    static final String RESOLVE = """
            UPDATE projection.dead_letters
               SET status = ?, resolved_at = ?, resolved_by = ?, resolution_note = ?,
                   requested_action = NULL, requested_at = NULL
             WHERE id = ? AND status IN ('parked', 'halted')
            """;

    static final String REQUEST = """
            UPDATE projection.dead_letters
               SET requested_action = ?, requested_by = ?, requested_note = ?, requested_at = ?
             WHERE id = ? AND status = 'halted'
            """;

    static final String FIND = "SELECT " + COLUMNS + " FROM projection.dead_letters WHERE id = ?";

    static final String LIST = "SELECT " + COLUMNS + """
             FROM projection.dead_letters
            WHERE projection = ? AND (?::text IS NULL OR status = ?) AND id > ?
            ORDER BY id
            LIMIT ?
            """;

    static final String OPEN_OF_AGGREGATE = "SELECT " + COLUMNS + """
             FROM projection.dead_letters
            WHERE projection = ? AND generation = ? AND status = 'parked'
              AND aggregate_type = ? AND aggregate_id = ?
            ORDER BY aggregate_version NULLS FIRST, id
            """;

    static final String COUNT_OPEN = """
            SELECT d.projection, count(*)
              FROM projection.dead_letters d
              JOIN projection.generations g ON g.projection = d.projection AND g.generation = d.generation
             WHERE d.status IN ('parked', 'halted') AND g.state = 'live'
             GROUP BY d.projection
            """;

    private DeadLetterStore() {}

    /** One version of one aggregate. */
    record VersionKey(AggregateKey aggregate, long version) {}

    /** One Kafka record. */
    record RecordKey(String topic, int partition, long offset) {}

    /** A halted row and the operator's request on it, if any. */
    record HaltedRow(
            long id, @Nullable String requestedBy, @Nullable String requestedNote) {}

    /** The dead-letter facts about a batch's aggregates. */
    record State(
            Map<AggregateKey, Long> parkedUpTo,
            Set<VersionKey> skipped,
            Set<RecordKey> skippedRecords,
            Map<VersionKey, HaltedRow> halted) {

        static final State EMPTY = new State(Map.of(), Set.of(), Set.of(), Map.of());

        boolean parked(AggregateKey aggregate) {
            return parkedUpTo.containsKey(aggregate);
        }

        /** Whether any dead letter (parked, halted or skipped, by version) concerns the aggregate. */
        boolean concerns(AggregateKey aggregate) {
            return parkedUpTo.containsKey(aggregate)
                    || skipped.stream().anyMatch(key -> key.aggregate().equals(aggregate))
                    || halted.keySet().stream().anyMatch(key -> key.aggregate().equals(aggregate));
        }
    }

    /** A row to insert. */
    record NewDeadLetter(
            Incoming incoming, String cause, @Nullable String error, int attempts, String status) {}

    static State state(Connection connection, String projection, long generation, Collection<AggregateKey> aggregates)
            throws SQLException {
        if (aggregates.isEmpty() || !any(connection, projection, generation)) {
            return State.EMPTY;
        }
        return load(connection, projection, generation, aggregates);
    }

    /** {@link #state} for a caller that already ran {@link #ANY_STATE} and found something. */
    static State load(Connection connection, String projection, long generation, Collection<AggregateKey> aggregates)
            throws SQLException {
        Map<AggregateKey, Long> parkedUpTo = new HashMap<>();
        Set<VersionKey> skipped = new HashSet<>();
        Set<RecordKey> skippedRecords = new HashSet<>();
        Map<VersionKey, HaltedRow> halted = new HashMap<>();
        try (AggregateKey.Arrays keys = AggregateKey.Arrays.of(connection, aggregates);
                PreparedStatement statement = connection.prepareStatement(STATE)) {
            statement.setArray(1, keys.types());
            statement.setArray(2, keys.ids());
            statement.setString(3, projection);
            statement.setLong(4, generation);
            statement.setString(5, projection);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    AggregateKey aggregate = new AggregateKey(rows.getString(2), rows.getString(3));
                    long version = rows.getLong(4);
                    boolean versionKnown = !rows.wasNull();
                    switch (rows.getString(5)) {
                        case DeadLetter.PARKED -> parkedUpTo.merge(aggregate, versionKnown ? version : 0L, Math::max);
                        case DeadLetter.SKIPPED -> {
                            if (versionKnown) {
                                skipped.add(new VersionKey(aggregate, version));
                            } else if (rows.getString(9) != null) {
                                // Without a version (undecodable) only the record itself can be recognised.
                                skippedRecords.add(new RecordKey(rows.getString(9), rows.getInt(10), rows.getLong(11)));
                            }
                        }
                        default -> {
                            if (versionKnown) {
                                halted.put(
                                        new VersionKey(aggregate, version),
                                        new HaltedRow(rows.getLong(1), rows.getString(7), rows.getString(8)));
                            }
                        }
                    }
                }
            }
        }
        return new State(parkedUpTo, skipped, skippedRecords, halted);
    }

    /** The usual case, no dead letters at all, costs two index probes instead of two per aggregate. */
    private static boolean any(Connection connection, String projection, long generation) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(ANY_STATE)) {
            statement.setString(1, projection);
            statement.setLong(2, generation);
            statement.setString(3, projection);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    static void insert(Connection connection, String projection, long generation, List<NewDeadLetter> rows, Instant now)
            throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(INSERT.replace("RETURNING id", ""))) {
            for (NewDeadLetter row : rows) {
                bindInsert(statement, projection, generation, row, now);
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** Records (or updates) the halted row of an event; returns its id. */
    static long recordHalted(
            Connection connection,
            String projection,
            long generation,
            Incoming incoming,
            String error,
            int attempts,
            Instant now)
            throws SQLException {
        try (PreparedStatement find = connection.prepareStatement(FIND_OPEN_HALTED)) {
            find.setString(1, projection);
            find.setLong(2, generation);
            find.setString(3, incoming.aggregateType());
            find.setString(4, incoming.aggregateId());
            find.setObject(5, incoming.version(), Types.BIGINT);
            try (ResultSet rows = find.executeQuery()) {
                if (rows.next()) {
                    long id = rows.getLong(1);
                    try (PreparedStatement update = connection.prepareStatement(UPDATE_HALTED)) {
                        update.setString(1, error);
                        update.setInt(2, attempts);
                        update.setObject(3, utc(now));
                        update.setLong(4, id);
                        update.executeUpdate();
                    }
                    return id;
                }
            }
        }
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            bindInsert(
                    statement,
                    projection,
                    generation,
                    new NewDeadLetter(incoming, DeadLetter.CAUSE_FAILED, error, attempts, DeadLetter.HALTED),
                    now);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Closes an open row; false if it was not open (any more). */
    static boolean resolve(
            Connection connection, long id, String status, @Nullable String by, @Nullable String note, Instant now)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(RESOLVE)) {
            statement.setString(1, status);
            statement.setObject(2, utc(now));
            statement.setString(3, by);
            statement.setString(4, note);
            statement.setLong(5, id);
            return statement.executeUpdate() == 1;
        }
    }

    /** Files an operator's retry or skip on a halted row; false if the row is not halted. */
    static boolean request(Connection connection, long id, String action, String by, @Nullable String note, Instant now)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(REQUEST)) {
            statement.setString(1, action);
            statement.setString(2, by);
            statement.setString(3, note);
            statement.setObject(4, utc(now));
            statement.setLong(5, id);
            return statement.executeUpdate() == 1;
        }
    }

    static Optional<DeadLetter> find(Connection connection, long id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(FIND)) {
            statement.setLong(1, id);
            List<DeadLetter> found = read(statement);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    static List<DeadLetter> list(
            Connection connection, String projection, @Nullable String status, long afterId, int limit)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(LIST)) {
            statement.setString(1, projection);
            statement.setString(2, status);
            statement.setString(3, status);
            statement.setLong(4, afterId);
            statement.setInt(5, limit);
            return read(statement);
        }
    }

    static List<DeadLetter> parkedOf(Connection connection, String projection, long generation, AggregateKey aggregate)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(OPEN_OF_AGGREGATE)) {
            statement.setString(1, projection);
            statement.setLong(2, generation);
            statement.setString(3, aggregate.type());
            statement.setString(4, aggregate.id());
            return read(statement);
        }
    }

    static Map<String, Long> countOpen(Connection connection) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(COUNT_OPEN);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        }
        return counts;
    }

    private static void bindInsert(
            PreparedStatement statement, String projection, long generation, NewDeadLetter row, Instant now)
            throws SQLException {
        Incoming in = row.incoming();
        statement.setString(1, projection);
        statement.setLong(2, generation);
        statement.setString(3, in.partition() == null ? null : in.partition().topic());
        statement.setObject(4, in.partition() == null ? null : in.partition().partition(), Types.INTEGER);
        statement.setObject(5, in.partition() == null ? null : in.offset(), Types.BIGINT);
        statement.setObject(6, in.eventId());
        statement.setString(7, in.aggregateType());
        statement.setString(8, in.aggregateId());
        statement.setObject(9, in.version(), Types.BIGINT);
        statement.setString(10, in.eventType());
        statement.setBytes(11, in.recordValue());
        statement.setString(12, row.cause());
        statement.setString(13, row.error());
        statement.setInt(14, row.attempts());
        statement.setString(15, row.status());
        statement.setObject(16, utc(now));
    }

    private static List<DeadLetter> read(PreparedStatement statement) throws SQLException {
        List<DeadLetter> letters = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                letters.add(new DeadLetter(
                        rows.getLong("id"),
                        rows.getString("projection"),
                        rows.getLong("generation"),
                        rows.getString("topic"),
                        (Integer) rows.getObject("partition"),
                        (Long) rows.getObject("record_offset"),
                        (UUID) rows.getObject("event_id"),
                        rows.getString("aggregate_type"),
                        rows.getString("aggregate_id"),
                        (Long) rows.getObject("aggregate_version"),
                        rows.getString("event_type"),
                        rows.getString("cause"),
                        rows.getString("error"),
                        rows.getInt("attempts"),
                        rows.getString("status"),
                        instant(rows.getTimestamp("failed_at")),
                        rows.getTimestamp("resolved_at") == null ? null : instant(rows.getTimestamp("resolved_at")),
                        rows.getString("resolved_by"),
                        rows.getString("resolution_note"),
                        rows.getString("requested_action"),
                        rows.getString("requested_by"),
                        rows.getString("requested_note"),
                        new String(rows.getBytes("record_value"), StandardCharsets.UTF_8)));
            }
        }
        return letters;
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp.toInstant();
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
