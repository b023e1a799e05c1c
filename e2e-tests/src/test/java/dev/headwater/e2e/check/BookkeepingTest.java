package dev.headwater.e2e.check;

import static dev.headwater.e2e.check.Fixtures.T0;
import static dev.headwater.e2e.check.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.e2e.load.Ledger;
import dev.headwater.e2e.load.LedgerAccess;
import java.util.List;
import org.junit.jupiter.api.Test;

class BookkeepingTest {

    private final LoggedEvent first = event(10, "e2e-order", "s1", 1, "OrderLineAdded", "{}", T0, "tx1");
    private final LoggedEvent second = event(11, "e2e-order", "s1", 2, "OrderLineAdded", "{}", T0, "tx1");

    @Test
    void a_log_that_holds_exactly_what_was_acknowledged_is_clean() {
        Ledger ledger = LedgerAccess.with(new Ledger.Acknowledged("append", "e2e-order", "s1", 2, List.of(10L, 11L)));
        Anomalies anomalies = new Anomalies();

        Bookkeeping.checkLedger(List.of(first, second), ledger, anomalies);

        assertThat(anomalies.all()).isEmpty();
    }

    @Test
    void an_acknowledged_event_the_log_lacks_is_lost() {
        Ledger ledger = LedgerAccess.with(new Ledger.Acknowledged("append", "e2e-order", "s1", 2, List.of(10L, 11L)));
        Anomalies anomalies = new Anomalies();

        Bookkeeping.checkLedger(List.of(first), ledger, anomalies);

        assertThat(anomalies.counts()).containsEntry("ledger.lost", 1);
    }

    @Test
    void an_event_nobody_was_told_about_is_reported() {
        Ledger ledger = LedgerAccess.with(new Ledger.Acknowledged("append", "e2e-order", "s1", 1, List.of(10L)));
        Anomalies anomalies = new Anomalies();

        Bookkeeping.checkLedger(List.of(first, second), ledger, anomalies);

        assertThat(anomalies.counts()).containsEntry("ledger.unacknowledged", 1);
    }

    @Test
    void one_command_written_by_two_transactions_is_a_partial_write() {
        LoggedEvent apart = event(11, "e2e-order", "s1", 2, "OrderLineAdded", "{}", T0, "tx2");
        Ledger ledger = LedgerAccess.with(new Ledger.Acknowledged("append", "e2e-order", "s1", 2, List.of(10L, 11L)));
        Anomalies anomalies = new Anomalies();

        Bookkeeping.checkLedger(List.of(first, apart), ledger, anomalies);

        assertThat(anomalies.counts()).containsEntry("ledger.split", 1);
    }
}
