package dev.headwater.bench;

import dev.headwater.local.ChildProcess;
import dev.headwater.local.KafkaBrokerProcess;
import dev.headwater.local.LocalStack;
import dev.headwater.local.ServiceProcess;
import dev.headwater.migrations.HeadwaterSchema;
import dev.headwater.migrations.HeadwaterSchema.Role;
import dev.headwater.testsupport.LocalPostgres;
import dev.headwater.testsupport.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * What a figure runs on, brought up from the local stack's pieces in a scratch directory: a
 * throw-away Postgres from the installed binaries (durable: fsync on, as in production), the
 * schema, a Kafka broker in a child JVM and the services from their executable jars, with the
 * local stack's JVM options. Everything stops on {@link #close()}.
 */
final class BenchStack implements AutoCloseable {

    static final String DATABASE = "headwater";
    /** Any password works (the local server trusts local logins); roles still need one. */
    private static final String PASSWORD = "bench";

    private static final Duration SERVICE_START_TIMEOUT = Duration.ofSeconds(180);

    /**
     * Production durability (the launcher's test default turns fsync off) and room for a log of a
     * million events in memory, so that figures and baselines measure the same warm server.
     */
    private static final Map<String, String> POSTGRES_SETTINGS = Map.of(
            "fsync", "on",
            "full_page_writes", "on",
            "shared_buffers", "'1GB'",
            "max_wal_size", "'8GB'",
            "checkpoint_timeout", "'30min'");

    /** JFR for every service, pg_stat_statements for the server (docs/benchmarks.md, "Profiling"). */
    static final boolean PROFILE = Boolean.getBoolean("bench.profile");

    private static final String TOP_STATEMENTS = """
            SELECT total_exec_time, calls, rows, mean_exec_time,
                   left(regexp_replace(query, '\\s+', ' ', 'g'), 160)
              FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20""";

    private final Path root;
    private final Path home;
    private final Map<String, String> brokerSettings;
    private final String bootstrapToken = "hw_" + randomText(32);
    private final Deque<Runnable> shutdown = new ArrayDeque<>();
    private @Nullable LocalPostgres postgres;
    private @Nullable KafkaBrokerProcess kafka;

    private BenchStack(Path root, Path home, Map<String, String> brokerSettings) {
        this.root = root;
        this.home = home;
        this.brokerSettings = Map.copyOf(brokerSettings);
    }

