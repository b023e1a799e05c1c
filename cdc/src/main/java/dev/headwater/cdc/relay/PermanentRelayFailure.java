package dev.headwater.cdc.relay;

/**
 * A failure that retrying cannot fix (a row that breaks the contract, an operation the log cannot
 * produce). The relay stops, keeps its offset before the failing change, and says why in its
 * health and log; an operator fixes the cause and restarts it.
 */
public final class PermanentRelayFailure extends RuntimeException {

    public PermanentRelayFailure(String message) {
        super(message);
    }

    public PermanentRelayFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
