package dev.headwater.cdc.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Concurrent writers appending to shared streams, as concurrent commands would: each transaction
 * appends one to three events to a random aggregate at its next version; a writer that loses the
 * race for a version (unique key or contiguity trigger) rolls back and tries again.
 */
public final class Writers {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String CHECK_VIOLATION = "23514";

    private final DataSource app;
    private final String aggregateType;
    private final int aggregates;
    private final ConcurrentLinkedQueue<UUID> appended = new ConcurrentLinkedQueue<>();

    public Writers(DataSource app, String aggregateType, int aggregates) {
        this.app = app;
        this.aggregateType = aggregateType;
        this.aggregates = aggregates;
    }

    /** Appends {@code total} events with {@code writers} threads; returns when all are committed. */
    public List<UUID> append(int writers, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> running = new ArrayList<>();
            int share = total / writers;
            for (int w = 0; w < writers; w++) {
                int quota = w == writers - 1 ? total - share * (writers - 1) : share;
                running.add(pool.submit(() -> {
                    write(quota);
                    return null;
                }));
            }
            for (Future<?> writer : running) {
                writer.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        return List.copyOf(appended);
    }

    public List<UUID> appended() {
        return List.copyOf(appended);
    }

    private void write(int quota) throws SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection connection = app.getConnection()) {
            connection.setAutoCommit(false);
            int written = 0;
            while (written < quota) {
                String aggregateId = aggregateType + "-" + random.nextInt(aggregates);
                int events = Math.min(quota - written, 1 + random.nextInt(3));
                List<UUID> ids = new ArrayList<>(events);
                try {
                    for (int i = 0; i < events; i++) {
                        ids.add(EventLog.append(connection, aggregateType, aggregateId));
                    }
                    connection.commit();
                    appended.addAll(ids);
                    written += events;
                } catch (SQLException e) {
                    connection.rollback();
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState()) && !CHECK_VIOLATION.equals(e.getSQLState())) {
                        throw e;
                    }
                }
            }
        }
    }
}
