package dev.headwater.projector.runtime;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.DeadLetterStore.NewDeadLetter;
import dev.headwater.projector.runtime.DeadLetterStore.VersionKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Applies one batch of one projection inside the caller's transaction: dedupe by aggregate
 * version, the handler, applied versions, dead letters, checkpoints and the NOTIFY that wakes
 * read-your-writes waiters, all in the same commit. The caller commits or rolls back.
 *
 * <p>{@link Mode#FAST} hands every new event to the handler in one call; if the handler throws,
 * the whole batch fails ({@link HandlerFailed}) and the caller retries. {@link Mode#OPTIMISTIC}
 * does the same without looking up the streams a live batch starts at version 1. {@link Mode#ISOLATING}
 * (after the retries are spent) applies event by event under savepoints to single out the
 * poison events and applies the poison policy to them.
 */
final class BatchApplier {

    /** The channel every batch commit notifies, with the projection name as payload. */
    static final String CHANNEL = "headwater_projection_applied";

    static final String NOTIFY = "SELECT pg_notify('" + CHANNEL + "', ?)";

    /**
     * The opening of a live batch, sent as one pipelined round trip instead of five: the batch
     * lock (shared), the live generation, the search path, whether the projection has any dead
     * letters, and the applied versions of the batch's aggregates. Postgres runs the statements in
     * order and each takes its own snapshot when it starts, so the generation is still read after
     * the lock was granted (in one statement, the snapshot would predate a swap that committed
     * while the lock was awaited). The last two read the generation the worker expects; if the live one is
     * another, the batch stops there ({@link GenerationChanged}) and they are not used.
     */
    static final String OPEN_LIVE = String.join(
            ";\n",
            GenerationStore.LOCK_SHARED,
            GenerationStore.LIVE,
            "SET LOCAL search_path TO " + ProjectionTransaction.Target.LIVE.schema(),
            DeadLetterStore.ANY_STATE,
            AppliedVersionStore.FETCH);

    enum Mode {
        /**
         * As {@link #FAST}, for a live batch's first attempt: the streams whose first event in the
         * batch is version 1 are not looked up (docs/adr/0042). If one of them was applied before (a
         * redelivery), the applied-version insert meets its row, or the handler its rows, and the
         * batch fails with {@link LookupSkipped}; the caller applies it again in {@code FAST} mode.
         */
        OPTIMISTIC,
        FAST,
        ISOLATING
    }

    /** Where a batch goes: the live tables under the live generation, or a rebuild's shadow. */
    record Target(ProjectionTransaction.Target tables, long generation) {

        static Target live(long generation) {
            return new Target(ProjectionTransaction.Target.LIVE, generation);
        }

        static Target shadow(long generation) {
            return new Target(ProjectionTransaction.Target.SHADOW, generation);
        }
    }

    /**
     * What a committed batch did; {@code appliedEvents} were handed to the handler. Under policy
     * HALT a batch with a poison event commits only what precedes it: then {@code haltIndex} is
     * the poison's position in the items (else -1) and {@code haltReason} says why.
     */
    record Result(
            List<EventEnvelope> appliedEvents,
            int advanced,
            int duplicates,
            int parked,
            Map<TopicPartition, Long> checkpoints,
            int haltIndex,
            @Nullable String haltReason) {

        boolean halts() {
            return haltIndex >= 0;
        }
    }

    /** The verdicts for a batch, cut at the first poison event when the policy is HALT. */
    private record Plan(
            List<Step> steps, int haltIndex, @Nullable String haltReason) {}

    private enum Verdict {
        APPLY,
        ADVANCE,
        SKIP,
        SKIP_RECORD,
        DUPLICATE,
        BEHIND,
        POISON
    }

    private static final class Step {
        final Incoming incoming;
        Verdict verdict;

        @Nullable
        String error;

        Step(Incoming incoming, Verdict verdict, @Nullable String error) {
            this.incoming = incoming;
            this.verdict = verdict;
            this.error = error;
        }
    }

    private final Projection projection;
    private final PoisonPolicy policy;
    private final Clock clock;

    BatchApplier(Projection projection, PoisonPolicy policy, Clock clock) {
        this.projection = projection;
        this.policy = policy;
        this.clock = clock;
    }

    Projection projection() {
        return projection;
    }

    PoisonPolicy policy() {
        return policy;
    }

    /**
     * Applies {@code items} (in record order) to {@code target}. {@code checkpoints} holds the
     * stored checkpoint of each partition the items come from (absent: none stored yet).
     */
    Result apply(
            Connection connection,
            Target target,
            List<Incoming> items,
            Map<TopicPartition, Long> checkpoints,
            Mode mode,
            int attempts)
            throws SQLException {
        return apply(connection, target, items, checkpoints, mode, attempts, null);
    }

    /**
     * Applies a page of a rebuild's replay of the log to its shadow generation with the applied
     * versions held in {@code memory} (docs/adr/0037): aggregates it knows are not looked up, and
     * the page's versions are staged there instead of written; the caller commits them to {@code
     * memory} after the transaction commits and flushes them in bulk.
     */
    Result applyReplayed(Connection connection, List<Incoming> items, Mode mode, int attempts, ReplayVersions memory)
            throws SQLException {
        for (Incoming item : items) {
            if (item.partition() != null) {
                throw new IllegalArgumentException("not a record of the log replay: " + item.aggregate()
                        + " from Kafka partition " + item.partition());
            }
        }
        return apply(connection, Target.shadow(memory.generation()), items, Map.of(), mode, attempts, memory);
    }

    private Result apply(
            Connection connection,
            Target target,
            List<Incoming> items,
            Map<TopicPartition, Long> checkpoints,
            Mode mode,
            int attempts,
            @Nullable ReplayVersions memory)
            throws SQLException {
        String name = projection.name();
        Map<AggregateKey, Incoming> firstOf = new LinkedHashMap<>();
        for (Incoming item : items) {
            firstOf.putIfAbsent(item.aggregate(), item);
        }
        Set<AggregateKey> aggregates = firstOf.keySet();
        DeadLetterStore.State deadLetters;
        Map<AggregateKey, Long> applied;
        Set<AggregateKey> notLookedUp = Set.of();
        if (target.tables() == ProjectionTransaction.Target.LIVE) {
            Set<AggregateKey> lookUp = aggregates;
            if (mode == Mode.OPTIMISTIC) {
                lookUp = new LinkedHashSet<>();
                notLookedUp = new HashSet<>();
                for (Map.Entry<AggregateKey, Incoming> entry : firstOf.entrySet()) {
                    Long first = entry.getValue().version();
                    (first != null && first == 1L ? notLookedUp : lookUp).add(entry.getKey());
                }
            }
            LiveStart start = openLive(connection, name, target.generation(), lookUp);
            applied = start.applied();
            if (start.anyDeadLetters()) {
                deadLetters = DeadLetterStore.load(connection, name, target.generation(), aggregates);
                // A skip or a parked event can leave a stream without an applied version before its
                // version 1 is applied: with any dead letter, every stream is looked up.
                applied.putAll(AppliedVersionStore.fetch(connection, name, target.generation(), notLookedUp));
                notLookedUp = Set.of();
            } else {
                deadLetters = DeadLetterStore.State.EMPTY;
            }
        } else {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET LOCAL search_path TO " + target.tables().schema());
                // A rebuild interrupted by a crash is abandoned whole, so its commits need not wait
                // for the WAL flush.
                statement.execute("SET LOCAL synchronous_commit TO off");
            }
            deadLetters = DeadLetterStore.state(connection, name, target.generation(), aggregates);
            Set<AggregateKey> lookUp = toLookUp(target, firstOf, deadLetters);
            if (memory != null) {
                Set<AggregateKey> unknown = new LinkedHashSet<>(lookUp);
                unknown.removeIf(memory::knows);
                lookUp = unknown;
            }
            applied = AppliedVersionStore.fetch(connection, name, target.generation(), lookUp);
        }
        Set<AggregateKey> found = Set.copyOf(applied.keySet());
        if (memory != null) {
            // Exact: what the table would hold had every earlier page written it.
            applied.putAll(memory.versionsOf(aggregates));
        }

        Plan plan = classify(items, applied, deadLetters);
        ProjectionTransaction transaction = new ProjectionTransaction(connection, target.tables());
        if (mode == Mode.ISOLATING) {
            plan = applyOneByOne(plan, transaction);
        } else {
            try {
                applyAll(plan.steps(), transaction);
            } catch (HandlerFailed e) {
                // A transient failure (a deadlock, a lost connection) keeps its back-off; the retry
                // after it looks every stream up anyway.
                if (!notLookedUp.isEmpty() && !Transience.isTransient(e.getCause())) {
                    throw new LookupSkipped(notLookedUp.size(), "the handler threw " + describe(e.getCause()), e);
                }
                throw e;
            }
        }
        List<Step> steps = plan.steps();
        List<Incoming> settled = plan.haltIndex() < 0 ? items : items.subList(0, plan.haltIndex());

        Instant now = clock.instant();
        Map<AggregateKey, Long> versions = new HashMap<>();
        List<NewDeadLetter> newDeadLetters = new ArrayList<>();
        List<EventEnvelope> appliedEvents = new ArrayList<>();
        int advanced = 0;
        int duplicates = 0;
        for (Step step : steps) {
            Incoming in = step.incoming;
            switch (step.verdict) {
                case APPLY, ADVANCE, SKIP -> {
                    versions.merge(in.aggregate(), in.version(), Math::max);
                    advanced++;
                    if (step.verdict == Verdict.APPLY) {
                        appliedEvents.add(in.event());
                    }
                    resolveHalted(connection, deadLetters, in, now);
                }
                case SKIP_RECORD -> advanced++;
                case DUPLICATE -> duplicates++;
                case BEHIND ->
                    newDeadLetters.add(
                            new NewDeadLetter(in, DeadLetter.CAUSE_BEHIND, step.error, 0, DeadLetter.PARKED));
                case POISON ->
                    newDeadLetters.add(new NewDeadLetter(
                            in, DeadLetter.CAUSE_FAILED, step.error, Math.max(attempts, 1), DeadLetter.PARKED));
            }
        }
        // The batch's bookkeeping in one round trip: applied versions of known aggregates, checkpoints
        // and the NOTIFY. New aggregates (COPY) and dead letters, rare at a steady load, follow it.
        Pipeline closing = new Pipeline();
        CopyRows fresh = null;
        if (memory == null) {
            fresh = AppliedVersionStore.stageBatch(closing, name, target.generation(), versions, found);
        } else {
            memory.stage(versions, found);
        }
        Map<TopicPartition, Long> next = nextCheckpoints(settled);
        CheckpointStore.Staged moved =
                CheckpointStore.stage(closing, name, target.generation(), moves(next, checkpoints), now);
        if (target.tables() == ProjectionTransaction.Target.LIVE) {
            closing.add(NOTIFY, name);
        }
        moved.verify(closing.execute(connection));
        if (fresh != null) {
            try {
                AppliedVersionStore.copyFresh(connection, name, target.generation(), fresh);
            } catch (CheckpointStore.CheckpointConflict e) {
                if (!notLookedUp.isEmpty()) {
                    throw new LookupSkipped(
                            notLookedUp.size(), "one of them already has an applied version (a redelivery)", e);
                }
                throw e;
            }
        }
        DeadLetterStore.insert(connection, name, target.generation(), newDeadLetters, now);
        return new Result(
                appliedEvents, advanced, duplicates, newDeadLetters.size(), next, plan.haltIndex(), plan.haltReason());
    }

    /** What {@link #OPEN_LIVE} read. */
    private record LiveStart(boolean anyDeadLetters, Map<AggregateKey, Long> applied) {}

    private static LiveStart openLive(
            Connection connection, String name, long generation, Collection<AggregateKey> aggregates)
            throws SQLException {
        try (AggregateKey.Arrays keys = AggregateKey.Arrays.of(connection, aggregates);
                PreparedStatement statement = connection.prepareStatement(OPEN_LIVE)) {
            int parameter = 1;
            statement.setInt(parameter++, GenerationStore.BATCH_LOCK);
            statement.setString(parameter++, name);
            statement.setString(parameter++, name);
            statement.setString(parameter++, name);
            statement.setLong(parameter++, generation);
            statement.setString(parameter++, name);
            statement.setArray(parameter++, keys.types());
            statement.setArray(parameter++, keys.ids());
            statement.setString(parameter++, name);
            statement.setLong(parameter, generation);
            statement.execute(); // the lock
            long live;
            try (ResultSet rows = nextResult(statement, "the live generation")) {
                if (!rows.next()) {
                    throw new IllegalStateException("projection " + name + " has no live generation");
                }
                live = rows.getLong(1);
            }
            if (live != generation) {
                throw new GenerationChanged(name, generation, live);
            }
            statement.getMoreResults(); // the search path
            boolean any;
            try (ResultSet rows = nextResult(statement, "the dead-letter probe")) {
                rows.next();
                any = rows.getBoolean(1);
            }
            try (ResultSet rows = nextResult(statement, "the applied versions")) {
                return new LiveStart(any, AppliedVersionStore.read(rows));
            }
        }
    }

    private static ResultSet nextResult(PreparedStatement statement, String what) throws SQLException {
        ResultSet rows = statement.getMoreResults() ? statement.getResultSet() : null;
        if (rows == null) {
            throw new IllegalStateException("opening a live batch returned no rows for " + what);
        }
        return rows;
    }

    /**
     * The aggregates whose applied version must be read. All of them, except during a rebuild's
     * replay of the log: there an aggregate whose first event in the page is version 1 cannot have
     * an applied version yet, and its lookup is skipped. Why that is exact:
     *
     * <ul>
     *   <li>the shadow generation is new and only this rebuild writes it (the rebuild lock; live
     *       batches write the live generation), so a row for the aggregate exists only if an
     *       earlier page of this replay applied, advanced or skipped one of its events;
     *   <li>the replay reads every row of the log once (keyset pages over a unique order), and the
     *       log holds each version of an aggregate once and never a version n without version n - 1
     *       (its unique constraint on the stream and version, and the contiguity trigger of
     *       docs/adr/0003);
     *   <li>without a dead letter of the aggregate, an event is applied or advanced only as
     *       {@code applied + 1}, so before version 1 nothing of the aggregate was; an operator's
     *       skip or a parked event can break that chain, so an aggregate with any dead letter is
     *       looked up as before.
     * </ul>
     *
     * If the premise were ever broken, the version would be written by a plain insert and fail on
     * the existing row ({@link AppliedVersionStore#storeBatch}): the rebuild stops, it never applies
     * an event twice. Live batches and the rebuild's catch-up from Kafka (records with a partition)
     * always look up: Kafka may deliver version 1 again.
     */
    private static Set<AggregateKey> toLookUp(
            Target target, Map<AggregateKey, Incoming> firstOf, DeadLetterStore.State deadLetters) {
        if (target.tables() != ProjectionTransaction.Target.SHADOW) {
            return firstOf.keySet();
        }
        Set<AggregateKey> lookUp = new LinkedHashSet<>();
        firstOf.forEach((aggregate, first) -> {
            boolean replayedFromVersionOne = first.partition() == null
                    && first.version() != null
                    && first.version() == 1L
                    && !deadLetters.concerns(aggregate);
            if (!replayedFromVersionOne) {
                lookUp.add(aggregate);
            }
        });
        return lookUp;
    }

    private Plan classify(List<Incoming> items, Map<AggregateKey, Long> applied, DeadLetterStore.State state) {
        Map<AggregateKey, Long> current = new HashMap<>(applied);
        Map<AggregateKey, Long> parkedUpTo = new HashMap<>(state.parkedUpTo());
        List<Step> steps = new ArrayList<>(items.size());
        for (int index = 0; index < items.size(); index++) {
            Incoming in = items.get(index);
            AggregateKey aggregate = in.aggregate();
            long effective = Math.max(current.getOrDefault(aggregate, 0L), parkedUpTo.getOrDefault(aggregate, 0L));
            Long version = in.version();
            if (in.partition() != null
                    && state.skippedRecords()
                            .contains(new DeadLetterStore.RecordKey(
                                    in.partition().topic(), in.partition().partition(), in.offset()))) {
                steps.add(new Step(in, Verdict.SKIP_RECORD, null));
                continue;
            }
            if (version != null && version <= effective) {
                steps.add(new Step(in, Verdict.DUPLICATE, null));
                continue;
            }
            if (parkedUpTo.containsKey(aggregate)) {
                parkedUpTo.put(aggregate, version == null ? effective : version);
                steps.add(new Step(
                        in,
                        Verdict.BEHIND,
                        "parked behind an earlier event of " + aggregate + " that could not be applied"));
                continue;
            }
            if (version != null && state.skipped().contains(new VersionKey(aggregate, version))) {
                // An operator skipped this version: it counts as applied without effect, gap or not.
                current.put(aggregate, version);
                steps.add(new Step(in, Verdict.SKIP, null));
                continue;
            }
            String poison = null;
            if (in.decodeError() != null) {
                poison = "record does not follow the contract: " + in.decodeError();
            } else if (version != effective + 1) {
                poison = "version gap: " + aggregate + " is at version " + effective + ", the next event has version "
                        + version;
            }
            if (poison != null) {
                if (policy == PoisonPolicy.HALT) {
                    return new Plan(steps, index, poison);
                }
                parkedUpTo.put(aggregate, version == null ? effective : version);
                steps.add(new Step(in, Verdict.POISON, poison));
                continue;
            }
            current.put(aggregate, version);
            if (projection.handles(in.eventType())) {
                steps.add(new Step(in, Verdict.APPLY, null));
            } else {
                steps.add(new Step(in, Verdict.ADVANCE, null));
            }
        }
        return new Plan(steps, -1, null);
    }

    private void applyAll(List<Step> steps, ProjectionTransaction transaction) {
        List<EventEnvelope> events = new ArrayList<>();
        for (Step step : steps) {
            if (step.verdict == Verdict.APPLY) {
                events.add(step.incoming.event());
            }
        }
        if (events.isEmpty()) {
            return;
        }
        try {
            projection.apply(events, transaction);
        } catch (SQLException | RuntimeException e) {
            throw new HandlerFailed(projection.name(), e);
        }
    }

    /**
     * Applies the events one by one under savepoints. A failing event is parked (PARK), or ends
     * the batch there (HALT): returns a plan cut at it, else the plan as it was.
     */
    private Plan applyOneByOne(Plan plan, ProjectionTransaction transaction) throws SQLException {
        List<Step> steps = plan.steps();
        Connection connection = transaction.connection();
        Map<AggregateKey, Long> failed = new LinkedHashMap<>();
        for (int index = 0; index < steps.size(); index++) {
            Step step = steps.get(index);
            AggregateKey aggregate = step.incoming.aggregate();
            boolean moves =
                    step.verdict == Verdict.APPLY || step.verdict == Verdict.ADVANCE || step.verdict == Verdict.SKIP;
            if (moves && failed.containsKey(aggregate)) {
                step.verdict = Verdict.BEHIND;
                step.error = "parked behind version " + failed.get(aggregate) + " of " + aggregate
                        + ", which could not be applied";
                continue;
            }
            if (step.verdict != Verdict.APPLY) {
                continue;
            }
            Savepoint savepoint = connection.setSavepoint();
            try {
                projection.apply(List.of(step.incoming.event()), transaction);
                connection.releaseSavepoint(savepoint);
            } catch (SQLException | RuntimeException e) {
                connection.rollback(savepoint);
                if (e instanceof SQLException sql && Transience.isTransient(sql)) {
                    throw sql;
                }
                String error = describe(e);
                if (policy == PoisonPolicy.HALT) {
                    return new Plan(steps.subList(0, index), index, error);
                }
                step.verdict = Verdict.POISON;
                step.error = error;
                failed.put(aggregate, step.incoming.version());
            }
        }
        return plan;
    }

    private static void resolveHalted(Connection connection, DeadLetterStore.State state, Incoming in, Instant now)
            throws SQLException {
        if (state.halted().isEmpty() || in.version() == null) {
            return;
        }
        DeadLetterStore.HaltedRow row = state.halted().get(new VersionKey(in.aggregate(), in.version()));
        if (row != null) {
            DeadLetterStore.resolve(
                    connection,
                    row.id(),
                    DeadLetter.APPLIED,
                    row.requestedBy(),
                    row.requestedNote() == null ? "applied on retry" : row.requestedNote(),
                    now);
        }
    }

    private static Map<TopicPartition, Long> nextCheckpoints(List<Incoming> items) {
        Map<TopicPartition, Long> next = new HashMap<>();
        for (Incoming item : items) {
            if (item.partition() != null) {
                next.merge(item.partition(), item.offset() + 1, Math::max);
            }
        }
        return next;
    }

    private static List<CheckpointStore.Move> moves(Map<TopicPartition, Long> next, Map<TopicPartition, Long> known) {
        List<CheckpointStore.Move> moves = new ArrayList<>(next.size());
        next.forEach(
                (partition, offset) -> moves.add(new CheckpointStore.Move(partition, known.get(partition), offset)));
        return moves;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** The live generation is not the one the caller applies to: a rebuild swapped. */
    static final class GenerationChanged extends RuntimeException {
        final long live;

        GenerationChanged(String projection, long expected, long live) {
            super("projection " + projection + " is at generation " + live + ", not " + expected);
            this.live = live;
        }
    }

    /** The handler threw while applying the batch as a whole. */
    static final class HandlerFailed extends RuntimeException {
        HandlerFailed(String projection, Throwable cause) {
            super("projection " + projection + " failed to apply a batch: " + describe(cause), cause);
        }
    }

    /**
     * A batch applied in {@link Mode#OPTIMISTIC} mode failed while some of its streams were not
     * looked up: one of them may have been applied before. Nothing of the batch may be committed;
     * apply it again in {@link Mode#FAST} mode, which looks every stream up.
     */
    static final class LookupSkipped extends RuntimeException {
        LookupSkipped(int streams, String what, Throwable cause) {
            super(
                    "a first attempt that took " + streams + " streams starting at version 1 as new failed: " + what,
                    cause);
        }
    }

    /** A poison event under policy HALT: the projection stops here. */
    static final class PoisonHalt extends RuntimeException {
        final transient Incoming incoming;
        final String reason;

        PoisonHalt(Incoming incoming, String reason) {
            super("halted at " + incoming.aggregate() + " version " + incoming.version() + ": " + reason);
            this.incoming = incoming;
            this.reason = reason;
        }
    }

    static Set<AggregateKey> aggregatesOf(List<Incoming> items) {
        Set<AggregateKey> keys = new HashSet<>();
        items.forEach(item -> keys.add(item.aggregate()));
        return keys;
    }
}
