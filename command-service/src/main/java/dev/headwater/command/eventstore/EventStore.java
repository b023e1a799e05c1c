package dev.headwater.command.eventstore;

import dev.headwater.contract.EventEnvelope;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Append-only access to {@code event_log.events}. Every method joins the caller's transaction when
 * there is one, so a command appends its events and updates its write-side state in one
 * transaction.
 */
public interface EventStore {

    /**
     * Appends {@code events} to {@code stream} at the versions following {@code expected}, in one
     * statement. All events get {@code tenantId}.
     *
     * @throws StreamOfAnotherTenant if the stream's events belong to another tenant (nothing appended)
     * @throws WrongExpectedVersion if the stream is not at the expected version (nothing appended)
     */
    AppendResult append(StreamId stream, String tenantId, ExpectedVersion expected, List<NewEvent> events);

    /** Up to {@code limit} events of the stream from version {@code fromVersion} on, in version order. */
    List<EventEnvelope> readStream(StreamId stream, long fromVersion, int limit);

    /** The stream's version and tenant, or empty when it has no events. */
    Optional<StreamHead> head(StreamId stream);

    /** The stream's version, 0 when it has no events. */
    long currentVersion(StreamId stream);

    /**
     * The catch-up feed: up to {@code limit} events after {@code after} in commit-visibility order
     * ({@code transaction_id}, then {@code global_position}), only from transactions older than
     * every transaction still running. A reader that follows {@link FeedPage#next()} sees every
     * committed event exactly once, whatever order concurrent writers commit in.
     *
     * @param tenantId only this tenant's events, or every tenant's when null
     */
    FeedPage readAll(FeedCursor after, int limit, @Nullable String tenantId);
}
