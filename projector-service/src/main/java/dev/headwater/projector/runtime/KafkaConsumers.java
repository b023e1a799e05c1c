package dev.headwater.projector.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Builds the runtime's Kafka consumers from the shared connection and the configured overrides. */
final class KafkaConsumers {

    static final int FETCH_MAX_BYTES = 4 * 1024 * 1024;
    static final int MAX_PARTITION_FETCH_BYTES = 512 * 1024;

    private final KafkaConnection connection;
    private final ProjectorProperties properties;
    private final String instance = UUID.randomUUID().toString().substring(0, 8);

    KafkaConsumers(KafkaConnection connection, ProjectorProperties properties) {
        this.connection = connection;
        this.properties = properties;
    }

    /**
     * A consumer in the projection's group. No auto commit: positions come from Postgres. The
     * cooperative assignor moves only the partitions that change owner in a rebalance, so the
     * other partitions keep flowing.
     */
    Consumer<byte[], byte[]> forGroup(String projection) {
        return new KafkaConsumer<>(groupConfig(projection), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A consumer without a group, for a rebuild's catch-up: it assigns partitions itself. */
    Consumer<byte[], byte[]> unassigned(String projection) {
        return new KafkaConsumer<>(
                unassignedConfig(projection), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    Map<String, Object> groupConfig(String projection) {
        Map<String, Object> config = base(projection);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.groupPrefix() + "." + projection);
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        config.putAll(properties.consumer());
        return config;
    }

    Map<String, Object> unassignedConfig(String projection) {
        Map<String, Object> config = base(projection + "-rebuild");
        properties.consumer().forEach((key, value) -> {
            if (!key.startsWith("group.") && !key.equals(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG)) {
                config.put(key, value);
            }
        });
        return config;
    }

    private Map<String, Object> base(String clientName) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connection.bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "projector-" + clientName + "-" + instance);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.maxPollRecords());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Topics appear when the relay first publishes to them; notice them within seconds.
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5_000);
        // Kafka reads a fetch response into a heap buffer of its full size, and the JDK reads a
        // socket into a heap buffer through a direct buffer of the same size that it keeps for the
        // thread. With Kafka's limits (50 MiB a response, 1 MiB a partition) the four consumers of
        // a projector that is far behind kept 96 MiB of direct memory; with these, 32 MiB. An
        // A/B/A/B of a 1M drain could not tell the two apart in speed (docs/benchmarks.md, session 10).
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_MAX_BYTES);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, MAX_PARTITION_FETCH_BYTES);
        return config;
    }
}
