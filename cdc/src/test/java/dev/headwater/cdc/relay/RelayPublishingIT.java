package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.cdc.support.EventLog;
import dev.headwater.cdc.support.Streams;
import dev.headwater.cdc.support.TopicReader;
import dev.headwater.cdc.support.Writers;
import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.CloudEventDeserializer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
                "headwater.cdc.topics.prefix", "snap",
                // One partition, so the topic's order is the relay's order across aggregates.
                "headwater.cdc.topics.partitions", "1"));
        TestRelays.Relay relay = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
        relay.start(settings);
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("snap.node.events"))) {
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

    @Test
    void ten_thousand_events_from_eight_concurrent_writers_all_arrive_in_version_order_per_aggregate()
            throws Exception {
        var settings = TestRelays.settings(
                Map.of("headwater.cdc.slot-name", "writers_it", "headwater.cdc.topics.prefix", "load"));
        TestRelays.Relay relay = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
        relay.start(settings);
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("load.workload.events"))) {
            TestRelays.awaitStreaming(postgres, settings);
            long started = System.nanoTime();
            List<UUID> appended = new Writers(postgres.dataSource(DbRole.APP), "workload", 200).append(8, 10_000);
            long appendedAfter = System.nanoTime();

            await("all 10,000 events on the topic")
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Streams.eventIds(reader.poll()).size() >= 10_000);
            long arrivedAfter = System.nanoTime();

            List<TopicReader.Read> read = reader.poll();
            assertThat(appended).hasSize(10_000);
            assertThat(Streams.eventIds(read)).containsExactlyInAnyOrderElementsOf(appended);
            assertThat(Streams.assertOrderedWithoutGaps(read))
                    .as("duplicates without a crash")
                    .isZero();
            assertThat(read).allSatisfy(r -> assertThat(r.event().commitLsn()).isNotNull());
            var batches = relay.registry().get("headwater.cdc.batch.size").summary();
            var latency = relay.registry().get("headwater.cdc.commit.to.ack").timer();
            System.out.printf(
                    "10,000 events: appended in %d ms, all on Kafka %d ms after the last commit; %d batches"
                            + " (mean %.0f, max %.0f events); commit->ack mean %.0f ms, max %.0f ms%n",
                    (appendedAfter - started) / 1_000_000,
                    (arrivedAfter - appendedAfter) / 1_000_000,
                    batches.count(),
                    batches.mean(),
                    batches.max(),
                    latency.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
                    latency.max(java.util.concurrent.TimeUnit.MILLISECONDS));
        } finally {
            relay.stop();
        }
    }

    @Test
    void a_published_record_reads_back_completely_with_the_official_cloudevents_sdk() throws Exception {
        var settings =
                TestRelays.settings(Map.of("headwater.cdc.slot-name", "sdk_it", "headwater.cdc.topics.prefix", "sdk"));
        TestRelays.Relay relay = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
        relay.start(settings);
        TestRelays.awaitStreaming(postgres, settings);
        UUID id = new EventLog(postgres.dataSource(DbRole.APP)).append("allocation", "alloc-sdk");
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "sdk-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, CloudEvent> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new CloudEventDeserializer())) {
            consumer.subscribe(List.of("sdk.allocation.events"));
            List<ConsumerRecord<String, CloudEvent>> records = new java.util.ArrayList<>();
            await("the record, read with the SDK")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                        return records.stream().anyMatch(r -> r.value().getId().equals(id.toString()));
                    });
            CloudEvent event = records.stream()
                    .map(ConsumerRecord::value)
                    .filter(e -> e.getId().equals(id.toString()))
                    .findFirst()
                    .orElseThrow();

            assertThat(event.getSpecVersion().toString()).isEqualTo("1.0");
            assertThat(event.getSource().toString()).isEqualTo("/headwater/allocation");
            assertThat(event.getType()).isEqualTo("SomethingCreated");
            assertThat(event.getSubject()).isEqualTo("alloc-sdk");
            assertThat(event.getTime()).isNotNull();
            assertThat(event.getDataContentType()).isEqualTo("application/json");
            assertThat(new String(event.getData().toBytes(), StandardCharsets.UTF_8))
                    .contains("\"n\":1")
                    .contains("\"label\":\"v1\"");
            assertThat(event.getExtension("tenantid")).isEqualTo("acme");
            assertThat(event.getExtension("aggregatetype")).isEqualTo("allocation");
            assertThat(event.getExtension("aggregateversion")).isEqualTo("1");
            assertThat(Long.parseLong((String) event.getExtension("globalposition")))
                    .isPositive();
            assertThat(((Number) event.getExtension("schemaversion")).intValue())
                    .isEqualTo(1);
            assertThat((String) event.getExtension("commitlsn")).matches("[0-9A-F]+/[0-9A-F]+");
            assertThat(event.getExtension("actor")).isEqualTo("test");
            assertThat(event.getExtension("traceparent"))
                    .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        } finally {
            relay.stop();
        }
    }

    @Test
    void every_value_is_byte_for_byte_what_encoding_the_events_payload_tree_gives_snapshot_and_streamed()
            throws Exception {
        // Payloads as a client might send them; Postgres stores jsonb and prints its own text,
        // which the relay copies into the record (compacted) instead of parsing and re-serialising.
        List<String> payloads = List.of(
                "{\"name\":\"Acme\",\"quota\":{\"cpuMillis\":8000,\"memoryMib\":16384,\"gpus\":1}}",
                "{ \"text\" : \"Z\\u00fcrich \\\"q\\\" a\\\\b \\t\\n 東京 🚀 \\/\", \"list\": [1, -2, [], {}, null, true] }",
                "{\"big\": 123456789012345678901234567890, \"ratio\": 1.50, \"exp\": 1e3, \"tiny\": 0.00001}",
                "{\"control\": \"bell\\u0007\", \"dup\": 1, \"dup\": 2}");
        String metadata = "{\"actor\": \"token:x\", \"commandId\": \"c-1\", \"causationId\": 7, \"extra\": {\"a\": 1}}";
        EventLog log = new EventLog(postgres.dataSource(DbRole.APP));
        log.append("tenant", "bytes-0", payloads.get(0), metadata); // read by the snapshot
        var settings = TestRelays.settings(
                Map.of("headwater.cdc.slot-name", "bytes_it", "headwater.cdc.topics.prefix", "bytes"));
        TestRelays.Relay relay = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
        relay.start(settings);
        CloudEventCodec codec = new CloudEventCodec();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("bytes.tenant.events"))) {
            TestRelays.awaitStreaming(postgres, settings);
            for (int i = 0; i < payloads.size(); i++) {
                log.append("tenant", "bytes-" + (i + 1), payloads.get(i), metadata);
            }
            await("the snapshot's and the streamed events")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> reader.poll().size() >= payloads.size() + 1);

            for (TopicReader.Read read : reader.poll()) {
                // decode gives the payload's tree; encoding that envelope is the tree path.
                assertThat(new String(read.value(), StandardCharsets.UTF_8))
                        .isEqualTo(new String(codec.encode(read.event()), StandardCharsets.UTF_8));
                assertThat(read.value()).isEqualTo(codec.encode(read.event()));
            }
            EventEnvelope unicode = reader.poll().stream()
                    .filter(r -> r.key().equals("bytes-2"))
                    .findFirst()
                    .orElseThrow()
                    .event();
            assertThat(unicode.payload().get("text").asString()).isEqualTo("Zürich \"q\" a\\b \t\n 東京 🚀 /");
            assertThat(unicode.metadata().causationId()).isEqualTo("7");
        } finally {
            relay.stop();
        }
    }

    @Test
    void at_low_load_an_event_reaches_kafka_well_within_a_second_of_its_commit() throws Exception {
        var settings = TestRelays.settings(
                Map.of("headwater.cdc.slot-name", "latency_it", "headwater.cdc.topics.prefix", "quiet"));
        TestRelays.Relay relay = TestRelays.relay(postgres, kafka.bootstrapServers(), settings);
        relay.start(settings);
        EventLog log = new EventLog(postgres.dataSource(DbRole.APP));
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), List.of("quiet.tenant.events"))) {
            TestRelays.awaitStreaming(postgres, settings);
            var latency = relay.registry().get("headwater.cdc.commit.to.ack").timer();
            long before = latency.count();
            for (int i = 0; i < 20; i++) {
                UUID id = log.append("tenant", "quiet-" + i);
                await("event " + i)
                        .atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> Streams.eventIds(reader.poll()).contains(id));
            }
            // The relay records an event's latency when its batch is acknowledged, which a consumer
            // may see a moment before: wait for the 20th sample rather than race it.
            await("a latency sample per event")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> latency.count() - before == 20);
            double mean = latency.mean(java.util.concurrent.TimeUnit.MILLISECONDS);
            System.out.printf(
                    "Low load: commit->ack over 20 single-event transactions: mean %.1f ms, max %.1f ms%n",
                    mean, latency.max(java.util.concurrent.TimeUnit.MILLISECONDS));
            assertThat(mean).isLessThan(1000);
        } finally {
            relay.stop();
        }
    }
}
