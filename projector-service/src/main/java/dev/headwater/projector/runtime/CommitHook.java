package dev.headwater.projector.runtime;

import java.sql.Connection;

/**
 * Called on the consumer thread after a live batch has written everything and before it commits.
 * Register a bean to observe commits or, in tests, to inject a fault at the worst moment: an
 * {@link Error} thrown here stops the worker at once, like a killed process: the transaction is
 * abandoned, nothing is committed to Postgres or Kafka, and the consumer closes without cleanup.
 */
@FunctionalInterface
public interface CommitHook {

    void beforeCommit(String projection, Connection connection, int events);
}
