package dev.headwater.cdc.relay;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    static final String LAST_PROCESSED_LSN_KEY = "lsn_proc";
    static final String MESSAGE_TYPE_KEY = "messageType";
    static final String LSN_KEY = "lsn";

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
        List<RelayedEvent> events = new ArrayList<>(ready.size());
        List<Instant> committedAt = new ArrayList<>(ready.size());
        for (TransactionAssembler.Ready change : ready) {
            if (change.kind().isRow()) {
                SourceRecord record = change.event().record();
                events.add(mapper.toEvent(record, change.commitLsn()));
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
            markProcessed(committer, change.event());
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

    /**
     * Marks a record processed, storing an offset Debezium resumes from without losing a change.
     * See {@link #atCommitBoundary}.
     */
    private static void markProcessed(
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer,
            RecordChangeEvent<SourceRecord> event)
            throws InterruptedException {
        Map<String, ?> offset = event.record().sourceOffset();
        Map<String, ?> stored = atCommitBoundary(offset);
        if (stored == offset) {
            committer.markProcessed(event);
            return;
        }
        DebeziumEngine.Offsets offsets = committer.buildOffsets();
        stored.forEach(offsets::set);
        committer.markProcessed(event, offsets);
    }

    /**
     * An offset taken at a transaction's commit (an END or heartbeat record: {@code messageType}
     * COMMIT, {@code lsn} = {@code lsn_commit}) is stored without {@code lsn_proc}. With it, a
     * restarted connector searches the replayed WAL for the first message whose LSN equals the
     * stored one and skips everything before it; but a commit message's LSN is the end of its
     * commit record, which is also where the next WAL record starts, and that can be a change of a
     * concurrent transaction that began earlier and commits later. The search then matches that
     * change and silently skips the start of its transaction (seen in a kill test here). Without
     * {@code lsn_proc} no search happens: streaming restarts at the commit LSN, and Postgres sends
     * exactly the transactions that committed after it, each from its beginning.
     */
    static Map<String, ?> atCommitBoundary(Map<String, ?> offset) {
        Object commitLsn = offset.get(TransactionAssembler.COMMIT_LSN_OFFSET_KEY);
        if (commitLsn == null
                || !offset.containsKey(LAST_PROCESSED_LSN_KEY)
                || !"COMMIT".equals(String.valueOf(offset.get(MESSAGE_TYPE_KEY)))
                || !commitLsn.equals(offset.get(LSN_KEY))) {
            return offset;
        }
        Map<String, Object> stored = new HashMap<>(offset);
        stored.remove(LAST_PROCESSED_LSN_KEY);
        return stored;
    }

    /** Debezium's {@code source.ts_ms} of a streamed change is its transaction's commit time. */
    private static Instant commitTime(SourceRecord record) {
        Struct source = ((Struct) record.value()).getStruct("source");
        return Instant.ofEpochMilli(source.getInt64("ts_ms"));
    }
}
