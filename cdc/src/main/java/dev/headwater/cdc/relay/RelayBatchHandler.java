package dev.headwater.cdc.relay;

import dev.headwater.contract.EventEnvelope;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch from the engine: map every event, publish them all, wait for every acknowledgement,
 * then mark each record processed and the batch finished, so the offset (and the slot) move only
 * past what Kafka holds. Anything that fails before that throws, marks nothing, and stops the
 * engine; the supervisor restarts it from the last committed offset.
 */
final class RelayBatchHandler implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

    private static final Logger log = LoggerFactory.getLogger(RelayBatchHandler.class);

    private final TransactionAssembler transactions = new TransactionAssembler();
    private final EventMapper mapper;
    private final KafkaEventSink sink;
    private final RelayMetrics metrics;
    private final Clock clock;
    private final Runnable onBatchPublished;

    RelayBatchHandler(
            EventMapper mapper, KafkaEventSink sink, RelayMetrics metrics, Clock clock, Runnable onBatchPublished) {
        this.mapper = mapper;
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
        this.onBatchPublished = onBatchPublished;
    }

    @Override
    public void handleBatch(
            List<RecordChangeEvent<SourceRecord>> records,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        long started = System.nanoTime();
        List<TransactionAssembler.Ready> ready = transactions.accept(records);
        List<EventEnvelope> events = new ArrayList<>(ready.size());
        List<Instant> committedAt = new ArrayList<>(ready.size());
        for (TransactionAssembler.Ready change : ready) {
            if (change.kind().isRow()) {
                SourceRecord record = change.event().record();
                events.add(mapper.toEnvelope(record, change.commitLsn()));
                if (change.kind() == ChangeKind.STREAMED_ROW) {
                    committedAt.add(commitTime(record));
                }
            }
        }
        long mapped = System.nanoTime();
        sink.publish(events);
        long acked = System.nanoTime();
        Instant ackedAt = clock.instant();
        for (TransactionAssembler.Ready change : ready) {
            committer.markProcessed(change.event());
        }
        committer.markBatchFinished();
        if (log.isDebugEnabled()) {
            log.debug(
                    "Batch of {} records ({} events, {} held): mapped in {} µs, acknowledged in {} µs, committed in {} µs",
                    records.size(),
                    events.size(),
                    transactions.heldCount(),
                    (mapped - started) / 1000,
                    (acked - mapped) / 1000,
                    (System.nanoTime() - acked) / 1000);
        }
        committedAt.forEach(commit -> metrics.commitToAck(Duration.between(commit, ackedAt)));
        if (!events.isEmpty()) {
            metrics.batchPublished(events.size(), events.get(events.size() - 1).globalPosition());
            onBatchPublished.run();
        }
    }

    /** Debezium's {@code source.ts_ms} of a streamed change is its transaction's commit time. */
    private static Instant commitTime(SourceRecord record) {
        Struct source = ((Struct) record.value()).getStruct("source");
        return Instant.ofEpochMilli(source.getInt64("ts_ms"));
    }
}
