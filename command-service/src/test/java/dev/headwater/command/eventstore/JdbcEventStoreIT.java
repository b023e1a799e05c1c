package dev.headwater.command.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class JdbcEventStoreIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    static final JsonMapper json = JsonMapper.builder().build();
    static DataSource app;
    static JdbcEventStore store;
    static TransactionTemplate transactions;

    @BeforeAll
    static void connect() {
        app = postgres.dataSource(DbRole.APP);
        store = new JdbcEventStore(new JdbcTemplate(app), json, new SimpleMeterRegistry());
        transactions = new TransactionTemplate(new DataSourceTransactionManager(app));
    }

    static StreamId newStream() {
        return new StreamId("order", "o-" + UUID.randomUUID());
    }

    static NewEvent event(String type, int n) {
        ObjectNode payload = json.createObjectNode();
        payload.put("n", n);
        return NewEvent.of(type, payload, new EventMetadata("token:t1", "cmd-1", "corr-1", "cmd-1", null));
    }

    @Test
    void an_append_gives_consecutive_versions_and_increasing_positions_and_reads_back_in_order() {
        StreamId stream = newStream();

        AppendResult first =
                store.append(stream, "acme", ExpectedVersion.noStream(), List.of(event("Placed", 1), event("Paid", 2)));
        AppendResult second = store.append(stream, "acme", ExpectedVersion.exactly(2), List.of(event("Shipped", 3)));

        assertThat(first.newVersion()).isEqualTo(2);
        assertThat(first.globalPositions()).hasSize(2).isSorted();
        assertThat(second.newVersion()).isEqualTo(3);
        assertThat(second.globalPositions().get(0))
                .isGreaterThan(first.globalPositions().get(1));
        List<EventEnvelope> events = store.readStream(stream, 1, 100);
        assertThat(events).extracting(EventEnvelope::eventType).containsExactly("Placed", "Paid", "Shipped");
        assertThat(events).extracting(EventEnvelope::aggregateVersion).containsExactly(1L, 2L, 3L);
        assertThat(events.get(0).metadata()).isEqualTo(new EventMetadata("token:t1", "cmd-1", "corr-1", "cmd-1", null));
        assertThat(events.get(0).payload().get("n").asInt()).isEqualTo(1);
        assertThat(store.readStream(stream, 3, 100))
                .extracting(EventEnvelope::eventType)
                .containsExactly("Shipped");
        assertThat(store.head(stream)).contains(new StreamHead(stream, 3, "acme"));
    }

    @Test
    void an_append_to_another_tenants_stream_is_refused_whatever_the_expected_version_and_appends_nothing() {
        StreamId stream = newStream();
        store.append(stream, "acme", ExpectedVersion.noStream(), List.of(event("Placed", 1)));

        for (ExpectedVersion expected : List.of(ExpectedVersion.any(), ExpectedVersion.exactly(1))) {
            assertThatThrownBy(() -> store.append(stream, "globex", expected, List.of(event("Hijacked", 2))))
                    .isInstanceOfSatisfying(
                            StreamOfAnotherTenant.class,
                            e -> assertThat(e.owner()).isEqualTo("acme"));
        }
        assertThatThrownBy(() -> store.append(stream, "globex", ExpectedVersion.exactly(5), List.of(event("X", 3))))
                .as("another tenant's stream is reported before a stale version")
                .isInstanceOf(StreamOfAnotherTenant.class);
        assertThatThrownBy(() -> store.append(stream, "acme", ExpectedVersion.exactly(5), List.of(event("X", 3))))
                .isInstanceOfSatisfying(
                        WrongExpectedVersion.class,
                        e -> assertThat(e.actualVersion()).isEqualTo(1L));

        assertThat(store.readStream(stream, 1, 100))
                .extracting(EventEnvelope::eventType)
                .containsExactly("Placed");
        assertThat(store.append(stream, "acme", ExpectedVersion.any(), List.of(event("Paid", 2)))
                        .newVersion())
                .isEqualTo(2);
    }

    @Test
    void the_metadata_column_uses_exactly_the_contract_names() {
        StreamId stream = newStream();
        store.append(
                stream,
                "acme",
                ExpectedVersion.any(),
                List.of(NewEvent.of(
                        "Placed",
                        json.createObjectNode(),
                        new EventMetadata(
                                "token:a",
                                "cmd",
                                "corr",
                                "cause",
                                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))));

        String metadata = new JdbcTemplate(app)
                .queryForObject(
                        "SELECT metadata::text FROM event_log.events WHERE aggregate_id = ?",
                        String.class,
                        stream.aggregateId());

        assertThat(json.readTree(metadata).propertyNames())
                .containsExactlyInAnyOrder("actor", "commandId", "correlationId", "causationId", "traceparent");
    }

    @Test
    void a_single_event_is_stored_exactly_as_the_same_event_in_a_batch() {
        StreamId single = newStream();
        StreamId batch = newStream();
        ObjectNode payload = json.createObjectNode();
        payload.put("note", "a \"quoted\" {text}, with , and \\ and ünïcode");
        payload.put("amount", 150);
        payload.putArray("tags").add("a").add("b");
        EventMetadata metadata = new EventMetadata(
                "token:a", "cmd", "corr", "cause", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        NewEvent one = new NewEvent(UUID.randomUUID(), "Placed.v2", 3, payload, metadata);
        NewEvent first = new NewEvent(UUID.randomUUID(), "Placed.v2", 3, payload, metadata);

        AppendResult alone = store.append(single, "acme", ExpectedVersion.noStream(), List.of(one));
        store.append(batch, "acme", ExpectedVersion.noStream(), List.of(first, event("Paid", 2)));

        assertThat(alone.newVersion()).isEqualTo(1);
        assertThat(alone.globalPositions()).hasSize(1);
        String columns = "SELECT event_id, tenant_id, aggregate_version, event_type, schema_version, payload::text,"
                + " metadata::text FROM event_log.events WHERE aggregate_type = ? AND aggregate_id = ?"
                + " AND aggregate_version = 1";
        JdbcTemplate jdbc = new JdbcTemplate(app);
        var stored = jdbc.queryForMap(columns, single.aggregateType(), single.aggregateId());
        var inBatch = jdbc.queryForMap(columns, batch.aggregateType(), batch.aggregateId());
        assertThat(stored.get("event_id")).isEqualTo(one.eventId());
        assertThat(inBatch.get("event_id")).isEqualTo(first.eventId());
        stored.remove("event_id");
        inBatch.remove("event_id");
        assertThat(stored).isEqualTo(inBatch).containsEntry("schema_version", 3);
        assertThat(json.readTree((String) stored.get("payload"))).isEqualTo(payload);
        assertThat(store.readStream(single, 1, 10).get(0).metadata()).isEqualTo(metadata);
    }

    @Test
    void a_stale_expected_version_is_refused_with_the_actual_version_and_nothing_is_appended() {
        StreamId stream = newStream();
        store.append(stream, "acme", ExpectedVersion.any(), List.of(event("A", 1), event("B", 2)));

        assertThatThrownBy(() -> store.append(stream, "acme", ExpectedVersion.exactly(1), List.of(event("C", 3))))
                .isInstanceOfSatisfying(WrongExpectedVersion.class, e -> {
                    assertThat(e.actualVersion()).isEqualTo(2L);
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.exactly(1));
                });
        assertThatThrownBy(() -> store.append(stream, "acme", ExpectedVersion.noStream(), List.of(event("C", 3))))
                .isInstanceOfSatisfying(
                        WrongExpectedVersion.class,
                        e -> assertThat(e.actualVersion()).isEqualTo(2L));
        assertThatThrownBy(() -> store.append(stream, "acme", ExpectedVersion.exactly(5), List.of(event("C", 3))))
                .isInstanceOfSatisfying(
                        WrongExpectedVersion.class,
                        e -> assertThat(e.actualVersion()).isEqualTo(2L));
        assertThat(store.currentVersion(stream)).isEqualTo(2);
    }

    @Test
    void a_writer_that_loses_to_a_concurrent_transaction_gets_wrong_expected_version_not_a_database_error()
            throws Exception {
        StreamId stream = newStream();
        CountDownLatch firstInserted = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<AppendResult> first = threads.submit(() -> transactions.execute(status -> {
                AppendResult result = store.append(stream, "acme", ExpectedVersion.noStream(), List.of(event("A", 1)));
                firstInserted.countDown();
                await(secondStarted);
                Awaitility.await("the second writer waits for this transaction's version 1")
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> new JdbcTemplate(app)
                                        .queryForObject(
                                                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                                        + " AND wait_event_type = 'Lock'",
                                                Integer.class)
                                > 0);
                return result;
            }));
            firstInserted.await(10, TimeUnit.SECONDS);
            Future<Object> second = threads.submit((Callable<Object>) () -> {
                secondStarted.countDown();
                return transactions.execute(
                        status -> store.append(stream, "acme", ExpectedVersion.noStream(), List.of(event("B", 1))));
            });

            assertThat(first.get(10, TimeUnit.SECONDS).newVersion()).isEqualTo(1);
            assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(WrongExpectedVersion.class);
            assertThat(store.readStream(stream, 1, 10))
                    .extracting(EventEnvelope::eventType)
                    .containsExactly("A");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void the_contiguity_trigger_and_the_unique_version_are_both_recognised_as_lost_races() {
        StreamId stream = newStream();
        store.append(stream, "acme", ExpectedVersion.any(), List.of(event("A", 1)));
        JdbcTemplate jdbc = new JdbcTemplate(app);
        String insert = """
                INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                              event_type, payload)
                VALUES (?, 'acme', ?, ?, ?, 'X', '{}')""";

        assertThatThrownBy(
                        () -> jdbc.update(insert, UUID.randomUUID(), stream.aggregateType(), stream.aggregateId(), 3))
                .isInstanceOfSatisfying(
                        DataAccessException.class,
                        e -> assertThat(JdbcEventStore.isLostRace(e)).isTrue());
        assertThatThrownBy(
                        () -> jdbc.update(insert, UUID.randomUUID(), stream.aggregateType(), stream.aggregateId(), 1))
                .isInstanceOfSatisfying(
                        DataAccessException.class,
                        e -> assertThat(JdbcEventStore.isLostRace(e)).isTrue());
        assertThatThrownBy(() -> jdbc.update(
                        "INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id,"
                                + " aggregate_version, event_type, payload) VALUES (?, '', 'x', 'y', 1, 'X', '{}')",
                        UUID.randomUUID()))
                .isInstanceOfSatisfying(
                        DataAccessException.class,
                        e -> assertThat(JdbcEventStore.isLostRace(e)).isFalse());
    }

    @Test
    void concurrent_writers_to_one_stream_never_leave_a_gap_or_share_a_version() throws Exception {
        StreamId stream = newStream();
        int writers = 8;
        int appendsEach = 15;
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        List<Future<Integer>> results = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int w = 0; w < writers; w++) {
            results.add(threads.submit(() -> {
                await(start);
                int won = 0;
                for (int i = 0; i < appendsEach; i++) {
                    long seen = store.currentVersion(stream);
                    try {
                        store.append(stream, "acme", ExpectedVersion.exactly(seen), List.of(event("E", i)));
                        won++;
                    } catch (WrongExpectedVersion lost) {
                        // another writer took this version; that is the point
                    }
                }
                return won;
            }));
        }
        start.countDown();
        int won = 0;
        for (Future<Integer> result : results) {
            won += result.get(60, TimeUnit.SECONDS);
        }
        threads.shutdownNow();

        List<EventEnvelope> events = store.readStream(stream, 1, 10_000);
        assertThat(events).hasSize(won);
        assertThat(events)
                .extracting(EventEnvelope::aggregateVersion)
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(1, won).boxed().toList());
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
