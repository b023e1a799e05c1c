package dev.headwater.command.idempotency;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;

/**
 * Deletes expired idempotency keys every {@code cleanup-interval}, in batches. A failed run (the
 * database away, say) is transient: it is logged and the next run tries again. States: NEW →
 * RUNNING → STOPPED; stopping waits for a run in progress to finish.
 */
public final class IdempotencyKeyCleanup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyCleanup.class);
    private static final long STOP_TIMEOUT_SECONDS = 10;

    enum State {
        NEW,
        RUNNING,
        STOPPED
    }

    private final IdempotencyStore store;
    private final IdempotencyProperties properties;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private volatile State state = State.NEW;

    IdempotencyKeyCleanup(IdempotencyStore store, IdempotencyProperties properties, Clock clock) {
        this.store = store;
        this.properties = properties;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "idempotency-key-cleanup");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("the cleanup job starts once; it is " + state);
        }
        long interval = properties.cleanupInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::runOnce, interval, interval, TimeUnit.MILLISECONDS);
        state = State.RUNNING;
    }

    /** One cleanup run: deletes batches until a batch comes back short. Returns the number deleted. */
    public int runOnce() {
        int total = 0;
        try {
            int deleted;
            do {
                deleted = store.deleteExpired(clock.instant(), properties.cleanupBatchSize());
                total += deleted;
            } while (deleted == properties.cleanupBatchSize()
                    && !Thread.currentThread().isInterrupted());
            if (total > 0) {
                log.info("Deleted {} expired idempotency keys", total);
            }
        } catch (DataAccessException e) {
            log.warn("Deleting expired idempotency keys failed, the next run tries again: {}", e.getMessage());
        }
        return total;
    }

    @Override
    public synchronized void stop() {
        if (state != State.RUNNING) {
            return;
        }
        state = State.STOPPED;
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return state == State.RUNNING;
    }
}
