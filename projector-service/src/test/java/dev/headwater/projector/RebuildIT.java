package dev.headwater.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.Generation;
import dev.headwater.projector.runtime.ProjectionRuntime;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

class RebuildIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    @Test
    void a_rebuild_from_the_log_swaps_in_tables_equal_to_the_live_ones_while_queries_keep_answering() throws Exception {
        EventFeed.createTopics(kafka.broker(), 3);
        DataSource projector = postgres.dataSource(DbRole.PROJECTOR);
        List<EventEnvelope> all = new ArrayList<>();
        try (EventFeed feed = new EventFeed(postgres.dataSource(DbRole.APP), kafka.bootstrapServers());
                ProjectorInstance instance = ProjectorInstance.start(postgres, kafka, Map.of())) {
            Scenario scenario = new Scenario(7, Instant.parse("2026-02-01T00:00:00Z"));
            all.addAll(feed.appendAndPublish(scenario.setUp(6, 4)));
            all.addAll(feed.appendAndPublish(scenario.next(2_000)));
            ExpectedViews before = ExpectedViews.of(all);
            await("live views caught up")
                    .atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> Convergence.assertVersions(projector, before));

            List<String> indexesBefore = indexesOfViews(projector);
            assertThat(indexesBefore).as("indexes of the live views").isNotEmpty();

            AtomicBoolean querying = new AtomicBoolean(true);
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            Thread queries = new Thread(() -> {
                while (querying.get()) {
                    for (String path : List.of(
                            "/v1/tenants/tenant-1",
                            "/v1/tenants/tenant-2/allocations?limit=20",
                            "/v1/audit?limit=10",
                            "/v1/nodes")) {
                        int status = instance.get(path, ProjectorInstance.ADMIN_TOKEN)
                                .statusCode();
                        statuses.computeIfAbsent(status, s -> new AtomicInteger())
                                .incrementAndGet();
                    }
                }
            });
            queries.start();

            // Events keep coming while the rebuilds run: the rebuilt generations catch up on them from Kafka.
            AtomicBoolean producing = new AtomicBoolean(true);
            List<EventEnvelope> during = java.util.Collections.synchronizedList(new ArrayList<>());
            Thread producer = new Thread(() -> {
                while (producing.get()) {
                    during.addAll(feed.appendAndPublish(scenario.next(20)));
                }
            });
            producer.start();
            HttpResponse<String> started =
                    instance.post("/admin/projections/rebuild", ProjectorInstance.ADMIN_TOKEN, "");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            assertThat(EventFeed.JSON
                            .readTree(started.body())
                            .valueStream()
                            .map(g -> g.path("projection").asString() + ":"
                                    + g.path("generation").asLong()))
                    .as("one rebuild per projection, all from one request")
                    .containsExactlyInAnyOrderElementsOf(Convergence.TYPES_OF.keySet().stream()
                            .map(name -> name + ":2")
                            .toList());
            HttpResponse<String> again =
                    instance.post("/admin/projections/audit-trail/rebuild", ProjectorInstance.ADMIN_TOKEN, "");
            assertThat(again.statusCode()).as("a second rebuild while one runs").isEqualTo(409);
            HttpResponse<String> allAgain =
                    instance.post("/admin/projections/rebuild", ProjectorInstance.ADMIN_TOKEN, "");
            assertThat(allAgain.statusCode())
                    .as("a second rebuild of all while they run")
                    .isEqualTo(409);

            for (String projection : Convergence.TYPES_OF.keySet()) {
                await("generation 2 of " + projection + " live")
                        .atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> liveGeneration(instance, projection) == 2);
            }
            querying.set(false);
            producing.set(false);
            queries.join();
            producer.join();
            all.addAll(during);

            assertThat(statuses.keySet())
                    .as("every query answered during the rebuilds")
                    .containsOnly(200);
            assertThat(statuses.get(200).get()).isGreaterThan(20);
            long caughtUpFromKafka = 0;
            for (String projection : Convergence.TYPES_OF.keySet()) {
                Generation live = instance.runtime().generations(projection, 5).get(0);
                assertThat(live.eventsReplayed())
                        .as("events replayed into " + projection)
                        .isPositive();
                caughtUpFromKafka +=
                        Long.parseLong(live.detail().replaceAll(".*events from the log, (\\d+) from Kafka.*", "$1"));
                JsonNode checksums = EventFeed.JSON.readTree(live.checksums());
                assertThat(checksums.properties())
                        .isNotEmpty()
                        .allSatisfy(table -> assertThat(table.getValue().get("rebuilt"))
                                .as("checksum of %s", table.getKey())
                                .isEqualTo(table.getValue().get("live")));
                assertThat(instance.runtime().generations(projection, 5).get(1).state())
                        .isEqualTo(Generation.RETIRED);
            }

            assertThat(indexesOfViews(projector))
                    .as("the swapped-in tables have every index and constraint of the tables they replaced,"
                            + " although the replay filled them before their secondary indexes were built")
                    .isEqualTo(indexesBefore);

            assertThat(caughtUpFromKafka)
                    .as("events the rebuilds caught up on from Kafka")
                    .isPositive();
            assertThat(logEventsRead(instance))
                    .as("rows the five rebuilds read from the log: each row once for all of them (docs/adr/0036),"
                            + " where each reading it for itself reads the allocation events four times")
                    .isPositive()
                    .isLessThanOrEqualTo(logSize(projector));

            // A single projection's rebuild is a group of one: it reads the log of its own types.
            double readBefore = logEventsRead(instance);
            HttpResponse<String> single =
                    instance.post("/admin/projections/api-tokens/rebuild", ProjectorInstance.ADMIN_TOKEN, "");
            assertThat(single.statusCode()).as(single.body()).isEqualTo(202);
            await("generation 3 of api-tokens live")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> liveGeneration(instance, "api-tokens") == 3);
            assertThat(logEventsRead(instance) - readBefore)
                    .as("api-token events read by the single rebuild")
                    .isPositive();
            List<String> liveOnly = new ArrayList<>();
            Convergence.TYPES_OF.keySet().forEach(p -> liveOnly.add(p + ":" + liveGeneration(instance, p)));
            await("the applied-version tables of retired generations dropped (docs/adr/0038)")
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() ->
                            assertThat(appliedVersionTables(projector)).containsExactlyInAnyOrderElementsOf(liveOnly));

            all.addAll(feed.appendAndPublish(scenario.next(200)));
            ExpectedViews expected = ExpectedViews.of(all);
            await("views after the swap follow new events")
                    .atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> Convergence.assertVersions(projector, expected));
            Convergence.assertViews(projector, expected);
        }
    }

    /** Every index of the view tables (name and definition) and every primary key and unique constraint. */
    private static List<String> indexesOfViews(DataSource dataSource) throws java.sql.SQLException {
        List<String> found = new ArrayList<>();
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("""
                        SELECT i.tablename || ': ' || i.indexname || ' ' || substring(i.indexdef FROM ' USING .*$')
                               || coalesce(' constraint ' || c.contype::text, '')
                          FROM pg_indexes i
                          LEFT JOIN pg_constraint c
                            ON c.conname = i.indexname AND c.connamespace = 'projection'::regnamespace
                         WHERE i.schemaname = 'projection'
                           AND i.tablename IN (SELECT table_name FROM projection.view_tables)
                         ORDER BY 1
                        """)) {
            while (rows.next()) {
                found.add(rows.getString(1));
            }
        }
        return found;
    }

    /** "projection:generation" of every table of applied versions there is, attached or not. */
    private static List<String> appliedVersionTables(DataSource dataSource) throws java.sql.SQLException {
        List<String> found = new ArrayList<>();
        try (var connection = dataSource.getConnection();
                var statement = connection.prepareStatement("""
                        SELECT p || ':' || g FROM unnest(?::text[]) p, generate_series(1, 5) g
                         WHERE to_regclass('projection.' || quote_ident(projection.applied_versions_table(p, g)))
                               IS NOT NULL
                        """)) {
            statement.setArray(
                    1,
                    connection.createArrayOf(
                            "text", Convergence.TYPES_OF.keySet().toArray()));
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
        }
        return found;
    }

    private static double logEventsRead(ProjectorInstance instance) {
        return instance.context()
                .getBean(MeterRegistry.class)
                .get(ProjectionRuntime.LOG_EVENTS_READ)
                .counter()
                .count();
    }

    private static long logSize(DataSource dataSource) throws java.sql.SQLException {
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT count(*) FROM event_log.events")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long liveGeneration(ProjectorInstance instance, String projection) {
        return instance.runtime().generations(projection, 5).stream()
                .filter(g -> g.state().equals(Generation.LIVE))
                .mapToLong(Generation::generation)
                .findFirst()
                .orElse(0);
    }
}
