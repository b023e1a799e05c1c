package dev.headwater.bench;

import dev.headwater.local.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The CDC peer: stock Kafka Connect standalone ({@code connect-runtime}) running the Debezium
 * Postgres connector with its outbox event router, in a child JVM. It reads the same publication
 * through a slot of its own and routes each event to {@code c<round>.<aggregate_type>.events},
 * keyed by aggregate id. Producer and engine settings are the relay's, so the implementations are
 * compared, not their defaults.
 */
final class KafkaConnect {

    private KafkaConnect() {}

    static Topics.Drain drain(BenchStack stack, Topics topics, int round, long total) {
        Path directory = stack.home().resolve("connect-" + round);
        Path worker = directory.resolve("worker.properties");
        Path connector = directory.resolve("connector.properties");
        try {
            Files.createDirectories(directory);
            Files.writeString(worker, properties(workerSettings(stack, directory)));
            Files.writeString(connector, properties(connectorSettings(stack, round)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChildProcess connect = ChildProcess.start(
                "kafka-connect-" + round,
                CdcFigures.java(
                        "org.apache.kafka.connect.cli.ConnectStandalone", worker.toString(), connector.toString()),
                Map.of(),
                stack.home().resolve("logs").resolve("kafka-connect-" + round + ".log"));
        try {
            return topics.awaitRecords(
                    "c" + round + ".", total, connect::isAlive, Topics.Cpu.of(stack, connect.pid()), "Kafka Connect");
        } catch (RuntimeException e) {
            throw new IllegalStateException(e.getMessage() + "; its log ends with:\n" + connect.logTail(30), e);
        } finally {
            connect.stop(Duration.ofSeconds(30));
        }
    }

    private static Map<String, String> workerSettings(BenchStack stack, Path directory) {
        return Map.ofEntries(
                Map.entry("bootstrap.servers", stack.kafkaBootstrap()),
                Map.entry("key.converter", "org.apache.kafka.connect.storage.StringConverter"),
                Map.entry("value.converter", "org.apache.kafka.connect.storage.StringConverter"),
                Map.entry(
                        "offset.storage.file.filename",
                        directory.resolve("offsets").toString()),
                Map.entry("offset.flush.interval.ms", "1000"),
                Map.entry("listeners", "http://127.0.0.1:" + BenchStack.freePort()),
                Map.entry("producer.acks", "all"),
                Map.entry("producer.enable.idempotence", "true"),
                Map.entry("producer.linger.ms", "2"),
                Map.entry("producer.batch.size", "262144"),
                // The relay's own default (ADR 0027), so both sides compress alike.
                Map.entry("producer.compression.type", "snappy"));
    }

    private static Map<String, String> connectorSettings(BenchStack stack, int round) {
        String[] url = stack.jdbcUrl(BenchStack.DATABASE)
                .replace("jdbc:postgresql://", "")
                .split("[:/]");
        return Map.ofEntries(
                Map.entry("name", "peer-" + round),
                Map.entry("connector.class", "io.debezium.connector.postgresql.PostgresConnector"),
                Map.entry("tasks.max", "1"),
                Map.entry("database.hostname", url[0]),
                Map.entry("database.port", url[1]),
                Map.entry("database.dbname", BenchStack.DATABASE),
                Map.entry("database.user", "headwater_cdc"),
                Map.entry("database.password", "bench"),
                Map.entry("topic.prefix", "c" + round),
                Map.entry("plugin.name", "pgoutput"),
                Map.entry("slot.name", "connect_" + round),
                Map.entry("publication.name", "headwater_events"),
                Map.entry("publication.autocreate.mode", "disabled"),
                Map.entry("table.include.list", "event_log.events"),
                Map.entry("snapshot.mode", "no_data"),
                Map.entry("max.batch.size", "2048"),
                Map.entry("max.queue.size", "8192"),
                Map.entry("poll.interval.ms", "20"),
                Map.entry("topic.creation.default.replication.factor", "1"),
                Map.entry("topic.creation.default.partitions", "12"),
                Map.entry("transforms", "outbox"),
                Map.entry("transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter"),
                Map.entry("transforms.outbox.table.field.event.id", "event_id"),
                Map.entry("transforms.outbox.table.field.event.key", "aggregate_id"),
                Map.entry("transforms.outbox.table.field.event.payload", "payload"),
                Map.entry("transforms.outbox.route.by.field", "aggregate_type"),
                Map.entry("transforms.outbox.route.topic.replacement", "c" + round + ".${routedByValue}.events"),
                Map.entry(
                        "transforms.outbox.table.fields.additional.placement",
                        "event_type:header:type,tenant_id:header:tenant,aggregate_version:header:version,"
                                + "global_position:header:position"));
    }

    private static String properties(Map<String, String> settings) {
        StringBuilder text = new StringBuilder();
        settings.forEach(
                (key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }
}
