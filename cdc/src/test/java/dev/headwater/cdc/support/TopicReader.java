package dev.headwater.cdc.support;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads every record of some topics from the beginning, as a downstream consumer through the
 * contract would. Keeps what it read; {@link #poll()} adds what arrived since.
 */
public final class TopicReader implements AutoCloseable {

    /** A record as read: where it was and what it said, decoded and as published ({@code value}). */
    public record Read(
            String topic,
            int partition,
            long offset,
            String key,
            EventEnvelope event,
            Map<String, String> headers,
            byte[] value) {}

    private final KafkaConsumer<String, byte[]> consumer;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final List<Read> read = new ArrayList<>();

    public TopicReader(String bootstrapServers, Collection<String> topics) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500");
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.copyOf(topics));
    }

    /** Polls once and returns everything read so far. */
    public synchronized List<Read> poll() {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            read.add(new Read(
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    record.key(),
                    codec.decode(record.value()),
                    headers,
                    record.value()));
        }
        return List.copyOf(read);
    }

    /** The commit LSN header of a record, or -1. */
    public static long commitLsn(Read read) {
        String lsn = read.headers().get(EventHeaders.COMMIT_LSN);
        return lsn == null ? -1 : EventHeaders.parseLsn(lsn);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
