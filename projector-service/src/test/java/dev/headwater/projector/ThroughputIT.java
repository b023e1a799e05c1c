package dev.headwater.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.Generation;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rough measurement, not a CI check (run with {@code -Dheadwater.benchmark=true
 * -Dit.test=ThroughputIT}): drain a backlog from Kafka, then rebuild every view from the log.
 * Prints events per second; the real benchmark is its own issue.
 */
@EnabledIfSystemProperty(named = "headwater.benchmark", matches = "true")
class ThroughputIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    @Test
    void drains_a_backlog_and_rebuilds_from_the_log() {
        int count = Integer.getInteger("headwater.benchmark.events", 200_000);
        EventFeed.createTopics(kafka.broker(), 6);
        DataSource projector = postgres.dataSource(DbRole.PROJECTOR);
        try (EventFeed feed = new EventFeed(postgres.dataSource(DbRole.APP), kafka.bootstrapServers())) {
            Scenario scenario = new Scenario(1, Instant.parse("2026-07-01T00:00:00Z"));
            List<EventEnvelope> all = new java.util.ArrayList<>(feed.appendMany(scenario.setUp(50, 40)));
            all.addAll(feed.appendMany(scenario.next(count)));
            feed.publish(all);
            ExpectedViews expected = ExpectedViews.of(all);
            try (ProjectorInstance instance = ProjectorInstance.start(postgres, kafka, Map.of())) {
                await("first batch committed")
                        .atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> instance.runtime().status().stream().anyMatch(s -> s.eventsApplied() > 0));
                long started = System.nanoTime();
                Map<String, Double> drainedAfter = new java.util.TreeMap<>();
                await("backlog drained")
                        .atMost(Duration.ofMinutes(10))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            for (var entry : Convergence.TYPES_OF.entrySet()) {
                                if (!drainedAfter.containsKey(entry.getKey())
                                        && drained(
                                                instance,
                                                entry.getKey(),
                                                entry.getValue().size())) {
                                    drainedAfter.put(entry.getKey(), (System.nanoTime() - started) / 1e9);
                                }
                            }
                            return drainedAfter.size() == Convergence.TYPES_OF.size();
                        });
                drainedAfter.forEach((projection, seconds) -> System.out.printf(
                        "drain: %s done after %.1f s (%.0f events/s)%n",
                        projection,
                        seconds,
                        instance.runtime().status(projection).eventsApplied() / seconds));
                double seconds = (System.nanoTime() - started) / 1e9;
                System.out.printf(
                        "drain: %d events (audit-trail sees all) in %.1f s = %.0f events/s per projection%n",
                        all.size(), seconds, all.size() / seconds);
                Convergence.assertVersions(projector, expected);
                Convergence.assertViews(projector, expected);

                long rebuildStarted = System.nanoTime();
                for (String projection : Convergence.TYPES_OF.keySet()) {
                    assertThat(instance.post(
                                            "/admin/projections/" + projection + "/rebuild",
                                            ProjectorInstance.ADMIN_TOKEN,
                                            "")
                                    .statusCode())
                            .isEqualTo(202);
                }
                await("rebuilds done")
                        .atMost(Duration.ofMinutes(10))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> Convergence.TYPES_OF.keySet().stream()
                                .allMatch(p -> instance.runtime()
                                                .generations(p, 1)
                                                .get(0)
                                                .state()
                                                .equals(Generation.LIVE)
                                        && instance.runtime()
                                                        .generations(p, 1)
                                                        .get(0)
                                                        .generation()
                                                == 2));
                double rebuildSeconds = (System.nanoTime() - rebuildStarted) / 1e9;
                long replayed = Convergence.TYPES_OF.keySet().stream()
                        .mapToLong(
                                p -> instance.runtime().generations(p, 1).get(0).eventsReplayed())
                        .sum();
                System.out.printf(
                        "rebuild of all views: %d events replayed in total in %.1f s = %.0f events/s (log of %d events)%n",
                        replayed, rebuildSeconds, replayed / rebuildSeconds, all.size());
            }
        }
    }

    /** Cheap to ask (no table scans): every partition assigned, checkpointed and without lag. */
    private static boolean drained(ProjectorInstance instance, String projection, int topics) {
        var partitions = instance.runtime().status(projection).partitions();
        return partitions.size() == topics * 6 && partitions.stream().allMatch(p -> p.checkpoint() > 0 && p.lag() == 0);
    }
}
