package dev.headwater.projector.runtime;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.projector.runtime.BatchApplier.GenerationChanged;
import dev.headwater.projector.runtime.BatchApplier.HandlerFailed;
import dev.headwater.projector.runtime.BatchApplier.LookupSkipped;
import dev.headwater.projector.runtime.BatchApplier.Mode;
import dev.headwater.projector.runtime.CheckpointStore.CheckpointConflict;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop of one projection on this instance: an explicit state machine
 * (STARTING → RUNNING ⇄ REBUILDING, RUNNING ⇄ HALTED, → STOPPING → STOPPED) on a thread of its
 * own. Each polled batch is one Postgres transaction ({@link BatchApplier}); partitions are sought
 * to the checkpoints in Postgres on assignment, so Kafka's committed offsets (written after each
 * commit for tooling) never decide where to read.
 */
final class ProjectionWorker implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ProjectionWorker.class);

    private final BatchApplier applier;
    private final DataSource dataSource;
    private final Supplier<Consumer<byte[], byte[]>> consumerFactory;
    private final Map<String, String> aggregateTypeByTopic;
    private final ProjectorProperties properties;
    private final ProjectionMetrics metrics;
    private final List<CommitHook> commitHooks;
    private final Clock clock;
    private final GroupOffsetMirror groupOffsets;
    private final CloudEventCodec codec = new CloudEventCodec();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile WorkerState state = WorkerState.STARTING;
    private volatile boolean stopRequested;
    private volatile boolean rebuilding;
    private volatile @Nullable String haltReason;
    private volatile @Nullable Long haltedDeadLetter;
    private volatile @Nullable String lastError;
    private volatile long generation;
    private final Map<TopicPartition, PartitionProgress> progress = new ConcurrentHashMap<>();

    // Owned by the worker thread.
    private @Nullable Consumer<byte[], byte[]> consumer;
    private final Map<TopicPartition, Long> checkpoints = new HashMap<>();
    private @Nullable List<Incoming> held;

    ProjectionWorker(
            BatchApplier applier,
            DataSource dataSource,
            Supplier<Consumer<byte[], byte[]>> consumerFactory,
            Map<String, String> aggregateTypeByTopic,
            ProjectorProperties properties,
            ProjectionMetrics metrics,
            List<CommitHook> commitHooks,
            Clock clock) {
        this.applier = applier;
        this.dataSource = dataSource;
        this.consumerFactory = consumerFactory;
        this.aggregateTypeByTopic = Map.copyOf(aggregateTypeByTopic);
        this.properties = properties;
        this.metrics = metrics;
        this.commitHooks = List.copyOf(commitHooks);
        this.clock = clock;
        this.groupOffsets = new GroupOffsetMirror(clock, GroupOffsetMirror.INTERVAL);
    }

    /** Kafka progress of one assigned partition, as the admin API and the lag gauge show it. */
    record PartitionProgress(long checkpoint, long endOffset) {
        long lag() {
            return Math.max(0, endOffset - checkpoint);
        }
    }

    String name() {
        return applier.projection().name();
    }

    WorkerState state() {
        return state;
    }

    @Nullable
    String haltReason() {
        return haltReason;
    }

    @Nullable
    Long haltedDeadLetter() {
        return haltedDeadLetter;
    }

    @Nullable
    String lastError() {
        return lastError;
    }

    long generation() {
        return generation;
    }

    Map<TopicPartition, PartitionProgress> progress() {
        return Map.copyOf(progress);
    }

    /** Marks that this instance builds a new generation; the loop keeps applying live batches. */
    void rebuilding(boolean active) {
        rebuilding = active;
        if (state == WorkerState.RUNNING || state == WorkerState.REBUILDING) {
            transition(active ? WorkerState.REBUILDING : WorkerState.RUNNING);
        }
    }

    /** Asks the loop to stop after the batch in hand; returns without waiting. */
    void requestStop() {
        stopRequested = true;
        stopSignal.countDown();
        Consumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
        }
    }

    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        Thread.currentThread().setName("projector-" + name());
        boolean crashed = false;
        try {
            start();
            while (!stopRequested) {
                if (state == WorkerState.HALTED) {
                    whileHalted();
                } else {
                    pollAndApply();
                }
            }
        } catch (WakeupException e) {
            // requestStop() woke the consumer: a normal way out of poll().
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            crashed = true;
            log.error("Projection {} worker died: {}", name(), e.toString());
        } catch (RuntimeException e) {
            log.error("Projection {} worker failed and stops", name(), e);
            lastError = BatchApplier.describe(e);
        } finally {
            shutDown(crashed);
        }
    }

    private void start() throws InterruptedException {
        generation = withRetries("reading the live generation", connection -> {
            long live = GenerationStore.ensureLive(connection, name(), clock.instant());
            connection.commit();
            return live;
        });
        Consumer<byte[], byte[]> created = consumerFactory.get();
        consumer = created;
        created.subscribe(aggregateTypeByTopic.keySet(), new Rebalance());
        transition(rebuilding ? WorkerState.REBUILDING : WorkerState.RUNNING);
        log.info(
                "Projection {} consuming {} at generation {} ({} policy)",
                name(),
                aggregateTypeByTopic.keySet(),
                generation,
                applier.policy());
    }

    private void pollAndApply() throws InterruptedException {
        Consumer<byte[], byte[]> consumer = requireConsumer();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(properties.pollTimeout());
        if (!records.isEmpty()) {
            List<Incoming> batch = new ArrayList<>(records.count());
            for (ConsumerRecord<byte[], byte[]> record : records) {
                batch.add(Incoming.fromRecord(record, codec, aggregateTypeByTopic));
            }
            process(batch);
        }
        refreshProgress();
    }

    /** Applies one batch: retries, then the poison policy. Returns when the batch is settled. */
    private void process(List<Incoming> batch) throws InterruptedException {
        int attempt = 0;
        int transientFailures = 0;
        // The first attempt does not look up streams that start at version 1 in the batch (ADR 0042).
        boolean optimistic = true;
        while (!stopRequested) {
            attempt++;
            Mode mode = attempt > properties.retry().maxAttempts()
                    ? Mode.ISOLATING
                    : optimistic ? Mode.OPTIMISTIC : Mode.FAST;
            optimistic = false;
            long started = System.nanoTime();
            try {
                BatchApplier.Result result = applyInTransaction(batch, mode, attempt - 1);
                checkpoints.putAll(result.checkpoints());
                lastError = null;
                metrics.batchCommitted(result, Duration.ofNanos(System.nanoTime() - started), clock.instant());
                commitToKafka(result.checkpoints());
                if (result.halts()) {
                    // What preceded the poison event is committed; the rest waits with it.
                    List<Incoming> rest = new ArrayList<>(batch.subList(result.haltIndex(), batch.size()));
                    halt(rest, rest.get(0), String.valueOf(result.haltReason()), Math.max(attempt - 1, 1));
                }
                return;
            } catch (GenerationChanged e) {
                log.info("Projection {}: {}; seeking to the new generation's checkpoints", name(), e.getMessage());
                generation = e.live;
                seekToCheckpoints(requireConsumer().assignment());
                return;
            } catch (LookupSkipped e) {
                // Rolled back whole: a redelivered version 1, or a handler failure the next attempt may meet again.
                log.info(
                        "Projection {}: {}; applying the batch again with every stream looked up",
                        name(),
                        e.getMessage());
                metrics.batchRedone();
                attempt--;
            } catch (CheckpointConflict e) {
                log.warn("Projection {}: {}; seeking to the stored checkpoints", name(), e.getMessage());
                seekToCheckpoints(requireConsumer().assignment());
                return;
            } catch (HandlerFailed e) {
                lastError = e.getMessage();
                if (Transience.isTransient(e.getCause())) {
                    attempt--;
                    pause(++transientFailures, e);
                } else if (attempt < properties.retry().maxAttempts()) {
                    log.warn("Projection {}: attempt {} failed: {}", name(), attempt, e.getMessage());
                    pause(attempt, null);
                } else {
                    log.warn("Projection {}: retries spent, isolating the failing events", name());
                }
            } catch (SQLException e) {
                // Not the handler: the database or the runtime's own statements. Not tied to an
                // event, so no poison policy applies; retried at the capped pace until it works.
                attempt--;
                lastError = BatchApplier.describe(e);
                pause(++transientFailures, e);
            }
        }
    }

    private BatchApplier.Result applyInTransaction(List<Incoming> batch, Mode mode, int attempts) throws SQLException {
        Connection connection = dataSource.getConnection();
        boolean crashed = false;
        try {
            connection.setAutoCommit(false);
            try {
                BatchApplier.Result result = applier.apply(
                        connection, BatchApplier.Target.live(generation), batch, checkpoints, mode, attempts);
                for (CommitHook hook : commitHooks) {
                    hook.beforeCommit(name(), connection, result.appliedEvents().size());
                }
                connection.commit();
                return result;
            } catch (Error e) {
                crashed = true;
                connection.abort(Runnable::run);
                throw e;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        } finally {
            if (!crashed) {
                connection.close();
            }
        }
    }

    /** Policy HALT: records the event as halted, pauses every partition and holds the batch. */
    private void halt(List<Incoming> batch, Incoming poison, String reason, int attempts) throws InterruptedException {
        long id = withRetries("recording the halted event", connection -> {
            long row = DeadLetterStore.recordHalted(
                    connection, name(), generation, poison, reason, attempts, clock.instant());
            connection.commit();
            return row;
        });
        held = batch;
        haltedDeadLetter = id;
        haltReason = "halted at " + poison.aggregate() + " version " + poison.version() + " (dead letter " + id + "): "
                + reason;
        Consumer<byte[], byte[]> consumer = requireConsumer();
        consumer.pause(consumer.assignment());
        transition(WorkerState.HALTED);
        metrics.halted(true);
        log.error("Projection {} {}", name(), haltReason);
    }

    /** While halted: keep the group membership, and carry out an operator's retry or skip. */
    private void whileHalted() throws InterruptedException {
        Consumer<byte[], byte[]> consumer = requireConsumer();
        consumer.poll(properties.pollTimeout());
        refreshProgress();
        List<Incoming> batch = held;
        Long id = haltedDeadLetter;
        if (batch == null || id == null) {
            resume();
            return;
        }
        Optional<DeadLetter> row = withRetries("reading the halted event", connection -> {
            Optional<DeadLetter> found = DeadLetterStore.find(connection, id);
            connection.commit();
            return found;
        });
        DeadLetter letter = row.orElse(null);
        boolean settled = letter == null || !letter.open();
        if (!settled && letter.requestedAction() == null) {
            return;
        }
        if (!settled && "skip".equals(letter.requestedAction())) {
            withRetries("recording the skip", connection -> {
                DeadLetterStore.resolve(
                        connection,
                        id,
                        DeadLetter.SKIPPED,
                        letter.requestedBy(),
                        letter.requestedNote(),
                        clock.instant());
                connection.commit();
                return null;
            });
            log.warn("Projection {}: {} skipped dead letter {}", name(), letter.requestedBy(), id);
        }
        log.info("Projection {}: retrying the halted batch", name());
        resume();
        process(batch);
    }

    private void resume() {
        held = null;
        haltedDeadLetter = null;
        haltReason = null;
        metrics.halted(false);
        Consumer<byte[], byte[]> consumer = requireConsumer();
        consumer.resume(consumer.assignment());
        transition(rebuilding ? WorkerState.REBUILDING : WorkerState.RUNNING);
    }

    private void seekToCheckpoints(Collection<TopicPartition> partitions) throws InterruptedException {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> stored = withRetries("reading checkpoints", connection -> {
            long live = GenerationStore.ensureLive(connection, name(), clock.instant());
            generation = live;
            Map<TopicPartition, Long> found = CheckpointStore.fetch(connection, name(), live);
            connection.commit();
            return found;
        });
        Consumer<byte[], byte[]> consumer = requireConsumer();
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Long next = stored.get(partition);
            if (next == null) {
                checkpoints.remove(partition);
                fromStart.add(partition);
            } else {
                checkpoints.put(partition, next);
                consumer.seek(partition, next);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
        log.info("Projection {}: positioned {} partitions at their checkpoints", name(), partitions.size());
    }

    private void commitToKafka(Map<TopicPartition, Long> next) {
        Consumer<byte[], byte[]> consumer = requireConsumer();
        Map<TopicPartition, OffsetAndMetadata> offsets = groupOffsets.committed(next, consumer.assignment());
        if (offsets.isEmpty()) {
            return;
        }
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error != null) {
                log.debug("Projection {}: informational offset commit failed: {}", name(), error.toString());
            }
        });
    }

    private void refreshProgress() {
        Consumer<byte[], byte[]> consumer = requireConsumer();
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(partition);
            Long checkpoint = checkpoints.get(partition);
            long base = checkpoint == null ? 0 : checkpoint;
            if (lag.isPresent()) {
                long position;
                try {
                    position = consumer.position(partition, Duration.ZERO);
                } catch (RuntimeException e) {
                    continue;
                }
                progress.put(partition, new PartitionProgress(base, position + lag.getAsLong()));
            } else if (checkpoint != null) {
                PartitionProgress previous = progress.get(partition);
                progress.put(
                        partition,
                        new PartitionProgress(base, previous == null ? base : Math.max(base, previous.endOffset())));
            }
        }
        progress.keySet().retainAll(consumer.assignment());
        metrics.progress(progress);
    }

    private void pause(int failures, @Nullable Exception cause) throws InterruptedException {
        Duration wait = properties.retry().backoff(failures);
        if (cause != null) {
            log.warn("Projection {}: {} (retry in {} ms)", name(), BatchApplier.describe(cause), wait.toMillis());
        }
        stopSignal.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void shutDown(boolean crashed) {
        transition(WorkerState.STOPPING);
        Consumer<byte[], byte[]> current = consumer;
        if (current != null) {
            try {
                current.close(crashed ? Duration.ZERO : Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.debug("Projection {}: closing the consumer: {}", name(), e.toString());
            }
        }
        consumer = null;
        progress.clear();
        metrics.progress(Map.of());
        transition(WorkerState.STOPPED);
        stopped.countDown();
        log.info("Projection {} worker stopped{}", name(), crashed ? " abruptly" : "");
    }

    private void transition(WorkerState next) {
        WorkerState previous = state;
        if (previous == next || previous == WorkerState.STOPPED) {
            return;
        }
        boolean allowed = switch (next) {
            case STARTING -> false;
            case RUNNING, REBUILDING, HALTED -> previous != WorkerState.STOPPING;
            case STOPPING -> true;
            case STOPPED -> previous == WorkerState.STOPPING;
        };
        if (!allowed) {
            throw new IllegalStateException(
                    "projection " + name() + ": no transition from " + previous + " to " + next);
        }
        state = next;
        metrics.state(next);
    }

    private Consumer<byte[], byte[]> requireConsumer() {
        Consumer<byte[], byte[]> current = consumer;
        if (current == null) {
            throw new IllegalStateException("projection " + name() + " has no consumer");
        }
        return current;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs a small transaction of the runtime's own, retrying transient failures until stopped. */
    private <T> T withRetries(String what, Work<T> work) throws InterruptedException {
        int failures = 0;
        while (true) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    return work.run(connection);
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(connection);
                    throw e;
                }
            } catch (SQLException e) {
                lastError = what + ": " + BatchApplier.describe(e);
                if (stopRequested) {
                    throw new IllegalStateException("stopped while " + what, e);
                }
                pause(++failures, e);
            }
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.debug("Rollback failed: {}", e.toString());
        }
    }

    /** Seeks newly assigned partitions to their checkpoints; forgets revoked ones. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            try {
                seekToCheckpoints(partitions);
                if (state == WorkerState.HALTED) {
                    requireConsumer().pause(partitions);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException();
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            Set<TopicPartition> gone = new HashSet<>(partitions);
            partitions.forEach(checkpoints::remove);
            partitions.forEach(progress::remove);
            groupOffsets.forget(partitions);
            List<Incoming> batch = held;
            if (batch != null && batch.stream().anyMatch(in -> gone.contains(in.partition()))) {
                // Another instance owns the poison event now and will meet it there.
                log.info("Projection {}: partitions of the halted batch were revoked; resuming", name());
                held = null;
                haltedDeadLetter = null;
            }
        }
    }
}
