package dev.headwater.projector.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Read-your-writes waits. One connection LISTENs on the channel every live batch commit notifies
 * ({@link BatchApplier#CHANNEL}); each notification wakes the waiters, which re-check their
 * condition in Postgres. No waiter polls: between notifications it sleeps on a condition, bounded
 * by its timeout. A lost listening connection wakes everyone (they re-check) and is re-opened.
 */
public final class AppliedNotifications implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AppliedNotifications.class);
    private static final int RECEIVE_TIMEOUT_MS = 1_000;

    private final DataSource dataSource;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long sequence;
    private volatile boolean running;
    private volatile boolean listening;
    private Thread listener = new Thread(() -> {});

    public AppliedNotifications(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Waits until each of {@code projections} has applied at least {@code version} of the
     * aggregate in its live generation; false when the timeout passed first.
     */
    public boolean await(
            List<String> projections, String aggregateType, String aggregateId, long version, Duration timeout)
            throws SQLException, InterruptedException {
        if (projections.isEmpty()) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = sequence();
            if (reached(projections, aggregateType, aggregateId, version)) {
                return true;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            lock.lock();
            try {
                while (sequence == seen && remaining > 0) {
                    remaining = changed.awaitNanos(remaining);
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** True while the listening connection is up. */
    public boolean listening() {
        return listening;
    }

    private boolean reached(List<String> projections, String aggregateType, String aggregateId, long version)
            throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return AppliedVersionStore.countReached(connection, projections, aggregateType, aggregateId, version)
                    >= projections.size();
        }
    }

    private long sequence() {
        lock.lock();
        try {
            return sequence;
        } finally {
            lock.unlock();
        }
    }

    private void wakeAll() {
        lock.lock();
        try {
            sequence++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void listen() {
        int failures = 0;
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + BatchApplier.CHANNEL);
                }
                PGConnection postgres = connection.unwrap(PGConnection.class);
                listening = true;
                failures = 0;
                // Anything committed before LISTEN took effect is visible to the waiters' next check.
                wakeAll();
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications(RECEIVE_TIMEOUT_MS);
                    if (notifications != null && notifications.length > 0) {
                        wakeAll();
                    }
                }
                try (Statement statement = connection.createStatement()) {
                    statement.execute("UNLISTEN *");
                }
            } catch (SQLException e) {
                listening = false;
                wakeAll();
                if (!running) {
                    return;
                }
                long wait = Math.min(5_000, 100L << Math.min(++failures, 6));
                log.warn("Listening for applied batches failed: {} (again in {} ms)", e.toString(), wait);
                try {
                    TimeUnit.MILLISECONDS.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } finally {
                listening = false;
            }
        }
    }

    @Override
    public void start() {
        running = true;
        listener = new Thread(this::listen, "projector-applied-listener");
        listener.setDaemon(true);
        listener.start();
    }

    @Override
    public void stop() {
        running = false;
        listener.interrupt();
        try {
            listener.join(Duration.ofSeconds(3).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wakeAll();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
