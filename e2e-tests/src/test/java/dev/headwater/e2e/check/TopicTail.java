package dev.headwater.e2e.check;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * Every record of every topic of a prefix, read with a plain {@link KafkaConsumer} without a group
 * (as a downstream team's audit job would), from the first offset. It keeps what it read and, on
 * each {@link #catchUp()}, reads only what was added since, up to the end offsets of that moment.
 */
public final class TopicTail implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Pattern topics;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final Map<TopicPartition, List<TopicRecord>> records =
            new TreeMap<>((a, b) -> a.topic().equals(b.topic())
                    ? Integer.compare(a.partition(), b.partition())
                    : a.topic().compareTo(b.topic()));
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();

    public TopicTail(String bootstrapServers, String topicPrefix) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "e2e-checker-" + topicPrefix);
        this.consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topics = Pattern.compile(Pattern.quote(topicPrefix) + "\\.[a-z][a-z0-9_-]*\\.events");
    }

    /** Reads every record added since the last call, up to the end offsets as of now. */
    public void catchUp(Duration timeout) {
        List<TopicPartition> partitions = partitions();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        consumer.assign(partitions);
        for (TopicPartition partition : partitions) {
            consumer.seek(partition, nextOffsets.getOrDefault(partition, 0L));
            records.computeIfAbsent(partition, p -> new ArrayList<>());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(ends)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Reading the topics did not reach their end offsets " + ends
                        + " within " + timeout + " (at " + nextOffsets + ")");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                records.get(partition).add(toRecord(record));
                nextOffsets.put(partition, record.offset() + 1);
            }
        }
    }

    /** Sum of the end offsets of every topic, without reading: a cheap "has everything arrived?". */
    public long endOffsetSum(Duration timeout) {
        return consumer.endOffsets(partitions(), timeout).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /** What was read so far, per partition in offset order. */
    public Map<TopicPartition, List<TopicRecord>> records() {
        Map<TopicPartition, List<TopicRecord>> copy = new LinkedHashMap<>();
        records.forEach((partition, list) -> copy.put(partition, List.copyOf(list)));
        return copy;
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private List<TopicPartition> partitions() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (Map.Entry<String, List<PartitionInfo>> topic :
                consumer.listTopics(Duration.ofSeconds(30)).entrySet()) {
            if (topics.matcher(topic.getKey()).matches()) {
                topic.getValue().forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
        }
        return partitions;
    }

    private TopicRecord toRecord(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        EventEnvelope event = null;
        String error = null;
        try {
            event = record.value() == null ? null : codec.decode(record.value());
            if (event == null) {
                error = "no value";
            }
        } catch (IllegalArgumentException e) { // ContractViolation among them
            error = e.getMessage();
        }
        return new TopicRecord(
                record.topic(), record.partition(), record.offset(), key(record.key()), headers, event, error);
    }

    private static @Nullable String key(byte @Nullable [] key) {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
