package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.cdc.config.CdcProperties;
import dev.headwater.cdc.support.Offsets;
import dev.headwater.cdc.support.RelayProcess;
import dev.headwater.cdc.support.Streams;
import dev.headwater.cdc.support.TopicReader;
import dev.headwater.cdc.support.Writers;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The relay as its own process, killed with SIGKILL mid-stream. */
class AbruptStopIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    @Test
    void a_relay_killed_mid_stream_loses_nothing_and_repeats_only_events_after_its_last_committed_offset()
            throws Exception {
        Map<String, String> properties = properties("kill_it", "kill");
        CdcProperties settings = TestRelays.settings(properties);
        Offsets offsets = new Offsets(postgres.dataSource(DbRole.CDC));
        Writers writers = new Writers(postgres.dataSource(DbRole.APP), "node", 100);
        try (RelayProcess killed = RelayProcess.start("relay-kill_it", withLogin(properties));
                TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("kill.node.events"))) {
            TestRelays.awaitStreaming(postgres, settings);
            await("the relay reports UP")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> killed.get("/actuator/health").contains("\"status\":\"UP\""));
            CompletableFuture<List<UUID>> appending = CompletableFuture.supplyAsync(() -> append(writers, 4, 4000));
            await("the relay is mid-stream")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> reader.poll().size() >= 800);
            assertThat(killed.get("/actuator/prometheus"))
                    .contains(
                            "headwater_cdc_events_published_total",
                            "headwater_cdc_batch_size_count",
                            "headwater_cdc_commit_to_ack_seconds_bucket",
                            "headwater_cdc_last_published_global_position",
                            "headwater_cdc_slot_retained_wal_bytes",
                            "headwater_cdc_leader 1.0",
                            "headwater_cdc_engine_running 1.0",
                            "headwater_cdc_engine_restarts_total");

            killed.kill();
            List<UUID> appended = appending.get();
            long committedCommitLsn = offsets.committedCommitLsn("kill_it");
            int readBeforeRestart = reader.poll().size();

            TestRelays.Relay restarted = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
            restarted.start(settings);
            try {
                await("every event after the restart")
                        .atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> Streams.eventIds(reader.poll()).containsAll(appended));
            } finally {
                restarted.stop();
            }

            List<TopicReader.Read> read = reader.poll();
            List<UUID> duplicated = assertRepeatsOnlyAfter(read, committedCommitLsn);
            int repeats = Streams.assertOrderedWithoutGaps(read);
            System.out.printf(
                    "Kill test: %d events, %d on the topic when killed, %d duplicated after the restart"
                            + " (%d repeated records), all after the committed commit LSN %s%n",
                    appended.size(),
                    readBeforeRestart,
                    duplicated.size(),
                    repeats,
                    dev.headwater.contract.EventHeaders.formatLsn(committedCommitLsn));
        }
    }

    @Test
    void when_the_leader_is_killed_a_standby_takes_over_within_seconds_and_nothing_is_lost() throws Exception {
        Map<String, String> properties = properties("failover_it", "failover");
        CdcProperties settings = TestRelays.settings(properties);
        Writers writers = new Writers(postgres.dataSource(DbRole.APP), "allocation", 100);
        try (RelayProcess leader = RelayProcess.start("relay-failover_it", withLogin(properties));
                TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("failover.allocation.events"))) {
            TestRelays.awaitStreaming(postgres, settings);
            TestRelays.Relay standby = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
            standby.start(settings);
            try {
                await("the second instance stands by while the leader lives")
                        .during(Duration.ofSeconds(2))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> standby.supervisor().state() == RelayState.STANDBY);
                CompletableFuture<List<UUID>> appending = CompletableFuture.supplyAsync(() -> append(writers, 2, 2000));
                await("the leader is mid-stream")
                        .atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> reader.poll().size() >= 300);

                // The offset can only be further along at the kill than when read here.
                long committedBeforeKill =
                        new Offsets(postgres.dataSource(DbRole.CDC)).committedCommitLsn("failover_it");
                leader.kill();
                long killedAt = System.nanoTime();
                await("the standby takes over")
                        .atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> standby.supervisor().state() == RelayState.RUNNING);
                long tookOverAfter = (System.nanoTime() - killedAt) / 1_000_000;
                await("the new leader publishes")
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> standby.registry()
                                        .get("headwater.cdc.events.published")
                                        .counter()
                                        .count()
                                > 0);
                long publishingAfter = (System.nanoTime() - killedAt) / 1_000_000;
                List<UUID> appended = appending.get();
                await("every event through the new leader")
                        .atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> Streams.eventIds(reader.poll()).containsAll(appended));
                List<TopicReader.Read> read = reader.poll();
                int repeats = Streams.assertOrderedWithoutGaps(read);
                assertRepeatsOnlyAfter(read, committedBeforeKill);
                System.out.printf(
                        "Failover: standby took the lock and started its engine %d ms after SIGKILL of the leader,"
                                + " published its first batch after %d ms; %d events, %d repeated records%n",
                        tookOverAfter, publishingAfter, appended.size(), repeats);
            } finally {
                standby.stop();
            }
        }
    }

    /** Events published more than once must all belong to transactions committed after {@code lsn}. */
    private static List<UUID> assertRepeatsOnlyAfter(List<TopicReader.Read> read, long lsn) {
        Map<UUID, List<TopicReader.Read>> copies =
                read.stream().collect(Collectors.groupingBy(r -> r.event().eventId()));
        List<UUID> duplicated = copies.entrySet().stream()
                .filter(e -> e.getValue().size() > 1)
                .map(Map.Entry::getKey)
                .toList();
        assertThat(duplicated)
                .as("events published twice must all belong to transactions committed after the stored offset")
                .allSatisfy(id -> assertThat(copies.get(id))
                        .allSatisfy(
                                copy -> assertThat(TopicReader.commitLsn(copy)).isGreaterThan(lsn)));
        return duplicated;
    }

    private static List<UUID> append(Writers writers, int threads, int events) {
        try {
            return writers.append(threads, events);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> properties(String slot, String topicPrefix) {
        return TestRelays.properties(
                Map.of("headwater.cdc.slot-name", slot, "headwater.cdc.topics.prefix", topicPrefix));
    }

    private static Map<String, String> withLogin(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.put("spring.datasource.url", postgres.jdbcUrl());
        all.put("spring.datasource.username", DbRole.CDC.roleName());
        all.put("spring.datasource.password", DbRole.CDC.testPassword());
        all.put("headwater.kafka.bootstrap-servers", kafka.bootstrapServers());
        return all;
    }
}
