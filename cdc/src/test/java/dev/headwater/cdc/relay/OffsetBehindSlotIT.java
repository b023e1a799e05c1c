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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * ADR 0026: the offset store commits with {@code synchronous_commit = off}, so a Postgres crash can
 * lose the last offsets written while the slot keeps the position Debezium confirmed after them.
 * The relay must then resume from the slot's position without refusing to start and without
 * losing an event. The crash itself cannot be staged here; its outcome can: the stored offset is
 * set back to an earlier one while the slot's {@code confirmed_flush_lsn} stays ahead.
 */
class OffsetBehindSlotIT {

    private static final String SLOT = "behind_it";

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    @Test
    void a_stored_offset_behind_the_slots_confirmed_position_resumes_from_the_slot_and_loses_nothing()
            throws Exception {
        var settings =
                TestRelays.settings(Map.of("headwater.cdc.slot-name", SLOT, "headwater.cdc.topics.prefix", "behind"));
        EventLog log = new EventLog(postgres.dataSource(DbRole.APP));
        Offsets offsets = new Offsets(postgres.dataSource(DbRole.CDC));
        List<UUID> appended = new ArrayList<>();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("behind.tenant.events"))) {
            TestRelays.Relay first = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
            first.start(settings);
            JsonNode earlier;
            try {
                TestRelays.awaitStreaming(postgres, settings);
                appended.add(log.append("tenant", "t-1"));
                await("the first event published and its offset stored")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> Streams.eventIds(reader.poll()).containsAll(appended)
                                && offsets.committedCommitLsn(SLOT) > 0);
                earlier = offsets.committed(SLOT).orElseThrow();
                long earlierCommit = earlier.get("lsn_commit").asLong();
                for (int i = 2; i <= 4; i++) {
                    appended.add(log.append("tenant", "t-" + i));
                }
                await("the later events published and the slot confirmed past the earlier offset")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> Streams.eventIds(reader.poll()).containsAll(appended)
                                && offsets.confirmedFlush(SLOT) > earlierCommit);
            } finally {
                first.stop();
            }

            // What a crash that loses the last offset commits leaves behind.
            offsets.overwrite(SLOT, earlier);
            long slotPosition = offsets.confirmedFlush(SLOT);
            assertThat(offsets.committedCommitLsn(SLOT)).isLessThan(slotPosition);
            appended.add(log.append("tenant", "t-1")); // committed while no relay runs
            appended.add(log.append("tenant", "t-5"));

            TestRelays.Relay second = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
            second.start(settings);
            try {
                await("the events committed since, published by the restarted relay")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> Streams.eventIds(reader.poll()).containsAll(appended));
                await("a new offset stored past the slot's old position")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> offsets.committedCommitLsn(SLOT) > slotPosition);

                assertThat(second.supervisor().state()).isEqualTo(RelayState.RUNNING);
                assertThat(second.registry()
                                .get("headwater.cdc.engine.restarts")
                                .counter()
                                .count())
                        .as("Debezium accepted the offset at the first start")
                        .isZero();
                // Every event once or more, in version order per aggregate, none missing.
                Streams.assertOrderedWithoutGaps(reader.poll());
                assertThat(Streams.eventIds(reader.poll())).containsAll(appended);
            } finally {
                second.stop();
            }
        }
    }
}
