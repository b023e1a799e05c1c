package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A page of a rebuild's log replay whose commit reports a broken connection after the database
 * committed it (docs/adr/0037): the page's applied versions were held in memory only, so a retry
 * would apply its events to the shadow a second time. The rebuild must stop instead, as after a
 * crash, and a rebuild requested afterwards must run and swap as usual.
 */
class ReplayCommitOutcomeIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    private static final String PROJECTION = "commit-probe";
    private static final int PAGE = 10;
    private static final int STREAMS = 6;
    private static final int VERSIONS = 5;

    @BeforeAll
    static void tablesAndLog() throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.OWNER).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE projection.probe_tally (id text PRIMARY KEY, n bigint NOT NULL)");
            statement.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON projection.probe_tally"
                    + " TO headwater_projector");
            statement.execute("INSERT INTO projection.view_tables VALUES ('probe_tally', '" + PROJECTION + "')");
            // Outside the registered tables: a discarded shadow keeps this record of committed applications.
            statement.execute("CREATE TABLE projection.probe_applications (event_id uuid NOT NULL)");
            statement.execute("GRANT SELECT, INSERT ON projection.probe_applications TO headwater_projector");
            for (int version = 1; version <= VERSIONS; version++) {
                for (int stream = 1; stream <= STREAMS; stream++) {
                    statement.execute("""
                            INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id,
                                                          aggregate_version, event_type, payload)
                            VALUES (gen_random_uuid(), 'acme', 'probe', 's%d', %d, 'Probed', '{}')
                            """.formatted(stream, version));
                }
            }
        }
        kafka.broker().createTopic("headwater.probe.events", 1);
    }

    @Test
    void a_replay_page_whose_commit_breaks_the_connection_after_committing_stops_the_rebuild_without_applying_it_again()
            throws Exception {
        DataSource projector = postgres.dataSource(DbRole.PROJECTOR);
        long live;
        try (Connection connection = projector.getConnection()) {
            live = GenerationStore.ensureLive(connection, PROJECTION, Instant.now());
        }
        // The live generation already holds what the log says, so a rebuild that replays it right swaps.
        Map<AggregateKey, Long> versions = new LinkedHashMap<>();
        try (Connection connection = projector.getConnection();
                Statement statement = connection.createStatement()) {
            for (int stream = 1; stream <= STREAMS; stream++) {
                statement.execute("INSERT INTO projection.probe_tally VALUES ('s" + stream + "', " + VERSIONS + ")");
                versions.put(new AggregateKey("probe", "s" + stream), (long) VERSIONS);
            }
            AppliedVersionStore.store(connection, PROJECTION, live, versions);
        }
        String liveBefore = liveTally(projector);

        BrokenAfterCommit faulty = new BrokenAfterCommit(projector, 2);
        ProjectionRuntime runtime = new ProjectionRuntime(
                List.of(new ProbeTally()),
                faulty.dataSource(),
                new KafkaConnection(kafka.bootstrapServers()),
                properties(),
                new SimpleMeterRegistry(),
                List.of(),
                Clock.systemUTC());

        long failing = runtime.rebuild(PROJECTION, "test").generation();
        Generation failed = awaitFinished(runtime, failing);

        assertThat(faulty.injected())
                .as("commits that reported a broken connection")
                .isEqualTo(1);
        assertThat(applicationsPerEvent(projector))
                .as("committed applications of each event: pages 1 and 2 (whose commit did happen) once each,"
                        + " page 2 never retried, page 3 never reached")
                .allSatisfy((event, count) ->
                        assertThat(count).as("applications of " + event).isEqualTo(1))
                .hasSize(2 * PAGE);
        assertThat(failed.state()).isEqualTo(Generation.FAILED);
        assertThat(failed.detail())
                .contains("the commit of a replay page")
                .contains("whether it committed is unknown")
                .contains("request the rebuild again");
        assertThat(liveGeneration(runtime)).as("the live generation").isEqualTo(live);
        assertThat(liveTally(projector)).as("the live table").isEqualTo(liveBefore);
        assertThat(shadowExists(projector))
                .as("the failed rebuild's shadow table is left")
                .isFalse();
        try (Connection connection = projector.getConnection()) {
            assertThat(AppliedVersionStore.fetch(connection, PROJECTION, failing, versions.keySet()))
                    .as("applied versions of the failed generation")
                    .isEmpty();
        }

        long next = runtime.rebuild(PROJECTION, "test").generation();
        Generation swapped = awaitFinished(runtime, next);

        assertThat(swapped.state()).as(String.valueOf(swapped.detail())).isEqualTo(Generation.LIVE);
        assertThat(swapped.eventsReplayed()).isEqualTo((long) STREAMS * VERSIONS);
        assertThat(liveTally(projector)).isEqualTo(liveBefore);
    }

    private static Generation awaitFinished(ProjectionRuntime runtime, long generation) {
        return await("generation " + generation + " finished")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> runtime.generations(PROJECTION, 10).stream()
                                .filter(g -> g.generation() == generation)
                                .findFirst()
                                .orElseThrow(),
                        g -> !g.state().equals(Generation.BUILDING));
    }

    private static ProjectorProperties properties() {
        return new ProjectorProperties(
                false,
                "headwater",
                "headwater-projector",
                Duration.ofMillis(200),
                2000,
                PoisonPolicy.PARK,
                Map.of(),
                new ProjectorProperties.Retry(3, Duration.ofMillis(20), Duration.ofMillis(100)),
                new ProjectorProperties.Consistency(Duration.ofSeconds(5), Duration.ofSeconds(1)),
                new ProjectorProperties.Rebuild(PAGE, Duration.ofSeconds(20)),
                Map.of());
    }

    private static long liveGeneration(ProjectionRuntime runtime) {
        return runtime.generations(PROJECTION, 10).stream()
                .filter(g -> g.state().equals(Generation.LIVE))
                .mapToLong(Generation::generation)
                .findFirst()
                .orElseThrow();
    }

    private static String liveTally(DataSource dataSource) throws SQLException {
        return single(dataSource, "SELECT string_agg(id || '=' || n, ',' ORDER BY id) FROM projection.probe_tally");
    }

    private static boolean shadowExists(DataSource dataSource) throws SQLException {
        return single(dataSource, "SELECT to_regclass('projection_shadow.probe_tally') IS NOT NULL")
                .equals("t");
    }

    private static Map<String, Long> applicationsPerEvent(DataSource dataSource) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT event_id, count(*) FROM projection.probe_applications"
                        + " GROUP BY event_id ORDER BY event_id")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        }
        return counts;
    }

    private static String single(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }

    /**
     * Hands out connections whose commit of the {@code failAt}-th page of {@link ProbeTally} (once)
     * commits for real and then throws as the driver does when the connection breaks before the
     * server's answer arrives: SQLSTATE 08006, the connection unusable afterwards.
     */
    private static final class BrokenAfterCommit {
        private final DataSource target;
        private final int failAt;
        private final AtomicInteger pageCommits = new AtomicInteger();
        private final AtomicInteger injected = new AtomicInteger();

        BrokenAfterCommit(DataSource target, int failAt) {
            this.target = target;
            this.failAt = failAt;
        }

        int injected() {
            return injected.get();
        }

        DataSource dataSource() {
            return new DelegatingDataSource();
        }

        private Connection wrap(Connection real) {
            InvocationHandler handler = new InvocationHandler() {
                private boolean appliedPage;
                private boolean broken;

                @Override
                public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                    String name = method.getName();
                    if (broken && !name.equals("close") && !name.equals("isClosed")) {
                        throw new SQLException("This connection has been closed.", "08003");
                    }
                    if (name.equals("prepareStatement")
                            && String.valueOf(args[0]).contains(ProbeTally.RECORD)) {
                        appliedPage = true;
                    }
                    if (name.equals("commit") && appliedPage) {
                        appliedPage = false;
                        real.commit();
                        if (pageCommits.incrementAndGet() == failAt) {
                            injected.incrementAndGet();
                            broken = true;
                            throw new SQLException(
                                    "An I/O error occurred while sending to the backend (injected after the commit)",
                                    "08006");
                        }
                        return null;
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }
            };
            return (Connection) Proxy.newProxyInstance(
                    Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
        }

        private final class DelegatingDataSource implements DataSource {
            @Override
            public Connection getConnection() throws SQLException {
                return wrap(target.getConnection());
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return wrap(target.getConnection(username, password));
            }

            @Override
            public PrintWriter getLogWriter() throws SQLException {
                return target.getLogWriter();
            }

            @Override
            public void setLogWriter(PrintWriter out) throws SQLException {
                target.setLogWriter(out);
            }

            @Override
            public void setLoginTimeout(int seconds) throws SQLException {
                target.setLoginTimeout(seconds);
            }

            @Override
            public int getLoginTimeout() throws SQLException {
                return target.getLoginTimeout();
            }

            @Override
            public Logger getParentLogger() {
                return Logger.getLogger("dev.headwater");
            }

            @Override
            public <T> T unwrap(Class<T> type) throws SQLException {
                return target.unwrap(type);
            }

            @Override
            public boolean isWrapperFor(Class<?> type) throws SQLException {
                return target.isWrapperFor(type);
            }
        }
    }

    /** Counts events per aggregate and records, outside its view tables, each event it applied. */
    private static final class ProbeTally implements Projection {
        static final String RECORD = "projection.probe_applications";

        @Override
        public String name() {
            return PROJECTION;
        }

        @Override
        public Set<String> aggregateTypes() {
            return Set.of("probe");
        }

        @Override
        public Set<String> eventTypes() {
            return Set.of("Probed");
        }

        @Override
        public List<String> tables() {
            return List.of("probe_tally");
        }

        @Override
        public void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException {
            Connection connection = transaction.connection();
            try (PreparedStatement tally = connection.prepareStatement(
                            "INSERT INTO probe_tally AS t (id, n) VALUES (?, 1) ON CONFLICT (id) DO UPDATE SET n = t.n + 1");
                    PreparedStatement record =
                            connection.prepareStatement("INSERT INTO " + RECORD + " (event_id) VALUES (?)")) {
                for (EventEnvelope event : events) {
                    tally.setString(1, event.aggregateId());
                    tally.addBatch();
                    record.setObject(1, event.eventId());
                    record.addBatch();
                }
                tally.executeBatch();
                record.executeBatch();
            }
        }
    }
}
