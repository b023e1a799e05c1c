package dev.headwater.projector.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The applied versions of a rebuild's shadow generation while it replays the log, kept in memory
 * and written in bulk instead of by every page (docs/adr/0037). Exact because only this replay
 * writes the generation's applied versions (the rebuild lock; live batches write the live
 * generation), so what it has applied since its last {@link #flush} is all the table lacks.
 *
 * <p>A page's versions are {@link #stage staged} inside its transaction and {@link #commit
 * committed} here only after that transaction committed (a rolled-back page leaves no trace).
 * Once {@link #full()} and at the end of the replay the caller {@link #flush flushes}: the first
 * flush loads a new, unindexed table that becomes the generation's partition (docs/adr/0038);
 * later ones write one {@code COPY} for aggregates the table has no row for, an upsert for the few
 * it has (those a page looked up after an earlier flush). The replay's last flush runs even when
 * nothing is held, so the generation has its partition before the catch-up from Kafka writes it.
 * A crash between a page's commit and the flush loses nothing that counts: an interrupted rebuild
 * is abandoned whole and its shadow is never served.
 */
final class ReplayVersions {

    /**
     * Aggregates held before a flush: bounds the memory of one rebuild (about 200 bytes an
     * aggregate) while keeping the writes few.
     */
    static final int FLUSH_AT = 100_000;

    private final String projection;
    private final long generation;
    private final int flushAt;
    /** In log order: the COPY then inserts in about the order the primary key sorts them. */
    private final Map<AggregateKey, Long> pending = new LinkedHashMap<>();
    /** Pending aggregates the table already has a row for (a lookup found it). */
    private final Set<AggregateKey> inTable = new HashSet<>();

    private Map<AggregateKey, Long> staged = Map.of();
    private Set<AggregateKey> stagedFound = Set.of();

    ReplayVersions(String projection, long generation, int flushAt) {
        if (flushAt < 1) {
            throw new IllegalArgumentException("flushAt must be at least 1, got " + flushAt);
        }
        this.projection = projection;
        this.generation = generation;
        this.flushAt = flushAt;
    }

    long generation() {
        return generation;
    }

    /** Whether the applied version of {@code aggregate} is known here (the table may lack it). */
    boolean knows(AggregateKey aggregate) {
        return pending.containsKey(aggregate);
    }

    /** The applied versions known here of those of {@code aggregates} this holds. */
    Map<AggregateKey, Long> versionsOf(Collection<AggregateKey> aggregates) {
        Map<AggregateKey, Long> known = new HashMap<>();
        for (AggregateKey aggregate : aggregates) {
            Long version = pending.get(aggregate);
            if (version != null) {
                known.put(aggregate, version);
            }
        }
        return known;
    }

    /**
     * A page's new applied versions, and which of its aggregates a lookup found in the table;
     * replaces what an earlier, rolled-back attempt staged.
     */
    void stage(Map<AggregateKey, Long> versions, Set<AggregateKey> found) {
        staged = Map.copyOf(versions);
        stagedFound = Set.copyOf(found);
    }

    /** The page whose versions were staged last has committed. */
    void commit() {
        pending.putAll(staged);
        for (AggregateKey aggregate : stagedFound) {
            if (staged.containsKey(aggregate)) {
                inTable.add(aggregate);
            }
        }
        discard();
    }

    /** The page whose versions were staged last rolled back. */
    void discard() {
        staged = Map.of();
        stagedFound = Set.of();
    }

    int size() {
        return pending.size();
    }

    boolean full() {
        return pending.size() >= flushAt;
    }

    /**
     * Writes what is held, in the caller's transaction; forgets it once the caller says the
     * transaction committed ({@link #flushed()}). The first flush finds the generation without a
     * partition and loads everything into a new table, indexed and attached afterwards
     * (docs/adr/0038); later flushes write through the partitioned table. A row the COPY meets, or
     * a table the first flush finds, means the premise broke (another writer of the generation, or
     * a version 1 replayed twice) or the retry of a flush whose commit failed but happened: the
     * rebuild must stop.
     */
    void flush(Connection connection) throws SQLException {
        try {
            if (!AppliedVersionStore.partitioned(connection, projection, generation)) {
                if (!inTable.isEmpty()) {
                    throw new IllegalStateException("applied versions of " + projection + " (generation " + generation
                            + ") were found by a lookup although the generation has no partition");
                }
                AppliedVersionStore.load(connection, projection, generation, pending);
                return;
            }
            Map<AggregateKey, Long> fresh = new LinkedHashMap<>();
            Map<AggregateKey, Long> known = new HashMap<>();
            pending.forEach(
                    (aggregate, version) -> (inTable.contains(aggregate) ? known : fresh).put(aggregate, version));
            AppliedVersionStore.store(connection, projection, generation, known);
            AppliedVersionStore.copyNew(connection, projection, generation, fresh);
        } catch (SQLException e) {
            if (AppliedVersionStore.UNIQUE_VIOLATION.equals(e.getSQLState())
                    || AppliedVersionStore.DUPLICATE_TABLE.equals(e.getSQLState())) {
                throw new IllegalStateException(
                        "applied versions of " + projection + " (generation " + generation
                                + ") were written by another writer during the replay, or the replay applied"
                                + " a version twice, or an earlier attempt of this flush whose commit failed had"
                                + " in fact committed: the rebuild stops rather than count an event twice",
                        e);
            }
            throw e;
        }
    }

    /** The transaction of the last {@link #flush} committed. */
    void flushed() {
        pending.clear();
        inTable.clear();
    }
}
