package dev.headwater.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.ProjectionStatus;
import dev.headwater.projector.runtime.WorkerState;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ExactlyOnceIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    @Test
    void
            every_event_takes_effect_once_although_every_record_arrives_twice_and_each_projection_is_killed_between_apply_and_commit() {
        EventFeed.createTopics(kafka.broker(), 3);
        DataSource projector = postgres.dataSource(DbRole.PROJECTOR);
        Map<String, String> smallBatches = Map.of("headwater.projector.max-poll-records", "100");
        List<EventEnvelope> all = new ArrayList<>();
        try (EventFeed feed = new EventFeed(postgres.dataSource(DbRole.APP), kafka.bootstrapServers())) {
            Scenario scenario = new Scenario(42, Instant.parse("2026-01-05T08:00:00Z"));
            all.addAll(feed.appendAndPublish(scenario.setUp(8, 5)));
            all.addAll(feed.appendAndPublish(scenario.next(1_500)));
            feed.publish(all);

            CrashingHook crash = CrashingHook.atCommit(2);
            try (ProjectorInstance first = ProjectorInstance.start(
                    postgres,
                    kafka,
                    smallBatches,
                    context -> context.getBeanFactory().registerSingleton("crash", crash))) {
                await("every projection killed between apply and commit")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> crash.crashed().size() == Convergence.TYPES_OF.size());
                await("every worker of the first instance dead")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> first.runtime().status().stream()
                                .map(ProjectionStatus::state)
                                .allMatch(WorkerState.STOPPED::equals));
            }

            all.addAll(feed.appendAndPublish(scenario.next(300)));
            feed.publish(all.subList(200, 700));

            ExpectedViews expected = ExpectedViews.of(all);
            try (ProjectorInstance second = ProjectorInstance.start(postgres, kafka, smallBatches)) {
                await("views converge after the restart")
                        .atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> Convergence.assertVersions(projector, expected));
                Convergence.assertViews(projector, expected);
                assertThat(second.runtime().status())
                        .allSatisfy(status -> assertThat(status.state()).isEqualTo(WorkerState.RUNNING));
            }
        }
    }
}
