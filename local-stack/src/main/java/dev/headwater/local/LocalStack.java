package dev.headwater.local;

import dev.headwater.migrations.HeadwaterSchema;
import dev.headwater.migrations.HeadwaterSchema.Role;
import dev.headwater.testsupport.LocalPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the whole platform on this machine and keeps it running until Ctrl-C: Postgres, the
 * schema, Kafka, then the command service, the CDC relay and the projector service, each in its
 * own process. A second start reuses the data under {@code .headwater/}.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("headwater.local");
    /**
     * JVM options of each service the stack starts, by module; the benchmarks start theirs with the
     * same. The collector and heap limit are chosen per service by its drain figures and its
     * resident memory (ADR 7).
     */
    private static final Map<String, List<String>> SERVICE_JVM = Map.of(
            "command-service", List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC"),
            "cdc", List.of("-Xms64m", "-Xmx256m", "-XX:+UseParallelGC"),
            "projector-service", List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:NewRatio=1"));

    /** The JVM options the stack starts {@code module}'s jar with. */
    public static List<String> jvmOptionsOf(String module) {
        List<String> options = SERVICE_JVM.get(module);
        if (options == null) {
            throw new IllegalArgumentException("no service module " + module + "; known: " + SERVICE_JVM.keySet());
        }
        return options;
    }

    private static final Duration SERVICE_START_TIMEOUT = Duration.ofSeconds(180);

    private final StackSettings settings;
    private final Deque<Runnable> shutdown = new ArrayDeque<>();
    private @Nullable String jdbcUrl;
    private @Nullable String kafkaBootstrap;
    private @Nullable StackSecrets secrets;

    LocalStack(StackSettings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws InterruptedException {
        long started = System.nanoTime();
        LocalStack stack =
                new LocalStack(StackSettings.from(System.getenv(), Path.of("").toAbsolutePath()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stack.close();
                            stopped.countDown();
                        },
                        "local-stack-stop"));
        try {
            stack.start();
        } catch (RuntimeException e) {
            log.error("{}", e.getMessage());
            log.debug("cause", e);
            System.exit(1);
        }
        stack.printBanner(Duration.ofNanos(System.nanoTime() - started));
        stopped.await();
    }

    void start() {
        Steps steps = new Steps(6);
        secrets = StackSecrets.loadOrCreate(settings.home().resolve("secrets.properties"));
        DataSource superuser = steps.run("Postgres", this::startPostgres);
        steps.run("Schema (roles, database, migrations)", () -> installSchema(superuser));
        kafkaBootstrap = steps.run("Kafka", this::startKafka);
        ServiceProcess command = steps.run(
                "command-service: start",
                () -> startService("command-service", settings.commandPort(), commandProperties()));
        ServiceProcess cdc = startService("cdc", settings.cdcPort(), cdcProperties());
        ServiceProcess projector = startService("projector-service", settings.projectorPort(), projectorProperties());
        steps.run("Waiting for the services to be healthy", () -> {
            command.awaitHealthy("/actuator/health", SERVICE_START_TIMEOUT);
            projector.awaitHealthy("/actuator/health", SERVICE_START_TIMEOUT);
            cdc.awaitHealthy("/actuator/health", SERVICE_START_TIMEOUT);
        });
    }

    private DataSource startPostgres() {
        if (settings.databaseUrl() != null) {
            PGSimpleDataSource given = new PGSimpleDataSource();
            given.setUrl(settings.databaseUrl());
            String walLevel = HeadwaterSchema.walLevel(given);
            if (!"logical".equals(walLevel)) {
                throw new IllegalStateException("HEADWATER_DB_URL points at a server with wal_level=" + walLevel
                        + ". Fix: set wal_level = logical in its postgresql.conf and restart it.");
            }
            jdbcUrl = "jdbc:postgresql://" + String.join(",", hosts(given)) + "/" + StackSettings.DATABASE;
            log.info("Using the Postgres server of HEADWATER_DB_URL ({})", jdbcUrl);
            return given;
        }
        if (LocalPostgres.findBinaries().isEmpty()) {
            throw new IllegalStateException(LocalPostgres.missingBinariesMessage()
                    + " Or set HEADWATER_DB_URL to a superuser URL of a server with wal_level=logical.");
        }
        Path directory = settings.home().resolve("postgres");
        requirePortFree(settings.postgresPort(), "Postgres", "HEADWATER_PG_PORT");
        requireReachableByPostgresUser(directory);
        LocalPostgres postgres = LocalPostgres.startPersistent(directory, settings.postgresPort());
        shutdown.push(postgres::close);
        jdbcUrl = "jdbc:postgresql://127.0.0.1:" + settings.postgresPort() + "/" + StackSettings.DATABASE;
        return postgres.server().superuserDataSource("postgres");
    }

    private void installSchema(DataSource superuser) {
        HeadwaterSchema.requireLogicalWal(superuser);
        HeadwaterSchema.bootstrapRoles(
                superuser,
                Map.of(
                        Role.OWNER, secrets().ownerPassword(),
                        Role.APP, secrets().appPassword(),
                        Role.CDC, secrets().cdcPassword(),
                        Role.PROJECTOR, secrets().projectorPassword()));
        boolean created = HeadwaterSchema.createDatabaseIfMissing(superuser, StackSettings.DATABASE);
        var result =
                HeadwaterSchema.migrate(login(Role.OWNER.roleName(), secrets().ownerPassword()));
        log.info(
                "Database {}: {}, {} migration(s) applied, schema version {}",
                StackSettings.DATABASE,
                created ? "created" : "reused",
                result.migrationsExecuted,
                result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion);
    }

    private String startKafka() {
        if (settings.kafkaBootstrap() != null) {
            log.info("Using the Kafka broker of HEADWATER_KAFKA_BOOTSTRAP ({})", settings.kafkaBootstrap());
            return settings.kafkaBootstrap();
        }
        requirePortFree(settings.kafkaPort(), "Kafka", "HEADWATER_KAFKA_PORT");
        requirePortFree(settings.kafkaPort() + 1, "the Kafka controller", "HEADWATER_KAFKA_PORT");
        KafkaBrokerProcess broker = KafkaBrokerProcess.start(settings.home().resolve("kafka"), settings.kafkaPort());
        shutdown.push(broker::stop);
        return broker.bootstrapServers();
    }

    private ServiceProcess startService(String module, int port, Map<String, String> properties) {
        requirePortFree(
                port, module, "HEADWATER_" + module.replace("-service", "").toUpperCase() + "_PORT");
        ServiceProcess service = ServiceProcess.start(
                module,
                settings.jarOf(module),
                port,
                properties,
                jvmOptionsOf(module),
                settings.home().resolve("logs").resolve(module + ".log"));
        shutdown.push(() -> service.process().stop(Duration.ofSeconds(30)));
        return service;
    }

    private Map<String, String> commonProperties(Role role, String password) {
        return Map.of(
                "spring.datasource.url", jdbcUrl(),
                "spring.datasource.username", role.roleName(),
                "spring.datasource.password", password,
                "headwater.kafka.bootstrap-servers", kafkaBootstrap(),
                "headwater.auth.bootstrap-token", secrets().bootstrapToken());
    }

    private Map<String, String> commandProperties() {
        return commonProperties(Role.APP, secrets().appPassword());
    }

    private Map<String, String> cdcProperties() {
        Map<String, String> properties =
                new java.util.HashMap<>(commonProperties(Role.CDC, secrets().cdcPassword()));
        // One local broker: the relay's production default (3 replicas) cannot be met here.
        properties.put("headwater.cdc.topics.replication-factor", "1");
        return properties;
    }

    private Map<String, String> projectorProperties() {
        return commonProperties(Role.PROJECTOR, secrets().projectorPassword());
    }

    void printBanner(Duration took) {
        String token = secrets().bootstrapToken();
        String banner = """

                ============================================================================
                 Headwater is running (ready in %.1f s). Ctrl-C stops it; data stays in
                 %s
                ----------------------------------------------------------------------------
                 command service    http://127.0.0.1:%d   (OpenAPI: /v3/api-docs)
                 query service      http://127.0.0.1:%d
                 CDC relay          http://127.0.0.1:%d/actuator/health
                 Postgres           %s
                 Kafka              %s
                 logs               %s
                 bootstrap admin token (platform-admin):
                   %s
                 try:
                   curl -s -X POST http://127.0.0.1:%d/v1/tenants -H 'Authorization: Bearer %s' \\
                        -H 'Content-Type: application/json' \\
                        -d '{"tenantId":"acme","name":"Acme","quota":{"cpuMillis":8000,"memoryMib":16384,"gpus":1}}'
                   curl -s http://127.0.0.1:%d/v1/tenants/acme -H 'Authorization: Bearer %s'
                 the demo, in another terminal: bin/headwater-demo
                ============================================================================""".formatted(
                        took.toMillis() / 1000.0,
                        settings.home(),
                        settings.commandPort(),
                        settings.projectorPort(),
                        settings.cdcPort(),
                        jdbcUrl(),
                        kafkaBootstrap(),
                        settings.home().resolve("logs"),
                        token,
                        settings.commandPort(),
                        token,
                        settings.projectorPort(),
                        token);
        log.info("{}", banner);
    }

    /** Stops what was started, newest first. */
    @Override
    public synchronized void close() {
        if (!shutdown.isEmpty()) {
            log.info("Stopping the services, Kafka and Postgres ...");
        }
        while (!shutdown.isEmpty()) {
            try {
                shutdown.pop().run();
            } catch (RuntimeException e) {
                log.warn("Stopping a component failed: {}", e.getMessage());
            }
        }
        log.info("Stopped.");
    }

    private DataSource login(String user, String password) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(jdbcUrl());
        source.setUser(user);
        source.setPassword(password);
        return source;
    }

    private String jdbcUrl() {
        if (jdbcUrl == null) {
            throw new IllegalStateException("Postgres is not started yet");
        }
        return jdbcUrl;
    }

    private String kafkaBootstrap() {
        if (kafkaBootstrap == null) {
            throw new IllegalStateException("Kafka is not started yet");
        }
        return kafkaBootstrap;
    }

    StackSettings settings() {
        return settings;
    }

    StackSecrets secrets() {
        if (secrets == null) {
            throw new IllegalStateException("secrets are not loaded yet");
        }
        return secrets;
    }

    private static String[] hosts(PGSimpleDataSource source) {
        String[] names = source.getServerNames();
        int[] ports = source.getPortNumbers();
        String[] result = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            result[i] = names[i] + ":" + (ports.length > i && ports[i] > 0 ? ports[i] : 5432);
        }
        return result;
    }

    private static void requirePortFree(int port, String what, String variable) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new IllegalStateException("Port " + port + " for " + what + " is in use (another Headwater stack,"
                    + " or another program). Fix: stop it, or set " + variable + " to a free port.");
        }
    }

    /** Postgres runs as the 'postgres' user when we are root, so it must be able to reach its directory. */
    private static void requireReachableByPostgresUser(Path directory) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return;
        }
        for (Path dir = directory.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            try {
                if (Files.exists(dir)
                        && !Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new IllegalStateException("Postgres runs as the 'postgres' user (we are root), which cannot"
                            + " enter " + dir + ". Fix: chmod o+x " + dir + ", or set HEADWATER_HOME to a directory"
                            + " it can reach, such as /var/tmp/headwater.");
                }
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read the permissions of " + dir + ": " + e.getMessage(), e);
            }
        }
    }
}
