package dev.headwater.cdc.offset;

/** The session that was leader when the engine started no longer holds the lock: nothing is written. */
public final class NotLeaderException extends OffsetStoreException {

    NotLeaderException(String store, int pid) {
        super("Offsets of " + store + " not written: backend " + pid
                + " no longer holds the relay's leader lock (another instance took over)");
    }
}
