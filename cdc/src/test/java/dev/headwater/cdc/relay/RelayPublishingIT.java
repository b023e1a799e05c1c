package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.cdc.support.EventLog;
import dev.headwater.cdc.support.TopicReader;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RelayPublishingIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    @Test
    void the_existing_log_is_published_once_in_commit_order_then_new_events_follow_with_their_commit_lsn()
            throws Exception {
        EventLog log = new EventLog(postgres.dataSource(DbRole.APP));
        // Transaction A starts first (smaller xid) and appends X; B appends Y and commits; A appends Z
        // and commits. Insert order is X, Y, Z; commit-visibility order (xid, position) is X, Z, Y.
        UUID x;
        UUID y;
        UUID z;
        try (Connection a = postgres.dataSource(DbRole.APP).getConnection();
                Connection b = postgres.dataSource(DbRole.APP).getConnection()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            x = EventLog.append(a, "node", "n-1");
            y = EventLog.append(b, "node", "n-2");
            b.commit();
            z = EventLog.append(a, "node", "n-3");
            a.commit();
        }
        var settings = TestRelays.settings(Map.of(
                "headwater.cdc.slot-name", "publishing_it",
                // One partition, so the topic's order is the relay's order across aggregates.
                "headwater.cdc.topics.partitions", "1"));
        TestRelays.Relay relay = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
        relay.supervisor().start();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("headwater.node.events"))) {
            await("the snapshot of three events")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> reader.poll().size() >= 3);
            UUID streamed = log.append("node", "n-1");
            await("the streamed event")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> reader.poll().size() >= 4);

            List<TopicReader.Read> read = reader.poll();
            assertThat(read).extracting(r -> r.event().eventId()).containsExactly(x, z, y, streamed);
            assertThat(read.get(0).key()).isEqualTo("n-1");
            assertThat(read.get(0).headers()).doesNotContainKey("hw-commit-lsn");
            TopicReader.Read last = read.get(3);
            assertThat(last.event().aggregateVersion()).isEqualTo(2);
            assertThat(last.event().commitLsn()).isNotNull();
            assertThat(TopicReader.commitLsn(last)).isEqualTo(last.event().commitLsn());
            assertThat(last.event().metadata().actor()).isEqualTo("test");
            assertThat(last.event().payload().get("n").asLong()).isEqualTo(2);
        } finally {
            relay.stop();
        }
    }
}
