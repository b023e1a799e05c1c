package dev.headwater.cdc.relay;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.ContractViolation;
import dev.headwater.contract.EventHeaders;
import dev.headwater.contract.TopicNaming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Sends a batch of events and returns only when Kafka has acknowledged every one of them
 * ({@code acks=all}, idempotent producer). Any failure fails the whole batch: the caller marks
 * nothing, and the batch is sent again from the last committed offset.
 */
final class KafkaEventSink {

    private final Producer<String, byte[]> producer;
    private final TopicProvisioner topics;
    private final TopicNaming naming;
    private final CloudEventCodec codec;

    KafkaEventSink(
            Producer<String, byte[]> producer, TopicProvisioner topics, TopicNaming naming, CloudEventCodec codec) {
        this.producer = producer;
        this.topics = topics;
        this.naming = naming;
        this.codec = codec;
    }

    /**
     * Runs on the producer's I/O thread. On the first failed record the producer is closed at once
     * (Kafka turns a close inside a callback into {@code close(0)}): nothing queued behind that
     * record may reach Kafka before the next engine run sends the whole batch again, in order.
     */
    private void abortOnFailure(RecordMetadata metadata, Exception failure) {
        if (failure != null) {
            producer.close(Duration.ZERO);
        }
    }

    void publish(List<RelayedEvent> events) throws InterruptedException {
        if (events.isEmpty()) {
            return;
        }
        topics.ensure(
                events.stream().map(e -> naming.topicFor(e.aggregateType())).toList());
        List<Future<RecordMetadata>> acks = new ArrayList<>(events.size());
        try {
            for (RelayedEvent event : events) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                        naming.topicFor(event.aggregateType()), event.aggregateId(), encode(event));
                EventHeaders.of(event).forEach((name, value) -> record.headers().add(name, value));
                acks.add(producer.send(record, this::abortOnFailure));
            }
            // The caller waits for every acknowledgement next, so nothing is gained by letting the
            // producer linger for more records: send what is buffered now. Same batches, same
            // single request in flight (ADR 0025); linger only applies between relay batches.
            producer.flush();
        } catch (KafkaException e) {
            throw new TransientRelayFailure("Sending to Kafka failed", e);
        }
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
            } catch (ExecutionException e) {
                RelayedEvent event = events.get(i);
                throw new TransientRelayFailure(
                        "Kafka did not acknowledge event " + event.eventId() + " (global position "
                                + event.globalPosition() + ")",
                        e.getCause());
            }
        }
    }

    /** The record value; a payload the codec refuses is a permanent failure, as in the mapper. */
    private byte[] encode(RelayedEvent event) {
        try {
            return codec.encode(event, event.payloadJson());
        } catch (ContractViolation e) {
            throw new PermanentRelayFailure(
                    "The event at global position " + event.globalPosition() + " does not fit the topic contract: "
                            + e.getMessage(),
                    e);
        }
    }
}
