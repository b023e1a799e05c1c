package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.cdc.support.EventLog;
import dev.headwater.cdc.support.Streams;
import dev.headwater.cdc.support.TopicReader;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LostSlotIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    @Test
    void a_relay_whose_slot_was_lost_refuses_to_start_and_after_its_offsets_are_cleared_republishes_the_log()
            throws Exception {
        var settings = TestRelays.settings(Map.of("headwater.cdc.slot-name", "lost_it"));
        EventLog log = new EventLog(postgres.dataSource(DbRole.APP));
        List<UUID> appended = new ArrayList<>();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("headwater.tenant.events"))) {
            TestRelays.Relay first = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
            first.start(settings);
            TestRelays.awaitStreaming(postgres, settings);
            appended.add(log.append("tenant", "t-1"));
            await("published")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> Streams.eventIds(reader.poll()).containsAll(appended));
            first.stop();

            try (Connection superuser =
                            postgres.database().superuserDataSource().getConnection();
                    Statement statement = superuser.createStatement()) {
                statement.execute("SELECT pg_drop_replication_slot('lost_it')");
            }
            // Committed while no slot exists: only the log itself still has it.
            appended.add(log.append("tenant", "t-1"));

            TestRelays.Relay refused = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
            refused.start(settings);
            try {
                await("the relay refuses to stream from a new slot")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> refused.supervisor().state() == RelayState.FAILED);
                assertThat(refused.supervisor().lastFailure())
                        .hasValueSatisfying(
                                reason -> assertThat(reason).contains("lost_it").contains("DELETE FROM cdc.offsets"));
                var health = new RelayHealthIndicator(refused.supervisor(), refused.slot()).health();
                assertThat(health.getStatus().getCode()).isEqualTo("DOWN");
                assertThat(health.getDetails()).containsEntry("state", "FAILED").containsKey("lastFailure");
            } finally {
                refused.stop();
            }

            try (Connection owner = postgres.dataSource(DbRole.CDC).getConnection();
                    Statement statement = owner.createStatement()) {
                statement.execute("DELETE FROM cdc.offsets WHERE store = 'lost_it'");
            }
            TestRelays.Relay recovered = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
            recovered.start(settings);
            try {
                await("the event committed without a slot arrives through the new snapshot")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> Streams.eventIds(reader.poll()).containsAll(appended));
                assertThat(Streams.assertOrderedWithoutGaps(reader.poll()))
                        .as("the first event, republished")
                        .isEqualTo(1);
            } finally {
                recovered.stop();
            }
        }
    }
}
