package dev.headwater.cdc.relay;

import static dev.headwater.cdc.relay.TestRecords.begin;
import static dev.headwater.cdc.relay.TestRecords.end;
import static dev.headwater.cdc.relay.TestRecords.heartbeat;
import static dev.headwater.cdc.relay.TestRecords.snapshotRow;
import static dev.headwater.cdc.relay.TestRecords.streamed;
import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.engine.RecordChangeEvent;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class TransactionAssemblerTest {

    private final TransactionAssembler assembler = new TransactionAssembler();

    @Test
    void rows_of_a_complete_transaction_carry_the_commit_lsn_of_its_end_record() {
        var ready = assembler.accept(
                List.of(begin(100), streamed(1, "a", 1, 110), streamed(2, "b", 1, 120), end(130, 140)));

        assertThat(ready).hasSize(4);
        assertThat(ready.get(1).commitLsn()).isEqualTo(140L);
        assertThat(ready.get(2).commitLsn()).isEqualTo(140L);
        assertThat(ready.get(2).kind()).isEqualTo(ChangeKind.STREAMED_ROW);
        assertThat(assembler.heldCount()).isZero();
    }

    @Test
    void a_transaction_cut_by_the_batch_end_waits_with_everything_after_it_until_its_end_arrives() {
        RecordChangeEvent<SourceRecord> first = streamed(1, "a", 1, 110);
        var ready = assembler.accept(List.of(begin(100), first));

        assertThat(ready).as("nothing of an open transaction is released").isEmpty();
        assertThat(assembler.heldCount()).isEqualTo(2);

        RecordChangeEvent<SourceRecord> beat = heartbeat(300);
        ready = assembler.accept(
                List.of(streamed(2, "a", 2, 120), end(130, 140), begin(200), streamed(3, "c", 1, 210)));
        assertThat(ready)
                .extracting(TransactionAssembler.Ready::event)
                .startsWith(begin(100).record() == null ? null : ready.get(0).event());
        assertThat(ready).hasSize(4);
        assertThat(ready.get(1).event()).isSameAs(first);
        assertThat(ready)
                .filteredOn(r -> r.kind().isRow())
                .allSatisfy(r -> assertThat(r.commitLsn()).isEqualTo(140L));
        assertThat(assembler.heldCount())
                .as("the second transaction is still open")
                .isEqualTo(2);

        ready = assembler.accept(List.of(beat));
        assertThat(ready)
                .as("a heartbeat inside an open transaction is held too")
                .isEmpty();
        ready = assembler.accept(List.of(end(220, 230)));
        assertThat(ready).hasSize(4);
        assertThat(ready.get(2).event()).isSameAs(beat);
        assertThat(ready.get(1).commitLsn()).isEqualTo(230L);
    }

    @Test
    void rows_resumed_inside_a_transaction_without_a_begin_get_the_commit_lsn_too() {
        var ready = assembler.accept(List.of(streamed(5, "a", 3, 510), end(520, 530)));

        assertThat(ready).hasSize(2);
        assertThat(ready.get(0).commitLsn()).isEqualTo(530L);
    }

    @Test
    void snapshot_rows_and_heartbeats_outside_transactions_pass_at_once_without_a_commit_lsn() {
        var ready = assembler.accept(List.of(snapshotRow(1, "a", 1), snapshotRow(2, "a", 2), heartbeat(50)));

        assertThat(ready)
                .extracting(TransactionAssembler.Ready::kind)
                .containsExactly(ChangeKind.SNAPSHOT_ROW, ChangeKind.SNAPSHOT_ROW, ChangeKind.OFFSET_ONLY);
        assertThat(ready).allSatisfy(r -> assertThat(r.commitLsn()).isNull());
    }
}
