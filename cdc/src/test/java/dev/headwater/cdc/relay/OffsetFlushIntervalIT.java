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
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The offset is written at most once per {@code engine.offset-flush-interval}, and at a graceful stop (ADR 0043). */
class OffsetFlushIntervalIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    private static final String SLOT = "flush_interval_it";

    @Test
    void batches_within_the_interval_leave_the_offset_alone_and_a_graceful_stop_writes_it_so_a_restart_repeats_nothing()
            throws Exception {
        // Long enough that no interval write falls between the first one and the stop below.
        var settings = TestRelays.settings(Map.of(
                "headwater.cdc.slot-name", SLOT,
                "headwater.cdc.topics.prefix", "flush",
                "headwater.cdc.engine.offset-flush-interval", "15s"));
        EventLog log = new EventLog(postgres.dataSource(DbRole.APP));
        Offsets offsets = new Offsets(postgres.dataSource(DbRole.CDC));
        List<UUID> appended = new ArrayList<>();

        TestRelays.Relay relay = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
        relay.start(settings);
        boolean stopped = false;
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("flush.node.events"))) {
            TestRelays.awaitStreaming(postgres, settings);
            long firstWrite = offsets.committedCommitLsn(SLOT);
            for (int i = 0; i < 10; i++) {
                appended.add(log.append("node", "n-" + (i % 3)));
                Thread.sleep(50); // one transaction per batch, mostly
            }
            await("the events on the topic")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> Streams.eventIds(reader.poll()).containsAll(appended));
            List<TopicReader.Read> published = reader.poll();
            long lastCommit = published.stream()
                    .map(r -> r.event().commitLsn())
                    .filter(Objects::nonNull)
                    .mapToLong(Long::longValue)
                    .max()
                    .orElseThrow();
            assertThat(offsets.committedCommitLsn(SLOT))
                    .as("the stored offset while the interval runs: still the first write")
                    .isEqualTo(firstWrite)
                    .isLessThan(lastCommit);

            relay.stop();
            stopped = true;
            assertThat(offsets.committedCommitLsn(SLOT))
                    .as("the stored offset after a graceful stop covers every acknowledged event")
                    .isGreaterThanOrEqualTo(lastCommit);

            TestRelays.Relay restarted = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
            restarted.start(settings);
            try {
                UUID after = log.append("node", "n-0");
                appended.add(after);
                await("the event appended after the restart")
                        .atMost(Duration.ofSeconds(60))
                        .until(() -> Streams.eventIds(reader.poll()).contains(after));
                List<TopicReader.Read> read = reader.poll();
                assertThat(Streams.eventIds(read)).containsExactlyInAnyOrderElementsOf(appended);
                assertThat(Streams.assertOrderedWithoutGaps(read))
                        .as("records repeated after a graceful restart")
                        .isZero();
            } finally {
                restarted.stop();
            }
        } finally {
            if (!stopped) {
                relay.stop();
            }
        }
    }
}
