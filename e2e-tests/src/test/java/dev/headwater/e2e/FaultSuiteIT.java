package dev.headwater.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.e2e.ScenarioRecorder.Baseline;
import dev.headwater.e2e.check.Checker;
import dev.headwater.e2e.check.Checker.Report;
import dev.headwater.e2e.harness.AdminApi;
import dev.headwater.e2e.harness.Backup;
import dev.headwater.e2e.harness.Platform;
import dev.headwater.e2e.harness.Service;
import dev.headwater.e2e.harness.SuiteSettings;
import dev.headwater.e2e.load.LoadDriver;
import dev.headwater.e2e.load.LoadDriver.LoadRun;
import dev.headwater.e2e.load.LoadStats;
import dev.headwater.e2e.report.SummaryTable;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The end-to-end and fault suite (issue 7): the three services from their jars as OS processes,
 * a real Postgres and a real Kafka broker, 16 HTTP clients writing through the command API, and a
 * checker that holds the topics, the views and the projections' bookkeeping against the log after
 * every scenario. The scenarios share one platform and build on each other's data, in order; each
 * asserts that it added no anomaly: nothing lost, nothing applied twice, nothing reordered per
 * aggregate, no stale read presented as fresh.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {

    private static final Logger log = LoggerFactory.getLogger(FaultSuiteIT.class);
    private static final List<String> PROJECTIONS =
            List.of("tenant-overview", "node-utilisation", "allocations", "audit-trail", "api-tokens");

    private static SuiteSettings settings;
    private static Platform platform;
    private static LoadDriver load;
    private static Checker checker;
    private static SummaryTable summary;
    private static final AtomicReference<Baseline> baseline = new AtomicReference<>();
    private static Random random;
    private static final LoadStats readsDuringCrashes = new LoadStats();
    private static final Map<String, LoadStats> crashRuns = new LinkedHashMap<>();

    @BeforeAll
    static void startPlatform() throws InterruptedException {
        settings = SuiteSettings.fromSystemProperties();
        long seed = Long.getLong("headwater.e2e.seed", System.currentTimeMillis());
        random = new Random(seed);
        summary = new SummaryTable(
                settings.output().resolve("e2e-summary.md"),
                "End-to-end and fault suite (" + (settings.soak() ? "soak" : "CI") + " variant, seed " + seed + ")");
        platform = Platform.start(settings);
        load = new LoadDriver(platform.command().baseUrl(), platform.adminToken(), settings.clients(), seed);
        LoadStats setUp = load.setUp();
        assertThat(setUp.anomalies()).as("setting up tenants and nodes").isEmpty();
        checker = new Checker(
                platform.superuser(Platform.DATABASE), platform.kafkaBootstrap(), "headwater", load.ledger(), true);
        Report first = checker.awaitConvergence(System.nanoTime(), settings.convergeTimeout());
        assertThat(first.anomalies().all())
                .as("after setting up: %s", first.anomalies())
                .isEmpty();
        baseline.set(Baseline.of(first));
    }

    @AfterAll
    static void stopPlatform() {
        if (summary != null) {
            log.info("\n{}", summary.render());
        }
        if (checker != null) {
            checker.close();
        }
        if (load != null) {
            load.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @BeforeEach
    void everythingRuns() {
        platform.ensureRunning();
    }

    @Test
    @Order(1)
    void happy_path_under_load_loses_doubles_and_reorders_nothing() throws InterruptedException {
        ScenarioRecorder scenario = begin("1. Happy path");
        LoadRun run = load.start(settings.happyPathCommands(), List.of());
        run.awaitDone(Duration.ofMinutes(settings.soak() ? 60 : 15));

        assertThat(run.stats().acknowledged() + run.stats().rejected())
                .as("commands answered")
                .isGreaterThanOrEqualTo(settings.happyPathCommands());
        scenario.finish(run, String.format("none (%.0f commands/s)", rate(run)), false);
    }

    @Test
    @Order(2)
    void the_relay_killed_again_and_again_under_load_loses_nothing_and_only_re_sends() throws Exception {
        ScenarioRecorder scenario = begin("2. Relay crash loop");
        Service relay = platform.relay();
        LoadRun run = load.start(-1, projectorUrls());
        for (int kill = 1; kill <= settings.relayKills(); kill++) {
            if (kill % 4 == 0) {
                // Now and then while it starts: before or during its first batch.
                hold("the relay starting", Duration.ofMillis(random.nextInt(3_000)), relay::isAlive);
            } else {
                await("the relay publishing (kill " + kill + ")")
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> relay.metric("headwater_cdc_events_published_total", "")
                                        .orElse(0)
                                > 0);
                hold("the relay publishing", Duration.ofMillis(random.nextInt(2_000)), relay::isAlive);
            }
            relay.kill();
            relay.restart();
        }
        relay.awaitHealthy();
        awaitCommands(run, settings.faultCommands());
        run.stop();
        crashRun("2. Relay crash loop", run);
        scenario.finish(run, settings.relayKills() + " SIGKILLs of the relay", true);
    }

    @Test
    @Order(3)
    void projectors_killed_one_at_a_time_under_load_apply_every_event_exactly_once() throws Exception {
        ScenarioRecorder scenario = begin("3. Projector crash loop");
        LoadRun run = load.start(-1, projectorUrls());
        for (int kill = 1; kill <= settings.projectorKills(); kill++) {
            Service victim = platform.projectors().get(kill % 2);
            Service other = platform.projectors().get((kill + 1) % 2);
            other.awaitHealthy();
            victim.awaitHealthy();
            hold("both projectors running", Duration.ofMillis(500 + random.nextInt(2_500)), victim::isAlive);
            victim.kill();
            victim.restart();
        }
        platform.projectors().forEach(Service::awaitHealthy);
        awaitCommands(run, settings.faultCommands());
        run.stop();
        crashRun("3. Projector crash loop", run);
        scenario.finish(run, settings.projectorKills() + " SIGKILLs of a projector (of two)", false);
    }

    @Test
    @Order(4)
    void a_kafka_outage_under_load_delays_but_loses_nothing() throws Exception {
        ScenarioRecorder scenario = begin("4. Kafka outage");
        LoadRun run = load.start(-1, projectorUrls());
        awaitCommands(run, settings.aroundOutageCommands());
        platform.kafka().stop();
        scenario.fault();
        hold("the broker down", settings.kafkaOutage(), () -> !platform.kafka().isAlive());
        platform.kafka().restart();
        long atRestart = run.stats().acknowledged();
        awaitCommands(run, atRestart + settings.aroundOutageCommands());
        run.stop();
        crashRun("4. Kafka outage", run);
        scenario.finish(run, "broker stopped for " + settings.kafkaOutage().toSeconds() + " s", true);
    }

    @Test
    @Order(5)
    void a_postgres_restart_under_load_answers_503_writes_nothing_partial_and_converges() throws Exception {
        ScenarioRecorder scenario = begin("5. Postgres restart");
        LoadRun run = load.start(-1, projectorUrls());
        awaitCommands(run, settings.aroundOutageCommands());
        long unavailableBefore = run.stats().count("503");
        platform.postgres().stop();
        scenario.fault();
        hold("Postgres down", settings.postgresDowntime(), () -> !accepting());
        platform.postgres().start();
        long atRestart = run.stats().acknowledged();
        awaitCommands(run, atRestart + settings.aroundOutageCommands());
        run.stop();
        crashRun("5. Postgres restart", run);

        assertThat(run.stats().count("500")).as("500s from the command API").isZero();
        assertThat(run.stats().count("503") - unavailableBefore)
                .as(
                        "503s from the command API while Postgres was down (answers: %s)",
                        run.stats().commandStatuses())
                .isPositive();
        scenario.finish(
                run, "Postgres stopped for " + settings.postgresDowntime().toSeconds() + " s", true);
    }

    @Test
    @Order(6)
    void a_backup_taken_under_load_restores_and_rebuilds_to_the_same_views() throws Exception {
        ScenarioRecorder scenario = begin("6. Backup and restore");
        Path dump = platform.home().resolve("headwater.dump");
        String restored = "headwater_restored";
        LoadRun run = load.start(-1, List.of());
        awaitCommands(run, 500);
        Backup.dump(platform.postgres(), Platform.DATABASE, dump);
        long atDump = run.stats().acknowledged();
        awaitCommands(run, atDump + 500);
        run.stop();
        scenario.finish(run, "pg_dump under load; restore, republish and rebuild all views", false);

        Backup.restore(platform.postgres(), dump, restored);
        List<Service> readers = platform.startReadersOf(restored, "restored");
        try (Checker restoredChecker =
                new Checker(platform.superuser(restored), platform.kafkaBootstrap(), "restored", null, true)) {
            Report caughtUp = restoredChecker.awaitConvergence(System.nanoTime(), settings.convergeTimeout());
            assertThat(caughtUp.anomalies().all())
                    .as("the restored copy, republished and caught up: %s", caughtUp.anomalies())
                    .isEmpty();
            Map<String, String> originals = restoredChecker.viewChecksums();

            // All five at once, as an operator after a restore would: one rebuild per projection
            // at a time is the projector's rule, different projections may overlap.
            AdminApi admin = new AdminApi(readers.get(1), platform.adminToken());
            Map<String, Long> started = new LinkedHashMap<>();
            for (String projection : PROJECTIONS) {
                started.put(projection, admin.rebuild(projection));
            }
            Map<String, JsonNode> generations = new LinkedHashMap<>();
            started.forEach((projection, generation) -> {
                await("the rebuild of " + projection)
                        .atMost(Duration.ofMinutes(5))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> !"building"
                                .equals(admin.generation(projection, generation)
                                        .path("state")
                                        .asString("")));
                generations.put(projection, admin.generation(projection, generation));
            });
            Map<String, String> rebuilt = restoredChecker.viewChecksums();
            Report afterRebuild = restoredChecker.check();

            summary.note("Scenario 6: the dump held " + caughtUp.events() + " events; view checksums of the"
                    + " restored views (caught up to the dump's last event) and of the views rebuilt from its log: "
                    + (rebuilt.equals(originals) ? "equal " : "DIFFERENT ") + rebuilt);
            generations.forEach((projection, generation) -> assertThat(
                            generation.path("state").asString(""))
                    .as("rebuild of %s: %s", projection, generation)
                    .isEqualTo("live"));
            assertThat(rebuilt).as("view checksums after the rebuild").isEqualTo(originals);
            assertThat(afterRebuild.anomalies().all())
                    .as("the rebuilt views against the restored log: %s", afterRebuild.anomalies())
                    .isEmpty();
        } finally {
            readers.forEach(Service::stop);
            Backup.drop(platform.postgres(), restored);
        }
    }

    @Test
    @Order(7)
    void every_consistency_token_is_honoured_by_the_query_api_during_the_crash_scenarios() {
        summary.note("Scenario 7 (read-your-writes): every acknowledged command of scenarios 2-5 was read back"
                + " with its consistency token: " + readsDuringCrashes.rywFresh() + " fresh, "
                + readsDuringCrashes.rywUnavailable() + " 503 (or no instance up), " + readsDuringCrashes.rywStale()
                + " stale; " + readsDuringCrashes.rywSkipped() + " generic appends have no view to read.");
        assertThat(crashRuns).as("crash scenarios run before this one").isNotEmpty();
        crashRuns.forEach((name, stats) -> assertThat(stats.rywChecks())
                .as("read-your-writes checks during %s", name)
                .isPositive());
        assertThat(readsDuringCrashes.rywStale())
                .as("stale answers presented as fresh")
                .isZero();
    }

    private static ScenarioRecorder begin(String name) {
        return new ScenarioRecorder(name, platform, checker, summary, baseline);
    }

    private static void crashRun(String name, LoadRun run) {
        crashRuns.put(name, run.stats());
        readsDuringCrashes.addReadsOf(run.stats());
    }

    private static List<String> projectorUrls() {
        return platform.projectors().stream().map(Service::baseUrl).toList();
    }

    private static double rate(LoadRun run) {
        return run.stats().acknowledged() / Math.max(0.001, run.elapsed().toMillis() / 1000.0);
    }

    private static void awaitCommands(LoadRun run, long acknowledged) {
        await("at least " + acknowledged + " commands acknowledged")
                .atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> run.stats().acknowledged() >= acknowledged);
    }

    /** Keeps a fault (or a random pause) for {@code duration}, asserting that it holds throughout. */
    private static void hold(String what, Duration duration, Callable<Boolean> holds) {
        if (duration.isZero()) {
            return;
        }
        await(what + " for " + duration.toMillis() + " ms")
                .during(duration)
                .atMost(duration.plusSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(holds);
    }

    private static boolean accepting() {
        try (Connection connection = platform.superuser(Platform.DATABASE).getConnection()) {
            return connection.isValid(1);
        } catch (Exception e) {
            return false;
        }
    }
}