    /**
     * @param root the checkout, whose modules hold the built jars
     * @param brokerSettings broker settings written over the local stack's, for trying one
     */
    static BenchStack create(Path root, Map<String, String> brokerSettings) {
        try {
            Path home = Files.createTempDirectory("headwater-bench-");
            home.toFile().setExecutable(true, false);
            return new BenchStack(root, home, brokerSettings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Postgres with roles, the database and its migrations. */
    void startPostgres() {
        Map<String, String> settings = new HashMap<>(POSTGRES_SETTINGS);
        if (PROFILE) {
            settings.put("shared_preload_libraries", "'pg_stat_statements'");
            settings.put("pg_stat_statements.track", "all");
        }
        LocalPostgres server = LocalPostgres.startEphemeral(settings);
        postgres = server;
        shutdown.push(server::close);
        DataSource superuser = superuser("postgres");
        HeadwaterSchema.bootstrapRoles(
                superuser,
                Map.of(Role.OWNER, PASSWORD, Role.APP, PASSWORD, Role.CDC, PASSWORD, Role.PROJECTOR, PASSWORD));
        createMigratedDatabase(DATABASE);
        if (PROFILE) {
            execute(DATABASE, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        }
    }

    /**
     * With {@code -Dbench.profile=true}: the statements that took the server's time during the run,
     * by total execution time, across all databases and roles.
     */
    void printStatementProfile() {
        if (!PROFILE || postgres == null) {
            return;
        }
        try (Connection connection = superuser(DATABASE).getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(TOP_STATEMENTS)) {
            System.out.println("\n== Postgres: top statements by total time (pg_stat_statements) ==");
            System.out.println("  total ms    calls      rows   mean ms  statement");
            while (rows.next()) {
                System.out.printf(
                        java.util.Locale.ROOT,
                        "%10.0f %8d %9d %9.3f  %s%n",
                        rows.getDouble(1),
                        rows.getLong(2),
                        rows.getLong(3),
                        rows.getDouble(4),
                        rows.getString(5));
            }
        } catch (SQLException e) {
            System.err.println("No statement profile: " + e.getMessage());
        }
    }

    /** Another migrated database of the same server (a fresh projector state per round). */
    void createMigratedDatabase(String name) {
        HeadwaterSchema.createDatabaseIfMissing(superuser("postgres"), name);
        HeadwaterSchema.migrate(login(name, Role.OWNER));
    }

    /** The broker, with the local stack's settings and any {@code --kafka.<setting>=<value>} over them. */
    String startKafka() {
        if (!brokerSettings.isEmpty()) {
            Report.note("  broker settings passed through: %s", brokerSettings);
        }
        // The controller listens on the next port: both must be free, and outside the range the
        // kernel hands out to client sockets (one run in 19 failed to bind with a kernel-chosen port).
        KafkaBrokerProcess broker =
                KafkaBrokerProcess.start(home.resolve("kafka"), Ports.stablePortPair(), brokerSettings);
        kafka = broker;
        shutdown.push(broker::stop);
        return broker.bootstrapServers();
    }

    ServiceProcess startCommandService() {
        return startService("command-service", "/actuator/health", commonProperties(DATABASE, Role.APP));
    }

    /** The CDC relay on the main database; {@code extra} overrides (slot name, topic prefix ...). */
    ServiceProcess startCdc(String name, Map<String, String> extra) {
        ServiceProcess cdc = launchCdc(name, extra);
        cdc.awaitHealthy("/actuator/health", SERVICE_START_TIMEOUT);
        return cdc;
    }

    /** As {@link #startCdc}, without waiting: a drain is timed from the first record it publishes. */
    ServiceProcess launchCdc(String name, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(commonProperties(DATABASE, Role.CDC));
        properties.put("headwater.cdc.topics.replication-factor", "1");
        properties.putAll(extra);
        return launch("cdc", name, properties);
    }

    ServiceProcess startProjector(String database, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(commonProperties(database, Role.PROJECTOR));
        properties.putAll(extra);
        return startService("projector-service", "projector-" + database, "/actuator/health", properties);
    }

    private ServiceProcess startService(String module, String health, Map<String, String> properties) {
        return startService(module, module, health, properties);
    }

    private ServiceProcess startService(String module, String name, String health, Map<String, String> properties) {
        ServiceProcess service = launch(module, name, properties);
        service.awaitHealthy(health, SERVICE_START_TIMEOUT);
        return service;
    }

    private ServiceProcess launch(String module, String name, Map<String, String> properties) {
        List<String> jvm = new ArrayList<>(LocalStack.jvmOptionsOf(module));
        // Extra JVM options of the services under test, for trying JVM flags: of every service
        // (-Dbench.service-jvm="-X... -X...") and then of one module (-Dbench.service-jvm.cdc=...).
        for (String property : List.of("bench.service-jvm", "bench.service-jvm." + module)) {
            String extraJvm = System.getProperty(property, "").strip();
            if (!extraJvm.isEmpty()) {
                jvm.addAll(List.of(extraJvm.split("\\s+")));
            }
        }
        if (PROFILE) {
            // A profile of each service, for finding where a figure's time goes (docs/benchmarks.md).
            jvm.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + home.resolve("logs").resolve(name + ".jfr"));
        }
        ServiceProcess service = ServiceProcess.start(
                name,
                jarOf(module),
                freePort(),
                properties,
                jvm,
                home.resolve("logs").resolve(name + ".log"));
        shutdown.push(() -> service.process().stop(Duration.ofSeconds(30)));
        return service;
    }

    private Map<String, String> commonProperties(String database, Role role) {
        Map<String, String> properties = new HashMap<>();
        properties.put("spring.datasource.url", jdbcUrl(database));
        properties.put("spring.datasource.username", role.roleName());
        properties.put("spring.datasource.password", PASSWORD);
        properties.put("headwater.auth.bootstrap-token", bootstrapToken);
        properties.put("headwater.kafka.bootstrap-servers", kafka != null ? kafka.bootstrapServers() : "127.0.0.1:9");
        return properties;
    }

    /** Starts a long-running program with its output in the scratch directory; stopped on close. */
    ChildProcess startChild(String name, List<String> command) {
        ChildProcess child =
                ChildProcess.start(name, command, Map.of(), home.resolve("logs").resolve(name + ".log"));
        shutdown.push(() -> child.stop(Duration.ofSeconds(10)));
        return child;
    }

    /** Runs a program with its output in the scratch directory; returns what it printed. */
    String runTool(String name, java.util.List<String> command, Duration timeout) {
        Path log = home.resolve("logs").resolve(name + ".log");
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChildProcess child = ChildProcess.start(name, command, Map.of(), log);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (child.isAlive()) {
            if (System.nanoTime() > deadline) {
                child.kill();
                throw new IllegalStateException(
                        name + " did not finish within " + timeout.toSeconds() + " s:\n" + child.logTail(20));
            }
            Pause.millis(50);
        }
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tool of the installed PostgreSQL (pgbench, pg_recvlogical). */
    String postgresTool(String name) {
        return LocalPostgres.findBinaries()
                .orElseThrow(() -> new IllegalStateException(LocalPostgres.missingBinariesMessage()))
                .resolve(name)
                .toString();
    }

    String postgresVersion() {
        try (Connection connection = superuser("postgres").getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SHOW server_version")) {
            rows.next();
            return "PostgreSQL " + rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs SQL as the superuser on a database. */
    void execute(String database, String sql) {
        try (Connection connection = superuser(database).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage() + "\n" + sql, e);
        }
    }

    /** A single number from a query run as the superuser; 0 for SQL NULL. */
    long queryLong(String database, String sql) {
        @Nullable String value = queryText(database, sql);
        return value == null ? 0 : Long.parseLong(value);
    }

    /** A single value from a query run as the superuser, as text; null for SQL NULL. */
    @Nullable
    String queryText(String database, String sql) {
        try (Connection connection = superuser(database).getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage() + "\n" + sql, e);
        }
    }

    DataSource superuser(String database) {
        return server().superuserDataSource(database);
    }

    DataSource login(String database, Role role) {
        return server().dataSource(database, role.roleName(), PASSWORD);
    }

    String jdbcUrl(String database) {
        return server().jdbcUrl(database);
    }

    /** A libpq connection string (pgbench, pg_recvlogical). */
    String libpq(String database, Role role) {
        return "host=127.0.0.1 port=" + server().port() + " dbname=" + database + " user=" + role.roleName()
                + " password=" + PASSWORD;
    }

    String bootstrapToken() {
        return bootstrapToken;
    }

    String kafkaBootstrap() {
        if (kafka == null) {
            throw new IllegalStateException("Kafka is not started");
        }
        return kafka.bootstrapServers();
    }

    /** The broker's process id, for its CPU time. */
    long kafkaPid() {
        if (kafka == null) {
            throw new IllegalStateException("Kafka is not started");
        }
        return kafka.pid();
    }

    /** The postmaster's process id: its tree's CPU time is Postgres's share of a figure. */
    long postmasterPid() {
        return Machine.parentPid(
                queryLong(DATABASE, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"));
    }

    Path home() {
        return home;
    }

    private dev.headwater.testsupport.PostgresServer server() {
        if (postgres == null) {
            throw new IllegalStateException("Postgres is not started");
        }
        return postgres.server();
    }

    Path jarOf(String module) {
        Path target = root.resolve(module).resolve("target");
        Pattern name = Pattern.compile(Pattern.quote(module) + "-[0-9][^/]*(?<!-exec)\\.jar");
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> name.matcher(p.getFileName().toString()).matches())
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("No jar of " + module + " in " + target
                            + ": build first (bench/run does: ./mvnw -q -DskipTests package)"));
        } catch (IOException e) {
            throw new IllegalStateException("No jar of " + module + " in " + target + ": build first", e);
        }
    }

    /** Stops what was started, newest first, and deletes the scratch directory. */
    @Override
    public synchronized void close() {
        while (!shutdown.isEmpty()) {
            try {
                shutdown.pop().run();
            } catch (RuntimeException e) {
                System.err.println("Stopping a component failed: " + e.getMessage());
            }
        }
        if (!Files.exists(home)) {
            return;
        }
        if (!Boolean.getBoolean("bench.keep") && !PROFILE) {
            deleteRecursively(home);
        } else {
            System.out.println("kept " + home + " (logs in " + home.resolve("logs") + ")");
        }
    }

    /** A free port for a service, outside the kernel's ephemeral range (see {@link Ports}). */
    static int freePort() {
        return Ports.stablePort();
    }

    private static String randomText(int bytes) {
        byte[] buffer = new byte[bytes];
        new SecureRandom().nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            System.err.println("Could not delete " + directory + ": " + e.getMessage());
        }
    }
}
