package dev.headwater.cdc.relay;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * What a record from the engine is. With {@code provide.transaction.metadata} on, each streamed
 * transaction is framed by BEGIN and END records; END carries the commit LSN in its offset.
 */
enum ChangeKind {
    /** A row of the log read by the initial snapshot (no transaction frame, no commit LSN). */
    SNAPSHOT_ROW,
    /** A row inserted into the log, streamed from the slot inside a transaction frame. */
    STREAMED_ROW,
    TRANSACTION_BEGIN,
    TRANSACTION_END,
    /** Heartbeats and anything else that only moves the offset forward. */
    OFFSET_ONLY;

    static final String TRANSACTION_TOPIC_SUFFIX = ".transaction";

    static ChangeKind of(SourceRecord record) {
        if (!(record.value() instanceof Struct value)) {
            return OFFSET_ONLY;
        }
        if (record.topic().endsWith(TRANSACTION_TOPIC_SUFFIX) && hasField(value, "status")) {
            return "BEGIN".equals(value.getString("status")) ? TRANSACTION_BEGIN : TRANSACTION_END;
        }
        if (!hasField(value, "op") || !hasField(value, "after")) {
            return OFFSET_ONLY;
        }
        boolean inTransaction = hasField(value, "transaction") && value.get("transaction") != null;
        return inTransaction ? STREAMED_ROW : SNAPSHOT_ROW;
    }

    boolean isRow() {
        return this == SNAPSHOT_ROW || this == STREAMED_ROW;
    }

    private static boolean hasField(Struct value, String name) {
        Field field = value.schema().field(name);
        return field != null;
    }
}
