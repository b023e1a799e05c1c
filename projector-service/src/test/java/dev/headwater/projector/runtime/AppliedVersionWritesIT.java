package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * How a batch writes applied versions: a plain insert for aggregates its lookup did not find;
 * during a rebuild's log replay no lookup at all for aggregates that start at version 1 in the
 * page (BatchApplier#toLookUp says why that is exact); in a live batch's first attempt none for
 * them either, with the insert as the check (docs/adr/0042). Each test would fail if the write or
 * the skipped lookup could count an event twice.
 */
class AppliedVersionWritesIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    static final String TOPIC = "headwater.tally.events";

    @BeforeAll
    static void tallyTables() throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.OWNER).getConnection();
                Statement statement = connection.createStatement()) {
            for (String schema : List.of("projection", "projection_shadow")) {
                statement.execute("CREATE TABLE " + schema + ".tally (id text PRIMARY KEY, n bigint NOT NULL)");
                statement.execute("GRANT SELECT, INSERT, UPDATE ON " + schema + ".tally TO headwater_projector");
            }
        }
    }

    @Test
    void a_version_that_another_writer_inserted_since_the_lookup_is_a_conflict_and_nothing_is_written()
            throws Exception {
        DataSource dataSource = postgres.dataSource(DbRole.PROJECTOR);
        AggregateKey taken = new AggregateKey("tally", "taken");
        AggregateKey free = new AggregateKey("tally", "free");
        try (Connection other = dataSource.getConnection()) {
            AppliedVersionStore.ensurePartition(other, "writes", 1);
            AppliedVersionStore.store(other, "writes", 1, Map.of(taken, 4L));
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            // The batch's lookup (before the other writer committed) found neither aggregate.
            assertThatThrownBy(() -> AppliedVersionStore.storeBatch(
                            connection, "writes", 1, Map.of(taken, 5L, free, 1L), Set.of()))
                    .isInstanceOf(CheckpointStore.CheckpointConflict.class)
                    .hasMessageContaining("another consumer");
            connection.rollback();
            connection.setAutoCommit(true);
            assertThat(AppliedVersionStore.fetch(connection, "writes", 1, List.of(taken, free)))
                    .containsExactly(Map.entry(taken, 4L));

            // Found by the lookup: updated; not found: inserted.
            AppliedVersionStore.storeBatch(connection, "writes", 1, Map.of(taken, 5L, free, 1L), Set.of(taken));
            assertThat(AppliedVersionStore.fetch(connection, "writes", 1, List.of(taken, free)))
                    .containsExactlyInAnyOrderEntriesOf(Map.of(taken, 5L, free, 1L));
        }
    }

    @Test
    void a_replay_applies_streams_that_start_in_a_page_and_continues_them_in_the_next_pages() throws Exception {
        long generation = 11;
        partition(generation);
        apply(BatchApplier.Target.shadow(generation), replayed("a", 1, 3), replayed("b", 1, 1));
        apply(BatchApplier.Target.shadow(generation), replayed("a", 4, 4), replayed("b", 2, 2), replayed("c", 1, 2));

        assertThat(tally("projection_shadow", "a")).isEqualTo(4);
        assertThat(tally("projection_shadow", "b")).isEqualTo(2);
        assertThat(tally("projection_shadow", "c")).isEqualTo(2);
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            assertThat(AppliedVersionStore.fetch(connection, "tally", generation, keys("a", "b", "c")))
                    .containsExactlyInAnyOrderEntriesOf(Map.of(key("a"), 4L, key("b"), 2L, key("c"), 2L));
        }
    }

    @Test
    void a_replayed_version_one_the_generation_already_applied_stops_the_page_rather_than_count_it_twice()
            throws Exception {
        long generation = 12;
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            AppliedVersionStore.ensurePartition(connection, "tally", generation);
            AppliedVersionStore.store(connection, "tally", generation, Map.of(key("again"), 1L));
        }

        assertThatThrownBy(() -> apply(BatchApplier.Target.shadow(generation), replayed("again", 1, 2)))
                .isInstanceOf(CheckpointStore.CheckpointConflict.class);
        assertThat(tally("projection_shadow", "again")).isZero();
    }

    @Test
    void a_version_one_from_kafka_into_the_shadow_is_looked_up_so_a_redelivery_is_a_duplicate() throws Exception {
        long generation = 13;
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            AppliedVersionStore.ensurePartition(connection, "tally", generation);
            AppliedVersionStore.store(connection, "tally", generation, Map.of(key("redelivered"), 1L));
        }

        BatchApplier.Result result = apply(BatchApplier.Target.shadow(generation), fromKafka("redelivered", 1, 2));

        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(tally("projection_shadow", "redelivered")).isEqualTo(1);
    }

    @Test
    void a_live_first_attempt_takes_streams_at_version_one_as_new_and_a_redelivered_one_fails_it_whole()
            throws Exception {
        long live = liveGeneration("tally-live");
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            AppliedVersionStore.store(connection, "tally-live", live, Map.of(key("seen"), 1L));
        }
        List<Incoming> batch = joined(fromKafka("seen", 1, 2, 1, 0), fromKafka("fresh", 1, 1, 1, 2));

        assertThatThrownBy(() -> apply(
                        new Tally("tally-live"),
                        BatchApplier.Target.live(live),
                        Map.of(),
                        BatchApplier.Mode.OPTIMISTIC,
                        batch))
                .isInstanceOf(BatchApplier.LookupSkipped.class)
                .hasMessageContaining("took 2 streams starting at version 1 as new failed: one of them already has");
        assertThat(tally("projection", "seen")).isZero();
        assertThat(tally("projection", "fresh")).isZero();
        assertThat(appliedVersions("tally-live", live, "seen", "fresh")).containsExactly(Map.entry(key("seen"), 1L));

        BatchApplier.Result again =
                apply(new Tally("tally-live"), BatchApplier.Target.live(live), Map.of(), BatchApplier.Mode.FAST, batch);
        assertThat(again.duplicates()).isEqualTo(1);
        assertThat(tally("projection", "seen")).isEqualTo(1);
        assertThat(tally("projection", "fresh")).isEqualTo(1);

        // A batch without a redelivery commits on its first attempt.
        BatchApplier.Result next = apply(
                new Tally("tally-live"),
                BatchApplier.Target.live(live),
                again.checkpoints(),
                BatchApplier.Mode.OPTIMISTIC,
                fromKafka("later", 1, 2, 1, 3));
        assertThat(next.advanced()).isEqualTo(2);
        assertThat(tally("projection", "later")).isEqualTo(2);
        assertThat(appliedVersions("tally-live", live, "seen", "fresh", "later"))
                .containsExactlyInAnyOrderEntriesOf(Map.of(key("seen"), 2L, key("fresh"), 1L, key("later"), 2L));
    }

    @Test
    void a_first_attempt_whose_handler_fails_transiently_keeps_its_back_off_and_a_permanent_failure_is_redone_at_once()
            throws Exception {
        long live = liveGeneration("tally-failing");
        List<Incoming> batch = fromKafka("failing", 1, 1, 4, 0);
        // A deadlock goes to the worker's back-off as before; an error that is not transient is redone at once.
        Map<SQLException, Class<? extends RuntimeException>> outcomes = Map.of(
                new SQLException("deadlock detected", "40P01"), BatchApplier.HandlerFailed.class,
                new SQLException("column does not exist", "42703"), BatchApplier.LookupSkipped.class);
        for (Map.Entry<SQLException, Class<? extends RuntimeException>> outcome : outcomes.entrySet()) {
            SQLException failure = outcome.getKey();
            Class<? extends RuntimeException> expected = outcome.getValue();
            assertThatThrownBy(() -> apply(
                            new Tally("tally-failing", failure),
                            BatchApplier.Target.live(live),
                            Map.of(),
                            BatchApplier.Mode.OPTIMISTIC,
                            batch))
                    .as(failure.getSQLState())
                    .isExactlyInstanceOf(expected);
        }
    }

    @Test
    void a_live_first_attempt_looks_up_every_stream_once_the_projection_has_a_dead_letter() throws Exception {
        long live = liveGeneration("tally-dead-letters");
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            AppliedVersionStore.store(connection, "tally-dead-letters", live, Map.of(key("known"), 1L));
            Incoming poison = fromKafka("poisoned", 1, 1, 3, 0).get(0);
            DeadLetterStore.insert(
                    connection,
                    "tally-dead-letters",
                    live,
                    List.of(new DeadLetterStore.NewDeadLetter(
                            poison, DeadLetter.CAUSE_FAILED, "test", 1, DeadLetter.PARKED)),
                    Instant.now());
        }

        BatchApplier.Result result = apply(
                new Tally("tally-dead-letters"),
                BatchApplier.Target.live(live),
                Map.of(),
                BatchApplier.Mode.OPTIMISTIC,
                fromKafka("known", 1, 1, 2, 0));

        assertThat(result.duplicates()).isEqualTo(1);
        assertThat(tally("projection", "known")).isZero();
    }

    @Test
    void a_replay_holds_its_applied_versions_in_memory_and_writes_each_aggregate_once_when_flushed() throws Exception {
        long generation = 21;
        ReplayVersions memory = new ReplayVersions("tally", generation, ReplayVersions.FLUSH_AT);
        applyReplayed(memory, replayed("ma", 1, 3), replayed("mb", 1, 1));
        applyReplayed(memory, replayed("ma", 4, 4), replayed("mb", 2, 2), replayed("mc", 1, 2));

        assertThat(appliedVersions(generation, "ma", "mb", "mc")).isEmpty();
        assertThat(memory.versionsOf(keys("ma", "mb", "mc")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(key("ma"), 4L, key("mb"), 2L, key("mc"), 2L));
        flush(memory);

        assertThat(memory.size()).isZero();
        assertThat(appliedVersions(generation, "ma", "mb", "mc"))
                .containsExactlyInAnyOrderEntriesOf(Map.of(key("ma"), 4L, key("mb"), 2L, key("mc"), 2L));
        assertThat(tally("projection_shadow", "ma")).isEqualTo(4);
        assertThat(tally("projection_shadow", "mb")).isEqualTo(2);
        assertThat(tally("projection_shadow", "mc")).isEqualTo(2);
    }

    @Test
    void a_stream_continued_after_a_flush_is_looked_up_and_its_row_updated_by_the_next_flush() throws Exception {
        long generation = 22;
        ReplayVersions memory = new ReplayVersions("tally", generation, 1);
        applyReplayed(memory, replayed("d", 1, 2));
        assertThat(memory.full()).isTrue();
        flush(memory);
        BatchApplier.Result again = applyReplayed(memory, replayed("d", 2, 3));
        flush(memory);

        assertThat(again.duplicates()).isEqualTo(1);
        assertThat(tally("projection_shadow", "d")).isEqualTo(3);
        assertThat(appliedVersions(generation, "d")).containsExactly(Map.entry(key("d"), 3L));
    }

    @Test
    void a_rolled_back_page_leaves_nothing_in_memory_and_its_retry_counts_once() throws Exception {
        long generation = 23;
        ReplayVersions memory = new ReplayVersions("tally", generation, ReplayVersions.FLUSH_AT);
        BatchApplier applier = tallyApplier();
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            connection.setAutoCommit(false);
            applier.applyReplayed(connection, replayed("e", 1, 2), BatchApplier.Mode.FAST, 0, memory);
            connection.rollback();
            memory.discard();
        }
        assertThat(memory.size()).isZero();

        applyReplayed(memory, replayed("e", 1, 2));
        flush(memory);
        assertThat(tally("projection_shadow", "e")).isEqualTo(2);
        assertThat(appliedVersions(generation, "e")).containsExactly(Map.entry(key("e"), 2L));
    }

    @Test
    void a_flush_that_meets_a_row_of_another_writer_stops_the_rebuild_and_writes_nothing() throws Exception {
        long generation = 24;
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            AppliedVersionStore.ensurePartition(connection, "tally", generation);
            AppliedVersionStore.store(connection, "tally", generation, Map.of(key("other"), 1L));
        }
        ReplayVersions memory = new ReplayVersions("tally", generation, ReplayVersions.FLUSH_AT);
        applyReplayed(memory, replayed("fresh", 1, 1), replayed("other", 1, 1));

        assertThatThrownBy(() -> flush(memory))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("count an event twice");
        assertThat(appliedVersions(generation, "fresh", "other")).containsExactly(Map.entry(key("other"), 1L));
    }

    @Test
    void the_first_flush_loads_a_new_table_builds_its_key_after_the_rows_and_attaches_it_as_the_generations_partition()
            throws Exception {
        long generation = 31;
        ReplayVersions memory = new ReplayVersions("tally", generation, ReplayVersions.FLUSH_AT);
        applyReplayed(memory, replayed("pa", 1, 2), replayed("pb", 1, 1));
        assertThat(partitionOf(generation))
                .as("the generation's partition before the flush")
                .isNull();

        flush(memory);

        String leaf = partitionOf(generation);
        assertThat(leaf).as("the generation's partition after the flush").isNotNull();
        assertThat(ownerQuery("SELECT count(*) FROM " + leaf)).isEqualTo(2);
        assertThat(ownerQuery("SELECT count(*) FROM pg_index x JOIN pg_constraint c ON c.conindid = x.indexrelid"
                        + " WHERE x.indrelid = '" + leaf + "'::regclass AND c.contype = 'p'"
                        + " AND x.indisvalid AND c.conparentid <> 0"))
                .as("the leaf's primary key, attached to the partitioned table's")
                .isEqualTo(1);
        assertThat(ownerQuery("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
                        + " WHERE c.oid = '" + leaf + "'::regclass AND r.rolname = 'headwater_owner'"))
                .as("the leaf is the owner's, as every table")
                .isEqualTo(1);
        assertThat(appliedVersions(generation, "pa", "pb"))
                .containsExactlyInAnyOrderEntriesOf(Map.of(key("pa"), 2L, key("pb"), 1L));
    }

    @Test
    void the_replays_last_flush_gives_a_generation_without_versions_its_partition_for_the_catch_up_to_write()
            throws Exception {
        long generation = 32;
        ReplayVersions memory = new ReplayVersions("tally", generation, ReplayVersions.FLUSH_AT);
        flush(memory);

        assertThat(partitionOf(generation)).isNotNull();
        apply(BatchApplier.Target.shadow(generation), fromKafka("caught-up", 1, 2));
        assertThat(appliedVersions(generation, "caught-up")).containsExactly(Map.entry(key("caught-up"), 2L));
    }

    @Test
    void a_crash_between_the_load_and_the_attach_leaves_no_table_and_the_flush_runs_again() throws Exception {
        long generation = 33;
        DataSource dataSource = postgres.dataSource(DbRole.PROJECTOR);
        try (Connection loading = dataSource.getConnection()) {
            loading.setAutoCommit(false);
            String table = AppliedVersionStore.beginLoad(loading, "tally", generation);
            AppliedVersionStore.copyInto(loading, table, "tally", generation, Map.of(key("crash"), 1L));
            int pid = loading.unwrap(PGConnection.class).getBackendPID();
            try (Connection superuser =
                            postgres.database().superuserDataSource().getConnection();
                    Statement statement = superuser.createStatement();
                    ResultSet killed = statement.executeQuery("SELECT pg_terminate_backend(" + pid + ", 10000)")) {
                killed.next();
                assertThat(killed.getBoolean(1))
                        .as("the loading backend, killed before the attach")
                        .isTrue();
            }
        }
        assertThat(ownerQuery(
                        "SELECT count(*) FROM pg_class WHERE relname = projection.applied_versions_table('tally', "
                                + generation + ")"))
                .as("tables left by the killed load")
                .isZero();

        ReplayVersions memory = new ReplayVersions("tally", generation, ReplayVersions.FLUSH_AT);
        applyReplayed(memory, replayed("crash", 1, 1));
        flush(memory);
        assertThat(appliedVersions(generation, "crash")).containsExactly(Map.entry(key("crash"), 1L));
    }

    @Test
    void the_partitions_of_retired_failed_and_abandoned_generations_are_dropped_and_live_and_building_ones_kept()
            throws Exception {
        List<String> states = List.of("retired", "failed", "abandoned", "live", "building");
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            for (int i = 0; i < states.size(); i++) {
                long generation = i + 1;
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO projection.generations (projection, generation, state, started_at)"
                                + " VALUES ('sweep', ?, ?, now())")) {
                    insert.setLong(1, generation);
                    insert.setString(2, states.get(i));
                    insert.executeUpdate();
                }
                AppliedVersionStore.ensurePartition(connection, "sweep", generation);
                AppliedVersionStore.store(connection, "sweep", generation, Map.of(key("kept"), generation));
            }

            assertThat(AppliedVersionStore.dropRetired(connection, "sweep")).isEqualTo(3);
            assertThat(AppliedVersionStore.dropRetired(connection, "sweep"))
                    .as("again")
                    .isZero();

            for (int i = 0; i < states.size(); i++) {
                long generation = i + 1;
                boolean kept = i >= 3;
                assertThat(AppliedVersionStore.partitioned(connection, "sweep", generation))
                        .as("partition of the %s generation", states.get(i))
                        .isEqualTo(kept);
                assertThat(AppliedVersionStore.fetch(connection, "sweep", generation, List.of(key("kept"))))
                        .as("versions of the %s generation", states.get(i))
                        .isEqualTo(kept ? Map.of(key("kept"), generation) : Map.of());
            }
        }
    }

    private static void partition(long generation) throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            AppliedVersionStore.ensurePartition(connection, "tally", generation);
        }
    }

    /** The generation's attached partition (qualified name), or null. */
    private static String partitionOf(long generation) throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection();
                PreparedStatement statement =
                        connection.prepareStatement("SELECT projection.applied_versions_partition('tally', ?)::text")) {
            statement.setLong(1, generation);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private static long ownerQuery(String sql) throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.OWNER).getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @SafeVarargs
    private static BatchApplier.Result applyReplayed(ReplayVersions memory, List<Incoming>... pages) throws Exception {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            connection.setAutoCommit(false);
            BatchApplier.Result result =
                    tallyApplier().applyReplayed(connection, joined(pages), BatchApplier.Mode.FAST, 0, memory);
            connection.commit();
            memory.commit();
            return result;
        }
    }

    private static void flush(ReplayVersions memory) throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            connection.setAutoCommit(false);
            try {
                memory.flush(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        memory.flushed();
    }

    private static Map<AggregateKey, Long> appliedVersions(long generation, String... ids) throws SQLException {
        return appliedVersions("tally", generation, ids);
    }

    private static Map<AggregateKey, Long> appliedVersions(String projection, long generation, String... ids)
            throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            return AppliedVersionStore.fetch(connection, projection, generation, keys(ids));
        }
    }

    @Test
    void the_log_the_replay_reads_holds_each_version_of_a_stream_once_and_none_without_its_predecessor()
            throws Exception {
        try (Connection owner = postgres.dataSource(DbRole.OWNER).getConnection()) {
            append(owner, "premise", 1);
            assertThatThrownBy(() -> append(owner, "premise", 1))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("events_stream_version_key");
            assertThatThrownBy(() -> append(owner, "premise", 3))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("has no version 2");
        }
    }

    @SafeVarargs
    private static List<Incoming> joined(List<Incoming>... pages) {
        List<Incoming> items = new ArrayList<>();
        for (List<Incoming> page : pages) {
            items.addAll(page);
        }
        return items;
    }

    private static BatchApplier tallyApplier() {
        return new BatchApplier(new Tally("tally"), PoisonPolicy.PARK, Clock.systemUTC());
    }

    @SafeVarargs
    private static BatchApplier.Result apply(BatchApplier.Target target, List<Incoming>... pages) throws Exception {
        return apply(new Tally("tally"), target, Map.of(), BatchApplier.Mode.FAST, joined(pages));
    }

    /** One batch of {@code tally} in a transaction of its own, committed unless it throws. */
    private static BatchApplier.Result apply(
            Tally tally,
            BatchApplier.Target target,
            Map<TopicPartition, Long> checkpoints,
            BatchApplier.Mode mode,
            List<Incoming> items)
            throws Exception {
        BatchApplier applier = new BatchApplier(tally, PoisonPolicy.PARK, Clock.systemUTC());
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            connection.setAutoCommit(false);
            try {
                BatchApplier.Result result = applier.apply(connection, target, items, checkpoints, mode, 0);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private static List<Incoming> replayed(String id, long from, long to) {
        List<Incoming> items = new ArrayList<>();
        for (long version = from; version <= to; version++) {
            items.add(Incoming.replayed(event(id, version)));
        }
        return items;
    }

    private static List<Incoming> fromKafka(String id, long from, long to) {
        return fromKafka(id, from, to, 0, 0);
    }

    /** Versions {@code from..to} of a stream as records of one partition, from offset {@code first} on. */
    private static List<Incoming> fromKafka(String id, long from, long to, int partition, long first) {
        CloudEventCodec codec = new CloudEventCodec();
        List<Incoming> items = new ArrayList<>();
        for (long version = from; version <= to; version++) {
            items.add(Incoming.fromRecord(
                    new ConsumerRecord<>(
                            TOPIC, partition, first + version - from, id.getBytes(), codec.encode(event(id, version))),
                    codec,
                    Map.of(TOPIC, "tally")));
        }
        return items;
    }

    private static long liveGeneration(String projection) throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            return GenerationStore.ensureLive(connection, projection, Instant.now());
        }
    }

    private static EventEnvelope event(String id, long version) {
        return new EventEnvelope(
                UUID.nameUUIDFromBytes((id + "/" + version).getBytes()),
                "acme",
                "tally",
                id,
                version,
                "Tallied",
                1,
                JsonNodeFactory.instance.objectNode(),
                EventMetadata.empty(),
                Instant.parse("2026-01-01T00:00:00Z"),
                version,
                null);
    }

    private static AggregateKey key(String id) {
        return new AggregateKey("tally", id);
    }

    private static List<AggregateKey> keys(String... ids) {
        List<AggregateKey> keys = new ArrayList<>();
        for (String id : ids) {
            keys.add(key(id));
        }
        return keys;
    }

    private static long tally(String schema, String id) throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT coalesce(sum(n), 0) FROM " + schema + ".tally WHERE id = ?")) {
            statement.setString(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static void append(Connection owner, String id, long version) throws SQLException {
        try (PreparedStatement statement = owner.prepareStatement("""
                INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                              event_type, payload)
                VALUES (gen_random_uuid(), 'acme', 'tally', ?, ?, 'Tallied', '{}')
                """)) {
            statement.setString(1, id);
            statement.setLong(2, version);
            statement.executeUpdate();
        }
    }

    /**
     * Counts events per aggregate; under a name of its own it has bookkeeping of its own and the
     * same table. With a {@code failure}, it fails every batch with it instead.
     */
    private record Tally(String name, @Nullable SQLException failure) implements Projection {

        Tally(String name) {
            this(name, null);
        }

        @Override
        public Set<String> aggregateTypes() {
            return Set.of("tally");
        }

        @Override
        public Set<String> eventTypes() {
            return Set.of("Tallied");
        }

        @Override
        public List<String> tables() {
            return List.of("tally");
        }

        @Override
        public void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException {
            if (failure != null) {
                throw failure;
            }
            try (PreparedStatement statement = transaction
                    .connection()
                    .prepareStatement(
                            "INSERT INTO tally AS t (id, n) VALUES (?, 1) ON CONFLICT (id) DO UPDATE SET n = t.n + 1")) {
                for (EventEnvelope event : events) {
                    statement.setString(1, event.aggregateId());
                    statement.addBatch();
                }
                statement.executeBatch();
            }
        }
    }
}
