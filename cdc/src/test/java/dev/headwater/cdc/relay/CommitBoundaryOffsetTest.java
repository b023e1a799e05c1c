package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommitBoundaryOffsetTest {

    @Test
    void an_offset_taken_at_a_commit_is_stored_without_the_processed_position_so_no_wal_search_happens() {
        Map<String, Object> atCommit = Map.of(
                "lsn",
                97464000L,
                "lsn_commit",
                97464000L,
                "lsn_proc",
                97464000L,
                "messageType",
                "COMMIT",
                "txId",
                7951L);

        Map<String, Object> stored = Map.copyOf(RelayBatchHandler.atCommitBoundary(atCommit));

        assertThat(stored)
                .doesNotContainKey("lsn_proc")
                .containsEntry("lsn", 97464000L)
                .containsEntry("lsn_commit", 97464000L)
                .containsEntry("txId", 7951L);
    }

    @Test
    void an_offset_inside_a_transaction_or_of_the_snapshot_is_stored_as_debezium_made_it() {
        Map<String, Object> insideTransaction =
                Map.of("lsn", 97465000L, "lsn_commit", 97464000L, "lsn_proc", 97465000L, "messageType", "INSERT");
        Map<String, Object> snapshot = Map.of("lsn", 1L, "snapshot", "INITIAL", "last_snapshot_record", true);

        assertThat(RelayBatchHandler.atCommitBoundary(insideTransaction)).isSameAs(insideTransaction);
        assertThat(RelayBatchHandler.atCommitBoundary(snapshot)).isSameAs(snapshot);
    }
}
