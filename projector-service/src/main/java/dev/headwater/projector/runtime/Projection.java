package dev.headwater.projector.runtime;

import dev.headwater.contract.EventEnvelope;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * A view built from events: register an implementation as a Spring bean and the runtime consumes
 * its topics in a consumer group of its own, applies each new event exactly once in effect, and
 * can rebuild it from the event log.
 *
 * <p>Rules for implementations:
 *
 * <ul>
 *   <li>Write only through {@link ProjectionTransaction#connection()}, to the tables named in
 *       {@link #tables()}, addressed <em>unqualified</em>: the runtime points {@code search_path}
 *       at the live schema or, during a rebuild, at the shadow schema. Never commit or roll back.
 *   <li>Be a pure function of the events: take times from {@link EventEnvelope#recordedAt()},
 *       never from a clock, so that a rebuild produces the same rows (rebuilds compare checksums).
 *   <li>Do not rely on order across aggregates: only the events of one aggregate arrive in order
 *       (by version). Combine contributions of different aggregates commutatively (sums, upserts).
 *   <li>Throw to reject an event; the runtime retries, then halts or parks it by policy.
 * </ul>
 */
public interface Projection {

    /** Stable name: lower-case letters, digits and {@code -}; names the consumer group and rows. */
    String name();

    /** Aggregate types whose topics this projection consumes. */
    Set<String> aggregateTypes();

    /**
     * Event types {@link #apply} receives. Other events of the consumed aggregate types still
     * advance the projection's applied version of their aggregate, so versions stay contiguous.
     */
    Set<String> eventTypes();

    /** Whether {@link #apply} receives events of this type; by default, those in {@link #eventTypes()}. */
    default boolean handles(String eventType) {
        return eventTypes().contains(eventType);
    }

    /** The tables this projection owns, unqualified; each is registered in {@code projection.view_tables}. */
    List<String> tables();

    /**
     * Applies new events, already deduplicated and in version order per aggregate, within the
     * batch's transaction. Batch the SQL: one multi-row statement per table is the norm.
     */
    void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException;

    /**
     * Brings the (shadow) tables to their initial state before a rebuild replays the log into
     * them. The runtime creates the shadow tables empty, so the default does nothing; override to
     * seed reference rows.
     */
    default void reset(ProjectionTransaction transaction) throws SQLException {}
}
