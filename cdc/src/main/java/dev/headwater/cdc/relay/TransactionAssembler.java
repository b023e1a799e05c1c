package dev.headwater.cdc.relay;

import io.debezium.engine.RecordChangeEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;

/**
 * Holds back the records of a transaction until its END record has arrived, so that each event
 * can carry the commit LSN of its own transaction (Debezium puts it only in the END record's
 * offset). A batch may end inside a transaction; its tail waits for the next batch. Records after
 * a held one are held too, so records are always released, and marked processed, in stream order
 * and an offset is never committed past a record that was not published.
 */
final class TransactionAssembler {

    /** A record ready to publish (or to mark processed), with its transaction's commit LSN. */
    record Ready(
            RecordChangeEvent<SourceRecord> event,
            ChangeKind kind,
            @Nullable Long commitLsn) {}

    static final String COMMIT_LSN_OFFSET_KEY = "lsn_commit";

    private final List<RecordChangeEvent<SourceRecord>> held = new ArrayList<>();

    /** Appends a batch and releases the longest prefix of complete transactions. */
    List<Ready> accept(List<RecordChangeEvent<SourceRecord>> batch) {
        held.addAll(batch);
        List<ChangeKind> kinds = new ArrayList<>(held.size());
        @Nullable Long[] commitLsns = new Long[held.size()];
        int releasable = 0;
        int transactionStart = -1;
        for (int i = 0; i < held.size(); i++) {
            ChangeKind kind = ChangeKind.of(held.get(i).record());
            kinds.add(kind);
            switch (kind) {
                case TRANSACTION_BEGIN -> transactionStart = i;
                case STREAMED_ROW -> {
                    // After a restart inside a transaction Debezium resumes without a new BEGIN.
                    if (transactionStart < 0) {
                        transactionStart = i;
                    }
                }
                case TRANSACTION_END -> {
                    Long commitLsn = commitLsn(held.get(i).record());
                    for (int j = Math.max(transactionStart, 0); j < i; j++) {
                        commitLsns[j] = commitLsn;
                    }
                    commitLsns[i] = commitLsn;
                    transactionStart = -1;
                    releasable = i + 1;
                }
                case SNAPSHOT_ROW, OFFSET_ONLY -> {
                    if (transactionStart < 0) {
                        releasable = i + 1;
                    }
                }
            }
        }
        List<Ready> ready = new ArrayList<>(releasable);
        for (int i = 0; i < releasable; i++) {
            ready.add(new Ready(held.get(i), kinds.get(i), commitLsns[i]));
        }
        held.subList(0, releasable).clear();
        return ready;
    }

    /** Records waiting for the end of their transaction. */
    int heldCount() {
        return held.size();
    }

    private static @Nullable Long commitLsn(SourceRecord end) {
        Object lsn = end.sourceOffset().get(COMMIT_LSN_OFFSET_KEY);
        return lsn instanceof Number number ? number.longValue() : null;
    }
}
