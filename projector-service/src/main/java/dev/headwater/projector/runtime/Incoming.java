package dev.headwater.projector.runtime;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.ContractViolation;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

/**
 * One event as the applier sees it: decoded, or not decodable but attributed to an aggregate as
 * far as the record allows (key, headers, topic). {@code partition} is null for events replayed
 * from the log.
 */
record Incoming(
        @Nullable TopicPartition partition,
        long offset,
        byte[] value,
        @Nullable EventEnvelope event,
        String aggregateType,
        String aggregateId,
        @Nullable Long version,
        @Nullable String decodeError) {

    AggregateKey aggregate() {
        return new AggregateKey(aggregateType, aggregateId);
    }

    @Nullable
    UUID eventId() {
        return event == null ? null : event.eventId();
    }

    @Nullable
    String eventType() {
        return event == null ? null : event.eventType();
    }

    /** An event read from the log; its record value is encoded only if it must be parked. */
    static Incoming replayed(EventEnvelope event) {
        return new Incoming(
                null,
                -1,
                NOT_ENCODED,
                event,
                event.aggregateType(),
                event.aggregateId(),
                event.aggregateVersion(),
                null);
    }

    private static final byte[] NOT_ENCODED = new byte[0];

    /** The record value as received, or the event encoded in the contract format if it came from the log. */
    byte[] recordValue() {
        if (value == NOT_ENCODED && event != null) {
            return new CloudEventCodec().encode(event);
        }
        return value;
    }

    /** Decodes a record; a record that breaks the contract becomes an undecodable Incoming. */
    static Incoming fromRecord(
            ConsumerRecord<byte[], byte[]> record, CloudEventCodec codec, Map<String, String> aggregateTypeByTopic) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        byte[] value = record.value() == null ? new byte[0] : record.value();
        try {
            if (record.value() == null) {
                throw new ContractViolation("value", "is null (a tombstone)");
            }
            EventEnvelope event = codec.decode(value);
            return new Incoming(
                    partition,
                    record.offset(),
                    value,
                    event,
                    event.aggregateType(),
                    event.aggregateId(),
                    event.aggregateVersion(),
                    null);
        } catch (ContractViolation e) {
            String type = header(record, EventHeaders.AGGREGATE_TYPE);
            if (type == null) {
                type = aggregateTypeByTopic.getOrDefault(record.topic(), record.topic());
            }
            String id = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            return new Incoming(
                    partition,
                    record.offset(),
                    value,
                    null,
                    type,
                    id,
                    parseVersion(header(record, EventHeaders.AGGREGATE_VERSION)),
                    e.getMessage());
        }
    }

    private static @Nullable String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static @Nullable Long parseVersion(@Nullable String text) {
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
