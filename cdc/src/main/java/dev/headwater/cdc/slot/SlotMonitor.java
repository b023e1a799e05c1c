package dev.headwater.cdc.slot;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the slot: how much WAL it holds back from recycling, and whether it is active. Every
 * instance samples (a standby too), so the alarm on retained WAL works whoever leads.
 */
public final class SlotMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlotMonitor.class);

    static final String SAMPLE = """
            SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, active, wal_status
              FROM pg_replication_slots
             WHERE slot_name = ? AND database = current_database()""";

    /** One observation; {@code retainedWalBytes} is -1 when the slot does not exist (yet). */
    public record Sample(
            Instant at,
            boolean exists,
            long retainedWalBytes,
            boolean active,
            @Nullable String walStatus) {}

    private final DataSource dataSource;
    private final String slotName;
    private final Clock clock;
    private final LongConsumer retainedWalBytes;
    private final AtomicReference<@Nullable Sample> last = new AtomicReference<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "cdc-slot-monitor");
        thread.setDaemon(true);
        return thread;
    });

    public SlotMonitor(DataSource dataSource, String slotName, Clock clock, LongConsumer retainedWalBytes) {
        this.dataSource = dataSource;
        this.slotName = slotName;
        this.clock = clock;
        this.retainedWalBytes = retainedWalBytes;
    }

    public void start(Duration interval) {
        scheduler.scheduleWithFixedDelay(this::sampleQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Optional<Sample> last() {
        return Optional.ofNullable(last.get());
    }

    /** Takes a sample now. */
    public Sample sample() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(SAMPLE)) {
            statement.setString(1, slotName);
            try (ResultSet rows = statement.executeQuery()) {
                Sample sample = rows.next()
                        ? new Sample(clock.instant(), true, rows.getLong(1), rows.getBoolean(2), rows.getString(3))
                        : new Sample(clock.instant(), false, -1, false, null);
                last.set(sample);
                retainedWalBytes.accept(sample.retainedWalBytes());
                return sample;
            }
        }
    }

    private void sampleQuietly() {
        try {
            Sample sample = sample();
            if ("lost".equals(sample.walStatus())) {
                log.error(
                        "Replication slot {} is lost (its WAL was removed, max_slot_wal_keep_size exceeded):"
                                + " events may be missing downstream; see the README's section on a lost slot",
                        slotName);
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("Sampling replication slot {} failed: {}", slotName, e.getMessage());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
