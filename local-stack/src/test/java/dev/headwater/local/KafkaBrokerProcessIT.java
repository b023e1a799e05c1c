package dev.headwater.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.testsupport.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessIT {

    @TempDir
    Path directory;

    @Test
    void a_record_written_before_a_restart_of_the_broker_is_read_after_it_even_if_a_port_was_briefly_taken()
            throws Exception {
        int port = Ports.stablePortPair();
        KafkaBrokerProcess broker = KafkaBrokerProcess.start(directory, port);
        try {
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1)))
                        .all()
                        .get();
            }
            try (var producer = new KafkaProducer<String, String>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    StringSerializer.class))) {
                producer.send(new ProducerRecord<>("kept", "k", "survives")).get();
            }

            broker.stop();
            assertThat(broker.isAlive()).isFalse();
            // Another socket holds the controller port while the broker is down, as a client's
            // outgoing connection may; the restart waits for it instead of starting a broker that
            // cannot bind and exits. Held for longer than a broker JVM takes to reach its bind
            // (3-5 s here), or a restart that did not wait would pass as well.
            ServerSocket squatter = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress());
            CompletableFuture<Void> released = CompletableFuture.runAsync(
                    () -> closeQuietly(squatter), CompletableFuture.delayedExecutor(10, TimeUnit.SECONDS));
            broker.restart();
            assertThat(released)
                    .as("the port was held until the restart had waited for it")
                    .isDone();

            assertThat(readAll(broker.bootstrapServers(), "kept")).containsExactly("survives");
        } finally {
            broker.stop();
        }
    }

    @Test
    void settings_given_at_start_are_the_ones_the_broker_runs_with_over_its_own() throws Exception {
        KafkaBrokerProcess broker = KafkaBrokerProcess.start(
                directory,
                Ports.stablePortPair(),
                // One the local stack leaves to Kafka, one it sets itself (to 4).
                Map.of("num.io.threads", "3", "offsets.topic.num.partitions", "2"));
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(node)).all().get().get(node);
            assertThat(config.get("num.io.threads").value()).isEqualTo("3");
            assertThat(config.get("offsets.topic.num.partitions").value()).isEqualTo("2");
        } finally {
            broker.stop();
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> readAll(String bootstrap, String topic) {
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG,
                "reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
            }
        }
        return values;
    }
}
