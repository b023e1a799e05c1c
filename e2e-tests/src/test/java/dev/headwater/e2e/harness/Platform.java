package dev.headwater.e2e.harness;

import dev.headwater.local.KafkaBrokerProcess;
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
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform under test, started once for the whole suite: a throw-away Postgres of its own
 * (scenario 5 stops and starts it, so it cannot be the server other tests share), the schema
 * installed as the migrator would, a KRaft broker in a child JVM, the command service, one CDC
 * relay and two projector instances, each from its jar as its own OS process.
 */
public final class Platform implements AutoCloseable {

    public static final String DATABASE = "headwater";

    private static final Logger log = LoggerFactory.getLogger(Platform.class);
    private static final SecureRandom random = new SecureRandom();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);

    /**
     * Small heaps, the serial collector and C1 only: six JVMs share two cores and 24 GiB. The relay
     * and the projectors, which the crash scenarios restart over and over, start in about half the
     * time. The command service never reaches the end of its warm-up within a scenario: with the
     * full tiered compiler a control-plane command cost 5.7–9.4 ms of its CPU (the compiler threads
     * took about as much as the request threads, and 42% of request samples were interpreted), with
     * C1 only 2.3–2.7 ms (local stack, 4 clients, /work/notes/s13-append.md).
     */
    private static final List<String> SERVICE_JVM =
            List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private static final List<String> RESTARTED_JVM = SERVICE_JVM;

    private final SuiteSettings settings;
    private final Path home;
    private final Map<Role, String> passwords = new EnumMap<>(Role.class);
    private final String adminToken = "hw_" + randomText(32);
    private final Deque<Runnable> shutdown = new ArrayDeque<>();
    private LocalPostgres postgres;
    private KafkaBrokerProcess kafka;
    private Service command;
    private Service relay;
    private List<Service> projectors;
    private ServiceImage commandImage;
    private ServiceImage relayImage;
    private ServiceImage projectorImage;

    private Platform(SuiteSettings settings) {
        this.settings = settings;
        this.home = settings.output().resolve("e2e-run").toAbsolutePath();
        for (Role role : Role.values()) {
            passwords.put(role, randomText(18));
        }
    }

    /**
     * Starts everything and waits until every service answers its health check. The processes are
     * children of no one once this JVM ends, so a shutdown hook stops them should the JVM be
     * terminated (a build timeout, Ctrl-C) before {@link #close()} runs.
     */
    public static Platform start(SuiteSettings settings) {
        Platform platform = new Platform(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(platform::close, "e2e-platform-shutdown"));
        try {
            platform.startAll();
            return platform;
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
    }

    private void startAll() {
        long started = System.nanoTime();
        deleteRecursively(home);
        postgres = LocalPostgres.startEphemeral(Map.of(
                // Postgres notices a SIGKILLed relay's session (and frees its advisory lock) at once
                // through the closed socket; these bound the wait where the socket stays open.
                "tcp_keepalives_idle", "5", "tcp_keepalives_interval", "2"));
        shutdown.push(postgres::close);
        installSchema();
        kafka = KafkaBrokerProcess.start(home.resolve("kafka"), Ports.stablePortPair());
        shutdown.push(kafka::stop);
        prepareImages();
        command = startService("command-service", commandImage, commandProperties());
        relay = startService("cdc", relayImage, relayProperties(DATABASE, "headwater_cdc", "headwater"));
        projectors = List.of(
                startService(
                        "projector-a",
                        projectorImage,
                        projectorProperties(DATABASE, "headwater", "headwater-projector")),
                startService(
                        "projector-b",
                        projectorImage,
                        projectorProperties(DATABASE, "headwater", "headwater-projector")));
        command.awaitHealthy();
        relay.awaitHealthy();
        projectors.forEach(Service::awaitHealthy);
        log.info(
                "Platform up in {} s: Postgres {}, Kafka {}, logs in {}",
                (System.nanoTime() - started) / 1_000_000_000,
                jdbcUrl(DATABASE),
                kafka.bootstrapServers(),
                home.resolve("logs"));
    }

    /** The three jars, each extracted with a class data sharing archive (in parallel), or as they are. */
    private void prepareImages() {
        if (!settings.classDataSharing()) {
            commandImage = ServiceImage.plain(settings.commandJar(), SERVICE_JVM);
            relayImage = ServiceImage.plain(settings.cdcJar(), RESTARTED_JVM);
            projectorImage = ServiceImage.plain(settings.projectorJar(), RESTARTED_JVM);
            return;
        }
        Path images = home.resolve("images");
        CompletableFuture<ServiceImage> commandTraining = CompletableFuture.supplyAsync(() -> ServiceImage.trained(
                "command-service", settings.commandJar(), SERVICE_JVM, commandProperties(), images.resolve("command")));
        CompletableFuture<ServiceImage> relayTraining = CompletableFuture.supplyAsync(() -> ServiceImage.trained(
                "cdc",
                settings.cdcJar(),
                RESTARTED_JVM,
                relayProperties(DATABASE, "headwater_cdc", "headwater"),
                images.resolve("cdc")));
        CompletableFuture<ServiceImage> projectorTraining = CompletableFuture.supplyAsync(() -> ServiceImage.trained(
                "projector-service",
                settings.projectorJar(),
                RESTARTED_JVM,
                projectorProperties(DATABASE, "headwater", "headwater-projector"),
                images.resolve("projector")));
        commandImage = commandTraining.join();
        relayImage = relayTraining.join();
        projectorImage = projectorTraining.join();
    }

    private void installSchema() {
        DataSource superuser = postgres.server().superuserDataSource("postgres");
        HeadwaterSchema.requireLogicalWal(superuser);
        HeadwaterSchema.bootstrapRoles(superuser, passwords);
        HeadwaterSchema.createDatabaseIfMissing(superuser, DATABASE);
        HeadwaterSchema.migrate(login(DATABASE, Role.OWNER));
    }

    /**
     * Starts a relay and a projector against another database of the same server (a restored
     * copy), publishing to topics of their own prefix and consuming in groups of their own, so the
     * live platform does not see them. The caller stops them.
     */
    public List<Service> startReadersOf(String database, String topicPrefix) {
        Service restoredRelay =
                startService("cdc-" + database, relayImage, relayProperties(database, database, topicPrefix));
        Service restoredProjector = startService(
                "projector-" + database,
                projectorImage,
                projectorProperties(database, topicPrefix, topicPrefix + "-projector"));
        restoredRelay.awaitHealthy();
        restoredProjector.awaitHealthy();
        return List.of(restoredRelay, restoredProjector);
    }

    private Service startService(String name, ServiceImage image, Map<String, String> properties) {
        ServiceProcess process = ServiceProcess.start(
                name,
                image.jar(),
                Ports.stablePort(),
                properties,
                image.jvmOptions(),
                home.resolve("logs").resolve(name + ".log"));
        Service service = new Service(name, process, START_TIMEOUT);
        shutdown.push(service::stop);
        return service;
    }

    private Map<String, String> common(String database, Role role) {
        Map<String, String> properties = new HashMap<>();
        properties.put("spring.datasource.url", jdbcUrl(database));
        properties.put("spring.datasource.username", role.roleName());
        properties.put("spring.datasource.password", passwords.get(role));
        properties.put("headwater.kafka.bootstrap-servers", kafka.bootstrapServers());
        properties.put("headwater.auth.bootstrap-token", adminToken);
        return properties;
    }

    private Map<String, String> commandProperties() {
        return common(DATABASE, Role.APP);
    }

    private Map<String, String> relayProperties(String database, String slot, String topicPrefix) {
        Map<String, String> properties = common(database, Role.CDC);
        properties.put("headwater.cdc.slot-name", slot);
        properties.put("headwater.cdc.topics.prefix", topicPrefix);
        // One broker: the production default of three replicas cannot be met.
        properties.put("headwater.cdc.topics.replication-factor", "1");
        return properties;
    }

    private Map<String, String> projectorProperties(String database, String topicPrefix, String groupPrefix) {
        Map<String, String> properties = common(database, Role.PROJECTOR);
        properties.put("headwater.projector.topic-prefix", topicPrefix);
        properties.put("headwater.projector.group-prefix", groupPrefix);
        // A killed instance's partitions move to the survivor after this long (the broker's minimum),
        // not after the client default of 45 s.
        properties.put("headwater.projector.consumer.session.timeout.ms", "6000");
        properties.put("headwater.projector.consumer.heartbeat.interval.ms", "1000");
        return properties;
    }

    public SuiteSettings settings() {
        return settings;
    }

    public Service command() {
        return command;
    }

    public Service relay() {
        return relay;
    }

    public List<Service> projectors() {
        return projectors;
    }

    public List<Service> services() {
        List<Service> all = new ArrayList<>();
        all.add(command);
        all.add(relay);
        all.addAll(projectors);
        return all;
    }

    public String adminToken() {
        return adminToken;
    }

    public String kafkaBootstrap() {
        return kafka.bootstrapServers();
    }

    public KafkaBrokerProcess kafka() {
        return kafka;
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public Path home() {
        return home;
    }

    public String jdbcUrl(String database) {
        return postgres.server().jdbcUrl(database);
    }

    /** A superuser login to a database of the platform's server (the checker reads everything). */
    public DataSource superuser(String database) {
        return postgres.server().superuserDataSource(database);
    }

    public DataSource login(String database, Role role) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(jdbcUrl(database));
        source.setUser(role.roleName());
        source.setPassword(passwords.get(role));
        return source;
    }

    /** Makes sure every service of the live platform runs (a failed scenario may have left one down). */
    public void ensureRunning() {
        if (!kafka.isAlive()) {
            kafka.restart();
        }
        postgres.start();
        for (Service service : services()) {
            if (!service.isAlive()) {
                log.warn("{} was not running; starting it", service);
                service.restart();
            }
        }
        services().forEach(Service::awaitHealthy);
    }

    /** Stops everything it started, newest first; a second call does nothing. */
    @Override
    public synchronized void close() {
        while (!shutdown.isEmpty()) {
            try {
                shutdown.pop().run();
            } catch (RuntimeException e) {
                log.warn("Stopping a component failed: {}", e.getMessage());
            }
        }
    }

    private static String randomText(int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not clear " + root, e);
        }
    }
}
