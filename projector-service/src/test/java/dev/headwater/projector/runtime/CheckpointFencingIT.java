package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The checkpoint is a compare-and-set: a consumer that still believes it owns a partition after a
 * rebalance gave it away (a long pause, say) cannot commit records the new owner already applied;
 * nor can a batch that waited for a rebuild's swap apply to the generation the swap retired.
 */
class CheckpointFencingIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    static final String TOPIC = "headwater.counter.events";
    static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @BeforeAll
    static void counterTable() throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.OWNER).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE projection.counter (id text PRIMARY KEY, n bigint NOT NULL)");
            statement.execute("GRANT SELECT, INSERT, UPDATE ON projection.counter TO headwater_projector");
        }
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            GenerationStore.ensureLive(connection, "counter", Instant.now());
            GenerationStore.ensureLive(connection, "swapped", Instant.now());
        }
    }

    @Test
    void a_consumer_whose_checkpoint_moved_underneath_it_cannot_commit_the_same_records_again() throws Exception {
        DataSource dataSource = postgres.dataSource(DbRole.PROJECTOR);
        BatchApplier applier = new BatchApplier(new Counter("counter"), PoisonPolicy.PARK, Clock.systemUTC());
        List<Incoming> batch = records("c1", 0, 10);

        // The new owner applies records 0..9, starting from no checkpoint.
        try (Connection owner = dataSource.getConnection()) {
            owner.setAutoCommit(false);
            BatchApplier.Result result =
                    applier.apply(owner, BatchApplier.Target.live(1), batch, Map.of(), BatchApplier.Mode.FAST, 0);
            owner.commit();
            assertThat(result.checkpoints()).containsEntry(PARTITION, 10L);
        }
        // The old owner, paused while it held the same records, wakes up and tries to commit them.
        try (Connection zombie = dataSource.getConnection()) {
            zombie.setAutoCommit(false);
            assertThatThrownBy(() -> applier.apply(
                            zombie, BatchApplier.Target.live(1), batch, new HashMap<>(), BatchApplier.Mode.FAST, 0))
                    .isInstanceOf(CheckpointStore.CheckpointConflict.class);
            zombie.rollback();
        }
        // And from a stale checkpoint on a later range too.
        try (Connection zombie = dataSource.getConnection()) {
            zombie.setAutoCommit(false);
            assertThatThrownBy(() -> applier.apply(
                            zombie,
                            BatchApplier.Target.live(1),
                            records("c1", 5, 15),
                            Map.of(PARTITION, 5L),
                            BatchApplier.Mode.FAST,
                            0))
                    .isInstanceOf(CheckpointStore.CheckpointConflict.class);
            zombie.rollback();
        }
        assertThat(count(dataSource, "c1")).as("each record counted once").isEqualTo(10);
    }

    /**
     * A live batch opens with the batch lock (shared) and the read of the live generation sent
     * together; the read must still see a swap that committed while the batch waited for the lock.
     */
    @Test
    void a_batch_that_waited_for_a_swap_applies_nothing_to_the_generation_the_swap_retired() throws Exception {
        DataSource dataSource = postgres.dataSource(DbRole.PROJECTOR);
        BatchApplier applier = new BatchApplier(new Counter("swapped"), PoisonPolicy.PARK, Clock.systemUTC());
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Connection swap = dataSource.getConnection()) {
            swap.setAutoCommit(false);
            Instant now = Instant.now();
            long building = GenerationStore.startBuilding(swap, "swapped", "test", now);
            GenerationStore.lockExclusive(swap, "swapped");
            Future<String> batch = executor.submit(() -> {
                try (Connection connection = dataSource.getConnection()) {
                    connection.setAutoCommit(false);
                    try {
                        applier.apply(
                                connection,
                                BatchApplier.Target.live(1),
                                records("s1", 0, 5),
                                Map.of(),
                                BatchApplier.Mode.FAST,
                                0);
                        connection.commit();
                        return "applied to generation 1";
                    } catch (BatchApplier.GenerationChanged e) {
                        connection.rollback();
                        return "generation changed to " + e.live;
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(CheckpointFencingIT::waitingForALock);
            GenerationStore.retireLive(swap, "swapped", now);
            GenerationStore.finish(swap, "swapped", building, Generation.LIVE, null, null, now);
            swap.commit();
            assertThat(batch.get(30, TimeUnit.SECONDS)).isEqualTo("generation changed to " + building);
        } finally {
            executor.shutdownNow();
        }
        assertThat(count(dataSource, "s1"))
                .as("nothing applied to the retired generation")
                .isZero();
    }

    private static boolean waitingForALock() throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.OWNER).getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) {
            rows.next();
            return rows.getLong(1) > 0;
        }
    }

    private static List<Incoming> records(String aggregateId, int from, int to) {
        CloudEventCodec codec = new CloudEventCodec();
        List<Incoming> items = new ArrayList<>();
        for (int offset = from; offset < to; offset++) {
            EventEnvelope event = new EventEnvelope(
                    UUID.nameUUIDFromBytes(("e" + offset).getBytes()),
                    "acme",
                    "counter",
                    aggregateId,
                    offset + 1,
                    "Counted",
                    1,
                    JsonNodeFactory.instance.objectNode(),
                    EventMetadata.empty(),
                    Instant.parse("2026-01-01T00:00:00Z"),
                    offset + 1,
                    null);
            items.add(Incoming.fromRecord(
                    new ConsumerRecord<>(TOPIC, 0, offset, aggregateId.getBytes(), codec.encode(event)),
                    codec,
                    Map.of(TOPIC, "counter")));
        }
        return items;
    }

    private static long count(DataSource dataSource, String aggregateId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT coalesce(sum(n), 0) FROM projection.counter WHERE id = ?")) {
            statement.setString(1, aggregateId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    /** Counts events per aggregate. */
    private static final class Counter implements Projection {
        private final String name;

        Counter(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> aggregateTypes() {
            return Set.of("counter");
        }

        @Override
        public Set<String> eventTypes() {
            return Set.of("Counted");
        }

        @Override
        public List<String> tables() {
            return List.of("counter");
        }

        @Override
        public void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException {
            try (PreparedStatement statement = transaction
                    .connection()
                    .prepareStatement(
                            "INSERT INTO counter AS c (id, n) VALUES (?, 1) ON CONFLICT (id) DO UPDATE SET n = c.n + 1")) {
                for (EventEnvelope event : events) {
                    statement.setString(1, event.aggregateId());
                    statement.addBatch();
                }
                statement.executeBatch();
            }
        }
    }
}
