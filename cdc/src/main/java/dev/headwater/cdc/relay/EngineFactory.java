package dev.headwater.cdc.relay;

import dev.headwater.cdc.config.CdcProperties;
import dev.headwater.cdc.offset.OffsetStoreSettings;
import dev.headwater.cdc.slot.SlotGuard;
import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.TopicNaming;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;

/** Builds each engine run: its configuration, producer, admin client and batch handler. */
final class EngineFactory {

    private final CdcProperties settings;
    private final String bootstrapServers;
    private final DebeziumProperties.DatabaseLogin database;
    private final RelayMetrics metrics;
    private final Clock clock;
    private final TopicNaming naming;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final EventMapper mapper = new EventMapper(JsonMapper.builder().build());

    EngineFactory(
            CdcProperties settings,
            String bootstrapServers,
            DebeziumProperties.DatabaseLogin database,
            RelayMetrics metrics,
            Clock clock) {
        this.settings = settings;
        this.bootstrapServers = bootstrapServers;
        this.database = database;
        this.metrics = metrics;
        this.clock = clock;
        this.naming = topicNaming(settings.topics());
    }

    static TopicNaming topicNaming(CdcProperties.Topics topics) {
        TopicNaming prefixed = TopicNaming.prefixed(topics.prefix());
        Map<String, String> overrides = Map.copyOf(topics.overrides());
        return aggregateType -> overrides.getOrDefault(aggregateType, prefixed.topicFor(aggregateType));
    }

    /** Creates the topics of the configured aggregate types, so consumers can subscribe before any event. */
    void precreateTopics() throws InterruptedException {
        try (Admin admin = admin()) {
            provisioner(admin)
                    .ensure(settings.topics().precreate().stream()
                            .map(naming::topicFor)
                            .toList());
        }
    }

    EngineRun start(int leaderPid, Runnable onBatchPublished) {
        requireIntactSlot();
        OffsetStoreSettings offsets = new OffsetStoreSettings(
                database.url(),
                database.user(),
                database.password(),
                settings.slotName(),
                leaderPid,
                settings.leader().lockNamespace());
        Admin admin = admin();
        Producer<String, byte[]> producer = producer();
        KafkaEventSink sink = new KafkaEventSink(producer, provisioner(admin), naming, codec);
        RelayBatchHandler handler = new RelayBatchHandler(mapper, sink, metrics, clock, onBatchPublished);
        return EngineRun.start(DebeziumProperties.of(settings, database, offsets), handler, producer, admin);
    }

    private void requireIntactSlot() {
        SlotGuard.Verdict verdict;
        try {
            verdict = new SlotGuard(database.url(), database.user(), database.password()).check(settings.slotName());
        } catch (SQLException e) {
            throw new TransientRelayFailure("Checking replication slot " + settings.slotName() + " failed", e);
        }
        if (verdict == SlotGuard.Verdict.LOST) {
            throw new PermanentRelayFailure("Replication slot " + settings.slotName()
                    + " is gone or lost its WAL while offsets are stored in cdc.offsets: events committed since"
                    + " the last published one may be missing downstream. The relay will not start a new slot"
                    + " silently. To republish the log from the table, delete this slot's rows from cdc.offsets"
                    + " (DELETE FROM cdc.offsets WHERE store = '" + settings.slotName() + "') and restart: the"
                    + " relay then snapshots the whole log again in commit order (consumers drop the repeats by"
                    + " event id or aggregate version).");
        }
    }

    private TopicProvisioner provisioner(Admin admin) {
        return new TopicProvisioner(
                admin,
                settings.topics().partitions(),
                (short) settings.topics().replicationFactor(),
                settings.topics().config(),
                settings.producer().deliveryTimeout().toMillis());
    }

    private Admin admin() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "headwater-cdc-" + settings.slotName() + "-admin");
        int timeout = (int) settings.producer().deliveryTimeout().toMillis();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeout, 15_000));
        return Admin.create(config);
    }

    Producer<String, byte[]> producer() {
        CdcProperties.Producer producer = settings.producer();
        long deliveryTimeout = producer.deliveryTimeout().toMillis();
        long linger = producer.linger().toMillis();
        Map<String, Object> config = new HashMap<>(producer.overrides());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "headwater-cdc-" + settings.slotName());
        config.put(ProducerConfig.LINGER_MS_CONFIG, Long.toString(linger));
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(producer.batchSize()));
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, producer.compression());
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(deliveryTimeout));
        config.put(
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1, (deliveryTimeout - linger) / 2)));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(deliveryTimeout));
        // Not negotiable: every record acknowledged by all in-sync replicas, no duplicates from the
        // producer's own retries, and no reordering. Idempotence alone does not prevent reordering
        // for a producer's first batch to a partition: the broker accepts any sequence number from a
        // producer it has no state for, so when the first request fails (NOT_LEADER_OR_FOLLOWER
        // right after topic creation or during a leader change) a later in-flight one can land first.
        // Seen here: version 3 of an aggregate ahead of versions 1 and 2. One request in flight per
        // broker rules that out; the batch round trip dominates anyway.
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(config);
    }

    List<String> precreatedTopics() {
        return settings.topics().precreate().stream().map(naming::topicFor).toList();
    }
}
