package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.cdc.support.EventLog;
import dev.headwater.cdc.support.Offsets;
import dev.headwater.cdc.support.Streams;
import dev.headwater.cdc.support.TopicReader;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import kafka.server.BrokerServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaOutageIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    @Test
    void while_kafka_is_down_the_offset_and_the_slot_stay_put_and_everything_arrives_once_it_is_back()
            throws Exception {
        var settings = TestRelays.settings(Map.of("headwater.cdc.slot-name", "outage_it"));
        TestRelays.Relay relay = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
        EventLog log = new EventLog(postgres.dataSource(DbRole.APP));
        Offsets offsets = new Offsets(postgres.dataSource(DbRole.CDC));
        List<UUID> appended = new ArrayList<>();
        relay.start(settings);
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("headwater.node.events"))) {
            TestRelays.awaitStreaming(postgres, settings);
            for (int i = 0; i < 5; i++) {
                appended.add(log.append("node", "before-" + i));
            }
            await("events before the outage")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> Streams.eventIds(reader.poll()).containsAll(appended));
            // Let a heartbeat commit past the last event, so the offset is settled before the outage.
            long settled = offsets.committedCommitLsn("outage_it");
            await("offset settled")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> offsets.committedCommitLsn("outage_it") > settled);

            BrokerServer broker =
                    kafka.broker().cluster().brokers().values().iterator().next();
            broker.shutdown();
            broker.awaitShutdown();
            for (int i = 0; i < 20; i++) {
                appended.add(log.append("node", "during-" + (i % 4)));
            }
            // Heartbeats written before these events may still be confirmed (they need no Kafka),
            // so take the baseline once the engine has run into the events and failed on them:
            // from then on every pass stops at the first unpublished event.
            await("the engine fails on the outage's events")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> relay.registry()
                                    .get("headwater.cdc.engine.restarts")
                                    .counter()
                                    .count()
                            >= 2);
            String committedBefore =
                    offsets.committed("outage_it").orElseThrow().toString();
            long slotBefore = retainedBaseline(offsets);
            await("the offset does not move while Kafka is down")
                    .during(Duration.ofSeconds(12))
                    .atMost(Duration.ofSeconds(15))
                    .until(() -> offsets.committed("outage_it")
                            .orElseThrow()
                            .toString()
                            .equals(committedBefore));
            assertThat(relay.registry()
                            .get("headwater.cdc.engine.restarts")
                            .counter()
                            .count())
                    .as("engine restarts during the outage")
                    .isPositive();
            assertThat(retainedBaseline(offsets))
                    .as("the slot was not confirmed past unpublished events")
                    .isGreaterThanOrEqualTo(slotBefore);

            broker.startup();
            await("every event after Kafka is back")
                    .atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> Streams.eventIds(reader.poll()).containsAll(appended));
            Streams.assertOrderedWithoutGaps(reader.poll());
            await("the offset moves again")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> !offsets.committed("outage_it")
                            .orElseThrow()
                            .toString()
                            .equals(committedBefore));
            await("relay running")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> relay.supervisor().state() == RelayState.RUNNING);
        } finally {
            relay.stop();
        }
    }

    /** The slot's confirmed position expressed as WAL retained; it only grows while nothing is confirmed. */
    private static long retainedBaseline(Offsets offsets) throws Exception {
        return offsets.retainedWal("outage_it");
    }
}
