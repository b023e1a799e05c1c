package dev.headwater.projector.runtime;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.BatchApplier.HandlerFailed;
import dev.headwater.projector.runtime.BatchApplier.Mode;
import dev.headwater.projector.runtime.BatchApplier.PoisonHalt;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rebuilds one projection into a new generation while the live one keeps serving (docs/adr/0031):
 *
 * <ol>
 *   <li>claim: the rebuild advisory lock (one rebuild per projection across instances), a new
 *       {@code building} generation, empty shadow tables;
 *   <li>note the live checkpoints, then the transaction horizon: every record before those
 *       checkpoints was committed by a transaction below the horizon;
 *   <li>replay the log from Postgres in commit-visibility order into the shadow until the horizon
 *       has passed (so every such transaction is in);
 *   <li>catch up from Kafka from the noted checkpoints, never past the live checkpoints
 *       (duplicates fall away by version);
 *   <li>under the projection's exclusive batch lock (live batches wait), catch up to exactly the
 *       live checkpoints; if both generations have applied the same versions and parked the same
 *       events, compare table checksums and, if equal, swap the tables and make the new
 *       generation live, all in one transaction; if versions still differ (the live projection
 *       has not yet seen what the log replay saw), release and try again until the swap timeout.
 * </ol>
 */
final class RebuildJob implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RebuildJob.class);
    private static final Duration FINAL_CATCH_UP = Duration.ofSeconds(10);

    private final BatchApplier applier;
    private final DataSource dataSource;
    private final KafkaConsumers consumers;
    private final Map<String, String> aggregateTypeByTopic;
    private final ProjectorProperties properties;
    private final Clock clock;
    private final @Nullable ProjectionWorker worker;
    private final Connection lockConnection;
    private final long generation;
    private final Map<TopicPartition, Long> startCheckpoints;
    private final String horizon;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final CloudEventCodec codec = new CloudEventCodec();
    private SharedLogReplay.@Nullable Subscription shared;

    private volatile String phase = "replaying the log";
    private volatile long replayed;
    private volatile long caughtUp;
    private final Map<TopicPartition, Long> shadowCheckpoints = new HashMap<>();

    private RebuildJob(
            BatchApplier applier,
            DataSource dataSource,
            KafkaConsumers consumers,
            Map<String, String> aggregateTypeByTopic,
            ProjectorProperties properties,
            Clock clock,
            @Nullable ProjectionWorker worker,
            Connection lockConnection,
            long generation,
            Map<TopicPartition, Long> startCheckpoints,
            String horizon) {
        this.applier = applier;
        this.dataSource = dataSource;
        this.consumers = consumers;
        this.aggregateTypeByTopic = aggregateTypeByTopic;
        this.properties = properties;
        this.clock = clock;
        this.worker = worker;
        this.lockConnection = lockConnection;
        this.generation = generation;
        this.startCheckpoints = startCheckpoints;
        this.horizon = horizon;
    }

    /** A rebuild cannot start now; the message says why. */
    static final class RebuildRejected extends RuntimeException {
        RebuildRejected(String message) {
            super(message);
        }
    }

    /**
     * Claims the rebuild and prepares the shadow, synchronously, so the caller learns at once
     * whether it started; {@link #run()} does the rest.
     */
    static RebuildJob begin(
            BatchApplier applier,
            DataSource dataSource,
            KafkaConsumers consumers,
            Map<String, String> aggregateTypeByTopic,
            ProjectorProperties properties,
            Clock clock,
            @Nullable ProjectionWorker worker,
            String requestedBy)
            throws SQLException {
        String name = applier.projection().name();
        if (worker != null && worker.state() == WorkerState.HALTED) {
            throw new RebuildRejected("projection " + name + " is halted here: retry or skip the halted event first");
        }
        Connection lock = dataSource.getConnection();
        try {
            lock.setAutoCommit(true);
            if (!GenerationStore.tryRebuildLock(lock, name)) {
                throw new RebuildRejected("a rebuild of " + name + " is already running");
            }
            long generation;
            Instant now = clock.instant();
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                GenerationStore.ensureLive(connection, name, now);
                GenerationStore.abandonBuilding(connection, name, now);
                generation = GenerationStore.startBuilding(connection, name, requestedBy, now);
                try (PreparedStatement prepare = connection.prepareStatement("SELECT projection.prepare_shadow(?)")) {
                    prepare.setString(1, name);
                    prepare.executeQuery().close();
                }
                try (var statement = connection.createStatement()) {
                    statement.execute("SET LOCAL search_path TO projection_shadow");
                }
                applier.projection().reset(new ProjectionTransaction(connection, ProjectionTransaction.Target.SHADOW));
                connection.commit();
                // What an abandoned generation (its instance stopped) or an earlier failed cleanup left.
                connection.setAutoCommit(true);
                try {
                    dropRetiredVersions(connection, name);
                } catch (SQLException e) {
                    log.warn("Rebuild of {}: dropping unused applied versions failed: {}", name, e.toString());
                }
            }
            Map<TopicPartition, Long> start;
            String horizon;
            try (Connection connection = dataSource.getConnection()) {
                long live = GenerationStore.live(connection, name).orElseThrow();
                // Checkpoints first, then the horizon: a record before a checkpoint was committed
                // before the checkpoint was read, so by a transaction below the horizon.
                start = CheckpointStore.fetch(connection, name, live);
                horizon = EventLogReader.horizon(connection);
            }
            log.info("Rebuild of {} into generation {} requested by {} started", name, generation, requestedBy);
            return new RebuildJob(
                    applier,
                    dataSource,
                    consumers,
                    aggregateTypeByTopic,
                    properties,
                    clock,
                    worker,
                    lock,
                    generation,
                    start,
                    horizon);
        } catch (SQLException | RuntimeException e) {
            try {
                GenerationStore.releaseRebuildLock(lock, name);
            } catch (SQLException ignored) {
                // Closing the session releases it anyway.
            }
            lock.close();
            throw e;
        }
    }

    long generation() {
        return generation;
    }

    String phase() {
        return phase;
    }

    long replayed() {
        return replayed;
    }

    long caughtUp() {
        return caughtUp;
    }

    void cancel() {
        cancelled.countDown();
    }

    /**
     * Where this rebuild takes its log events from: a read of the log shared with the rebuilds
     * begun together with it (docs/adr/0036; a lone rebuild is a group of one). Before {@link #run()}.
     */
    SharedLogReplay.Subscription subscribe() {
        SharedLogReplay.Subscription subscription =
                new SharedLogReplay.Subscription(applier.projection().aggregateTypes(), horizon);
        shared = subscription;
        return subscription;
    }

    /** Gives up a rebuild that was begun but will not run (another of a group could not begin). */
    void abandon(String reason) {
        try {
            fail(reason);
        } finally {
            try {
                GenerationStore.releaseRebuildLock(lockConnection, name());
                lockConnection.close();
            } catch (SQLException e) {
                log.debug("Releasing the rebuild lock: {}", e.toString());
            }
        }
    }

    private String name() {
        return applier.projection().name();
    }

    String projectionName() {
        return name();
    }

    @Override
    public void run() {
        Thread.currentThread().setName("rebuild-" + name());
        if (worker != null) {
            worker.rebuilding(true);
        }
        long started = System.nanoTime();
        try {
            replay();
            indexShadow();
            long retired = catchUpAndSwap();
            phase = "done";
            log.info(
                    "Rebuild of {}: generation {} is live ({} events replayed, {} caught up from Kafka, {} ms)",
                    name(),
                    generation,
                    replayed,
                    caughtUp,
                    (System.nanoTime() - started) / 1_000_000);
            cleanUp(retired);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        } catch (Exception e) {
            log.error("Rebuild of {} failed", name(), e);
            fail(BatchApplier.describe(e));
        } finally {
            if (shared != null) {
                shared.leave();
            }
            if (worker != null) {
                worker.rebuilding(false);
            }
            try {
                GenerationStore.releaseRebuildLock(lockConnection, name());
                lockConnection.close();
            } catch (SQLException e) {
                log.debug("Releasing the rebuild lock: {}", e.toString());
            }
        }
    }

    private void replay() throws SQLException, InterruptedException {
        SharedLogReplay.Subscription subscription = shared;
        if (subscription == null) {
            throw new IllegalStateException("the rebuild of " + name() + " was started without a read of the log");
        }
        replayFrom(subscription);
    }

    /**
     * The replay: the log's events of this projection's aggregate types in commit-visibility order,
     * from a read of the log that rebuilds started together share (docs/adr/0036).
     */
    private void replayFrom(SharedLogReplay.Subscription subscription) throws SQLException, InterruptedException {
        ReplayVersions versions = new ReplayVersions(name(), generation, ReplayVersions.FLUSH_AT);
        int pages = 0;
        while (true) {
            checkCancelled();
            SharedLogReplay.Delivery delivery = subscription.poll(100);
            if (delivery == null) {
                continue;
            }
            if (delivery.failure() != null) {
                throw new IllegalStateException(delivery.failure());
            }
            List<EventEnvelope> events = delivery.events();
            if (events == null) {
                flush(versions);
                recordProgress();
                return;
            }
            List<Incoming> items = new ArrayList<>(events.size());
            for (EventEnvelope event : events) {
                items.add(Incoming.replayed(event));
            }
            applyToShadow(items, versions);
            if (versions.full()) {
                flush(versions);
            }
            replayed += items.size();
            if (++pages % 20 == 0) {
                recordProgress();
            }
        }
    }

    /**
     * Builds the shadow tables' secondary indexes now that the replay has filled them: one sorted
     * build per index instead of an index insert per replayed row (docs/adr/0035). Before the
     * catch-up and the swap, so live batches never wait for it under the exclusive batch lock.
     */
    private void indexShadow() throws SQLException {
        phase = "indexing the rebuilt tables";
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            try (PreparedStatement statement = connection.prepareStatement("SELECT projection.index_shadow(?)")) {
                statement.setString(1, name());
                statement.executeQuery().close();
            }
        }
    }

    /**
     * Writes the replay's applied versions held in memory (docs/adr/0037), retrying transient
     * errors: a rolled-back flush leaves them all held. Unlike a page, a flush may be retried after
     * a commit with an unknown outcome: if it did commit, the retry's COPY meets those rows and the
     * rebuild stops, and its upserts write again what is already there.
     */
    private void flush(ReplayVersions versions) throws SQLException, InterruptedException {
        int transientFailures = 0;
        while (true) {
            checkCancelled();
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    try (var statement = connection.createStatement()) {
                        // As for the replay's pages: an interrupted rebuild is abandoned whole.
                        statement.execute("SET LOCAL synchronous_commit TO off");
                    }
                    versions.flush(connection);
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
                versions.flushed();
                return;
            } catch (SQLException e) {
                if (!Transience.isTransient(e)) {
                    throw e;
                }
                pause(++transientFailures);
            }
        }
    }

    /**
     * Applies a chunk to the shadow: retries, isolation, poison policy as live (HALT fails the
     * rebuild). With {@code replayVersions} (pages of the log replay) the applied versions go to
     * memory instead of the table.
     */
    private BatchApplier.Result applyToShadow(List<Incoming> items, @Nullable ReplayVersions replayVersions)
            throws SQLException, InterruptedException {
        int attempt = 0;
        int transientFailures = 0;
        while (true) {
            checkCancelled();
            attempt++;
            Mode mode = attempt > properties.retry().maxAttempts() ? Mode.ISOLATING : Mode.FAST;
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                BatchApplier.Result result;
                try {
                    result = replayVersions == null
                            ? applier.apply(
                                    connection,
                                    BatchApplier.Target.shadow(generation),
                                    items,
                                    shadowCheckpoints,
                                    mode,
                                    attempt - 1)
                            : applier.applyReplayed(connection, items, mode, attempt - 1, replayVersions);
                    if (result.halts()) {
                        connection.rollback();
                        throw new PoisonHalt(items.get(result.haltIndex()), String.valueOf(result.haltReason()));
                    }
                    if (replayVersions == null) {
                        connection.commit();
                    }
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    if (replayVersions != null) {
                        replayVersions.discard();
                    }
                    throw e;
                }
                if (replayVersions != null) {
                    commitReplayPage(connection, items, replayVersions);
                }
                shadowCheckpoints.putAll(result.checkpoints());
                return result;
            } catch (PoisonHalt e) {
                throw new IllegalStateException(
                        "the rebuild met a poison event and the policy is HALT: " + e.getMessage());
            } catch (HandlerFailed e) {
                if (Transience.isTransient(e.getCause())) {
                    attempt--;
                    pause(++transientFailures);
                } else if (attempt < properties.retry().maxAttempts()) {
                    pause(attempt);
                }
            } catch (SQLException e) {
                if (!Transience.isTransient(e)) {
                    throw e;
                }
                attempt--;
                pause(++transientFailures);
            }
        }
    }

    /**
     * Commits a page of the log replay, then takes its staged applied versions into memory. A
     * commit that fails with an error the retry loop would retry (a lost connection above all)
     * may in fact have committed, and this page's applied versions are in memory only, so a retry
     * could not tell its events were applied and would apply them again (docs/adr/0037). The
     * rebuild stops instead, as after a crash: its shadow is discarded and a new request starts
     * over. Other commit errors leave the page rolled back and fail the rebuild as before.
     */
    private void commitReplayPage(Connection connection, List<Incoming> items, ReplayVersions replayVersions)
            throws SQLException {
        try {
            connection.commit();
        } catch (SQLException e) {
            replayVersions.discard();
            if (!Transience.isTransient(e)) {
                connection.rollback();
                throw e;
            }
            // No rollback: the connection is most likely gone, and its error would hide this one.
            throw new IllegalStateException(
                    "the commit of a replay page (" + items.size() + " events from "
                            + items.get(0).aggregate()
                            + " version " + items.get(0).version() + ") failed with " + BatchApplier.describe(e)
                            + ": whether it committed is unknown, and retrying it could apply its events to the"
                            + " shadow twice, so the rebuild stops as after a crash; request the rebuild again",
                    e);
        }
        replayVersions.commit();
    }

    private long catchUpAndSwap() throws SQLException, InterruptedException {
        phase = "catching up from Kafka";
        Instant deadline = clock.instant().plus(properties.rebuild().swapTimeout());
        long lastDifferences = -1;
        try (Consumer<byte[], byte[]> consumer = consumers.unassigned(name())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : aggregateTypeByTopic.keySet()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
            for (TopicPartition partition : partitions) {
                Long start = startCheckpoints.get(partition);
                consumer.seek(partition, start == null ? beginnings.get(partition) : start);
            }
            while (true) {
                checkCancelled();
                Map<TopicPartition, Long> limits = limits(liveCheckpoints(), beginnings);
                follow(consumer, limits, Duration.ofSeconds(2));
                if (caughtUpTo(consumer, limits)) {
                    phase = "comparing with the live generation";
                    SwapOutcome outcome = trySwap(consumer, beginnings);
                    if (outcome.retired() > 0) {
                        return outcome.retired();
                    }
                    lastDifferences = outcome.differences();
                    phase = "waiting for the live projection to reach the replayed events (" + lastDifferences
                            + " aggregates differ)";
                    cancelled.await(200, TimeUnit.MILLISECONDS);
                }
                if (clock.instant().isAfter(deadline)) {
                    throw new IllegalStateException("live and rebuilt generations did not agree within "
                            + properties.rebuild().swapTimeout() + " (" + lastDifferences + " aggregates differ"
                            + " at the last comparison; is the relay publishing and the live projection running?)");
                }
            }
        }
    }

    private record SwapOutcome(long retired, long differences) {}

    /**
     * Under the exclusive batch lock: catch up to exactly the live checkpoints, compare, swap. The
     * shadow keeps being written through other connections meanwhile; they take no batch lock.
     */
    private SwapOutcome trySwap(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> beginnings)
            throws SQLException, InterruptedException {
        try (Connection swap = dataSource.getConnection()) {
            swap.setAutoCommit(false);
            try {
                GenerationStore.lockExclusive(swap, name());
                long live = GenerationStore.live(swap, name()).orElseThrow();
                Map<TopicPartition, Long> frozen = limits(CheckpointStore.fetch(swap, name(), live), beginnings);
                Instant until = clock.instant().plus(FINAL_CATCH_UP);
                while (!caughtUpTo(consumer, frozen)) {
                    if (clock.instant().isAfter(until)) {
                        swap.rollback();
                        return new SwapOutcome(0, -1);
                    }
                    follow(consumer, frozen, Duration.ofMillis(500));
                }
                long differences = ShadowComparison.differences(swap, name(), live, generation);
                if (differences > 0) {
                    swap.rollback();
                    return new SwapOutcome(0, differences);
                }
                List<String> tables = applier.projection().tables();
                Map<String, String> liveSums = ShadowComparison.checksums(swap, "projection", tables);
                Map<String, String> shadowSums = ShadowComparison.checksums(swap, "projection_shadow", tables);
                String checksums = checksumsJson(liveSums, shadowSums);
                if (!liveSums.equals(shadowSums)) {
                    swap.rollback();
                    throw new IllegalStateException("checksums of live and rebuilt tables differ although both applied"
                            + " the same events (is a handler not a pure function of the events?): " + checksums);
                }
                storeShadowCheckpoints(swap, frozen);
                try (PreparedStatement statement = swap.prepareStatement("SELECT projection.swap_shadow(?)")) {
                    statement.setString(1, name());
                    statement.executeQuery().close();
                }
                Instant now = clock.instant();
                long retired = GenerationStore.retireLive(swap, name(), now);
                GenerationStore.finish(
                        swap,
                        name(),
                        generation,
                        Generation.LIVE,
                        "replayed " + replayed + " events from the log, " + caughtUp + " from Kafka",
                        checksums,
                        now);
                GenerationStore.progress(swap, name(), generation, replayed);
                swap.commit();
                return new SwapOutcome(retired, 0);
            } catch (SQLException | RuntimeException e) {
                swap.rollback();
                throw e;
            }
        }
    }

    /** Reads records below each partition's limit into the shadow; holds back the rest. */
    private void follow(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> limits, Duration within)
            throws SQLException, InterruptedException {
        List<TopicPartition> open = new ArrayList<>();
        List<TopicPartition> full = new ArrayList<>();
        for (TopicPartition partition : consumer.assignment()) {
            (consumer.position(partition) < limits.getOrDefault(partition, 0L) ? open : full).add(partition);
        }
        consumer.pause(full);
        consumer.resume(open);
        if (open.isEmpty()) {
            return;
        }
        Instant until = clock.instant().plus(within);
        while (clock.instant().isBefore(until) && !caughtUpTo(consumer, limits)) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
            List<Incoming> items = new ArrayList<>();
            Map<TopicPartition, Long> heldBack = new LinkedHashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (heldBack.containsKey(partition)) {
                    continue;
                }
                if (record.offset() >= limits.getOrDefault(partition, 0L)) {
                    heldBack.put(partition, record.offset());
                    continue;
                }
                items.add(Incoming.fromRecord(record, codec, aggregateTypeByTopic));
            }
            heldBack.forEach((partition, offset) -> {
                consumer.seek(partition, offset);
                consumer.pause(List.of(partition));
            });
            if (!items.isEmpty()) {
                applyToShadow(items, null);
                caughtUp += items.size();
            }
        }
    }

    private static boolean caughtUpTo(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> limits) {
        for (TopicPartition partition : consumer.assignment()) {
            if (consumer.position(partition) < limits.getOrDefault(partition, 0L)) {
                return false;
            }
        }
        return true;
    }

    /** A partition the live generation has no checkpoint for is limited to its beginning: nothing. */
    private static Map<TopicPartition, Long> limits(
            Map<TopicPartition, Long> live, Map<TopicPartition, Long> beginnings) {
        Map<TopicPartition, Long> limits = new HashMap<>(beginnings);
        limits.putAll(live);
        return limits;
    }

    private Map<TopicPartition, Long> liveCheckpoints() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            long live = GenerationStore.live(connection, name()).orElseThrow();
            return CheckpointStore.fetch(connection, name(), live);
        }
    }

    private void storeShadowCheckpoints(Connection connection, Map<TopicPartition, Long> frozen) throws SQLException {
        CheckpointStore.deleteGeneration(connection, name(), generation);
        List<CheckpointStore.Move> moves = new ArrayList<>();
        frozen.forEach((partition, offset) -> moves.add(new CheckpointStore.Move(partition, null, offset)));
        CheckpointStore.store(connection, name(), generation, moves, clock.instant());
    }

    private void recordProgress() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            GenerationStore.progress(connection, name(), generation, replayed);
        }
    }

    private void cleanUp(long retired) {
        phase = "removing generation " + retired;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            dropRetiredVersions(connection);
            CheckpointStore.deleteGeneration(connection, name(), retired);
        } catch (SQLException e) {
            log.warn("Rebuild of {}: removing generation {} failed: {}", name(), retired, e.toString());
        }
        phase = "done";
    }

    /**
     * Drops the applied-version partitions of the projection's retired, failed and abandoned
     * generations (docs/adr/0038), in its own transaction: the drop briefly locks the projection's
     * partition against its live batches. One left behind (the lock not granted in time, a crash)
     * goes with the next rebuild's.
     */
    private static void dropRetiredVersions(Connection autocommit, String projection) throws SQLException {
        int dropped = AppliedVersionStore.dropRetired(autocommit, projection);
        if (dropped > 0) {
            log.info(
                    "Projection {}: dropped the applied versions of {} generations no longer used",
                    projection,
                    dropped);
        }
    }

    private void dropRetiredVersions(Connection autocommit) throws SQLException {
        dropRetiredVersions(autocommit, name());
    }

    private void fail(String reason) {
        phase = "failed: " + reason;
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement statement = connection.prepareStatement("SELECT projection.discard_shadow(?)")) {
                statement.setString(1, name());
                statement.executeQuery().close();
            }
            GenerationStore.finish(connection, name(), generation, Generation.FAILED, reason, null, clock.instant());
            dropRetiredVersions(connection);
            CheckpointStore.deleteGeneration(connection, name(), generation);
        } catch (SQLException e) {
            log.warn("Rebuild of {}: recording the failure failed: {}", name(), e.toString());
        }
    }

    private void checkCancelled() {
        if (cancelled.getCount() == 0) {
            throw new IllegalStateException("cancelled: the service is stopping");
        }
    }

    private void pause(int failures) throws InterruptedException {
        cancelled.await(properties.retry().backoff(failures).toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String checksumsJson(Map<String, String> live, Map<String, String> shadow) {
        Map<String, Map<String, String>> both = new LinkedHashMap<>();
        live.forEach((table, sum) -> {
            Map<String, String> pair = new LinkedHashMap<>();
            pair.put("live", sum);
            pair.put("rebuilt", shadow.getOrDefault(table, "missing"));
            both.put(table, pair);
        });
        return JsonMapper.builder().build().writeValueAsString(both);
    }
}
