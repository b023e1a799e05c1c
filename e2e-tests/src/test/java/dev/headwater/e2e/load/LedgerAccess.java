package dev.headwater.e2e.load;

/** Lets the checker's tests fill a ledger, which only the load clients write otherwise. */
public final class LedgerAccess {

    private LedgerAccess() {}

    public static Ledger with(Ledger.Acknowledged... entries) {
        Ledger ledger = new Ledger();
        for (Ledger.Acknowledged entry : entries) {
            ledger.acknowledged(entry);
        }
        return ledger;
    }
}
