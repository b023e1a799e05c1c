package dev.headwater.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.ProjectionStatus;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ScaleOutIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    static final int PARTITIONS = 3;

    @Test
    void two_instances_share_the_partitions_and_when_one_dies_mid_batch_the_other_takes_over_and_the_views_converge() {
        EventFeed.createTopics(kafka.broker(), PARTITIONS);
        DataSource projector = postgres.dataSource(DbRole.PROJECTOR);
        Map<String, String> settings = Map.of("headwater.projector.max-poll-records", "50");
        List<EventEnvelope> all = new ArrayList<>();
        CrashingHook killSwitch = CrashingHook.whenArmed();
        try (EventFeed feed = new EventFeed(postgres.dataSource(DbRole.APP), kafka.bootstrapServers());
                ProjectorInstance a = ProjectorInstance.start(
                        postgres,
                        kafka,
                        settings,
                        context -> context.getBeanFactory().registerSingleton("kill", killSwitch));
                ProjectorInstance b = ProjectorInstance.start(postgres, kafka, settings)) {
            Scenario scenario = new Scenario(3, Instant.parse("2026-05-01T00:00:00Z"));
            all.addAll(feed.appendAndPublish(scenario.setUp(5, 4)));
            all.addAll(feed.appendAndPublish(scenario.next(600)));

            await("both instances own part of every projection's partitions, together all of them")
                    .atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> Convergence.TYPES_OF.forEach((projection, types) -> {
                        Set<String> ofA = partitions(a, projection);
                        Set<String> ofB = partitions(b, projection);
                        assertThat(ofA).as("%s on instance a", projection).isNotEmpty();
                        assertThat(ofB).as("%s on instance b", projection).isNotEmpty();
                        assertThat(ofA)
                                .as("%s shared, not duplicated", projection)
                                .doesNotContainAnyElementsOf(ofB);
                        Set<String> both = new HashSet<>(ofA);
                        both.addAll(ofB);
                        assertThat(both).hasSize(types.size() * PARTITIONS);
                    }));
            ExpectedViews first = ExpectedViews.of(all);
            await("views converge with two instances")
                    .atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> Convergence.assertVersions(projector, first));

            killSwitch.arm();
            all.addAll(feed.appendAndPublish(scenario.next(600)));
            await("every projection on instance a killed between apply and commit")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> killSwitch.crashed().size() == Convergence.TYPES_OF.size());

            await("instance b took over every partition")
                    .atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> Convergence.TYPES_OF.forEach((projection, types) ->
                            assertThat(partitions(b, projection)).as(projection).hasSize(types.size() * PARTITIONS)));
            all.addAll(feed.appendAndPublish(scenario.next(300)));
            ExpectedViews expected = ExpectedViews.of(all);
            await("views converge on instance b alone")
                    .atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> Convergence.assertVersions(projector, expected));
            Convergence.assertViews(projector, expected);
        }
    }

    private static Set<String> partitions(ProjectorInstance instance, String projection) {
        Set<String> owned = new HashSet<>();
        for (ProjectionStatus.PartitionStatus p :
                instance.runtime().status(projection).partitions()) {
            owned.add(p.topic() + "-" + p.partition());
        }
        return owned;
    }
}
