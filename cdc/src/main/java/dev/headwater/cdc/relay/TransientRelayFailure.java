package dev.headwater.cdc.relay;

/**
 * A failure that may pass (Kafka or Postgres unavailable): the batch is not marked processed, the
 * engine stops, and the relay restarts it after a backoff from the last committed offset.
 */
public final class TransientRelayFailure extends RuntimeException {

    public TransientRelayFailure(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
