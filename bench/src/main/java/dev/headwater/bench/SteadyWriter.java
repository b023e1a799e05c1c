package dev.headwater.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * A steady load on the log for the latency figures: {@code TenantQuotaSet} events on 50 tenants of
 * its own, one event per transaction, paced to a fixed rate by four connections (one could not
 * commit 1,000 times a second with fsync on). It notes when each commit returned, by event id and by
 * (tenant, version), for the readers that measure what follows.
 */
final class SteadyWriter implements AutoCloseable {

    static final int TENANTS = 50;
    private static final int THREADS = 4;

    private static final String CREATE_TENANTS = """
            INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                          event_type, schema_version, payload, metadata)
            SELECT gen_random_uuid(), 'lat-' || t, 'tenant', 'lat-' || t, 1, 'TenantCreated', 1,
                   '{"name":"Latency tenant","quota":{"cpuMillis":1000,"memoryMib":1024,"gpus":0}}',
                   '{"actor":"token:bench"}'
              FROM generate_series(1, 50) AS t
            """;

    private static final String APPEND = """
            INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                          event_type, schema_version, payload, metadata)
            VALUES (?, ?, 'tenant', ?, ?, 'TenantQuotaSet', 1, ?::jsonb,
                    '{"actor":"token:bench","commandId":"9b2f7c1e-3c1a-4d55-9a65-0e2f3b7c9d11"}')
            """;

    private final DataSource app;
    private final int eventsPerSecond;
    private final Map<String, Long> committedById = new ConcurrentHashMap<>();
    private final Map<String, Long> committedByVersion = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
    private volatile String failure = "";

    SteadyWriter(DataSource app, int eventsPerSecond) {
        this.app = app;
        this.eventsPerSecond = eventsPerSecond;
    }

    static void createTenants(BenchStack stack) {
        stack.execute(BenchStack.DATABASE, CREATE_TENANTS);
    }

    /** Starts writing; the versions go on from where an earlier run of this writer stopped. */
    void start() {
        running = true;
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Thread worker = new Thread(() -> write(thread), "steady-writer-" + t);
            threads.add(worker);
            worker.start();
        }
    }

    private final long[] versions = initialVersions();

    private static long[] initialVersions() {
        long[] versions = new long[TENANTS + 1];
        java.util.Arrays.fill(versions, 1);
        return versions;
    }

    private void write(int thread) {
        long period = TimeUnit.SECONDS.toNanos(1) * THREADS / eventsPerSecond;
        long next = System.nanoTime();
        int turn = 0;
        try (Connection connection = app.getConnection();
                PreparedStatement append = connection.prepareStatement(APPEND)) {
            connection.setAutoCommit(true);
            while (running) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                next += period;
                // Each thread owns the tenants t with t % THREADS == thread, so versions never race.
                int tenant = thread + 1 + THREADS * (turn++ % (TENANTS / THREADS));
                long version = versions[tenant] + 1;
                String id = UUID.randomUUID().toString();
                append.setObject(1, UUID.fromString(id));
                append.setString(2, "lat-" + tenant);
                append.setString(3, "lat-" + tenant);
                append.setLong(4, version);
                append.setString(
                        5, "{\"quota\":{\"cpuMillis\":" + (1000 + version) + ",\"memoryMib\":1024,\"gpus\":0}}");
                append.executeUpdate();
                long committed = System.nanoTime();
                versions[tenant] = version;
                committedById.put(id, committed);
                committedByVersion.put("lat-" + tenant + "/" + version, committed);
                written.incrementAndGet();
            }
        } catch (SQLException e) {
            failure = e.getMessage();
            running = false;
        }
    }

    /** When the commit of this event returned (System.nanoTime), or null if not written here. */
    Long committedAt(String eventId) {
        return committedById.remove(eventId);
    }

    Long committedAt(String tenant, long version) {
        return committedByVersion.remove(tenant + "/" + version);
    }

    long written() {
        return written.get();
    }

    void requireHealthy() {
        if (!failure.isEmpty()) {
            throw new IllegalStateException("The steady writer failed: " + failure);
        }
    }

    /** Stops writing; {@link #start()} may resume. */
    void pause() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        threads.clear();
        requireHealthy();
    }

    @Override
    public void close() {
        pause();
    }
}
