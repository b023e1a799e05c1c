/**
 * The event store: appends to {@code event_log.events} with an expected version, reads a stream,
 * and serves the catch-up feed in commit-visibility order. {@link dev.headwater.command.eventstore.EventStore}
 * is the contract; its JDBC implementation is private to this package.
 */
@NullMarked
package dev.headwater.command.eventstore;

import org.jspecify.annotations.NullMarked;
