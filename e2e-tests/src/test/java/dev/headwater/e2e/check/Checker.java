package dev.headwater.e2e.check;

import static org.awaitility.Awaitility.await;

import dev.headwater.contract.TopicNaming;
import dev.headwater.e2e.check.Rows.Table;
import dev.headwater.e2e.load.Ledger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks one database and its topics: reads the log (the truth), every record of the topics, the
 * views, the projections' bookkeeping and, where given, the ledger of acknowledged commands and the
 * command service's write-side state, and reports every disagreement.
 */
public final class Checker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checker.class);

    /** The result of one check. */
    public record Report(
            int events,
            long kafkaRecords,
            long duplicates,
            Anomalies anomalies,
            @Nullable Duration converged) {}

    private final DataSource database;
    private final TopicTail topics;
    private final TopicNaming naming;
    private final @Nullable Ledger ledger;
    private final boolean writeSide;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param database a superuser login to the database to check
     * @param ledger the acknowledged commands to hold the log against, or null (a restored copy)
     * @param writeSide whether to compare the command service's write-side tables too
     */
    public Checker(
            DataSource database,
            String bootstrapServers,
            String topicPrefix,
            @Nullable Ledger ledger,
            boolean writeSide) {
        this.database = database;
        this.topics = new TopicTail(bootstrapServers, topicPrefix);
        this.naming = TopicNaming.prefixed(topicPrefix);
        this.ledger = ledger;
        this.writeSide = writeSide;
    }

    /** Runs every check once, as things are now. */
    public Report check() {
        long started = System.nanoTime();
        Anomalies anomalies = new Anomalies();
        List<LoggedEvent> events = EventLog.read(database, json);
        topics.catchUp(Duration.ofMinutes(2));
        KafkaAudit.Result kafka = KafkaAudit.audit(events, topics.records(), naming, anomalies);
        ReferenceState reference = ReferenceState.of(events);
        compare(reference.views(), "view", anomalies);
        if (writeSide) {
            compare(reference.writeSide(), "write-side", anomalies);
        }
        Bookkeeping.checkAppliedVersions(database, reference.latestVersions(), anomalies);
        Bookkeeping.checkDeadLetters(database, anomalies);
        if (ledger != null) {
            Bookkeeping.checkLedger(events, ledger, anomalies);
        }
        log.info(
                "Checked {} events, {} records ({} repeated) in {} ms: {}",
                events.size(),
                kafka.records(),
                kafka.duplicates(),
                (System.nanoTime() - started) / 1_000_000,
                anomalies.isEmpty() ? "no anomalies" : anomalies.counts());
        return new Report(events.size(), kafka.records(), kafka.duplicates(), anomalies, null);
    }

    /**
     * Waits until the views have applied every stream's latest version and the topics hold at least
     * as many records as the log has events, then checks; while anomalies remain and time is left,
     * checks again (something may still be on its way).
     *
     * @param since when the last fault was healed and the load stopped: time to converge counts from here
     */
    public Report awaitConvergence(long since, Duration timeout) {
        long deadline = since + timeout.toNanos();
        AtomicReference<Report> last = new AtomicReference<>();
        try {
            await("the views and topics catch up with the log")
                    .atMost(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions()
                    .until(this::caughtUp);
            long caughtUp = System.nanoTime();
            await("a check without anomalies")
                    .atMost(Duration.ofNanos(Math.max(Duration.ofSeconds(20).toNanos(), deadline - caughtUp)))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        Report report = check();
                        last.set(report);
                        return report.anomalies().isEmpty();
                    });
            Report clean = last.get();
            return new Report(
                    clean.events(),
                    clean.kafkaRecords(),
                    clean.duplicates(),
                    clean.anomalies(),
                    Duration.ofNanos(caughtUp - since));
        } catch (ConditionTimeoutException e) {
            Report report = last.get() != null ? last.get() : check();
            log.warn("Not converged within {}: {}", timeout, report.anomalies().describe(5));
            return report;
        }
    }

    private boolean caughtUp() {
        if (Bookkeeping.laggingStreams(database) > 0) {
            return false;
        }
        return topics.endOffsetSum(Duration.ofSeconds(10)) >= eventCount();
    }

    private long eventCount() {
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM event_log.events")) {
            result.next();
            return result.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Counting events failed: " + e.getMessage(), e);
        }
    }

    /** Order-independent checksums of the view tables (row count and sum of row hashes). */
    public Map<String, String> viewChecksums() {
        return Tables.checksums(database);
    }

    private void compare(Map<Table, Rows> expected, String prefix, Anomalies anomalies) {
        expected.forEach((table, rows) -> rows.compareWith(Tables.read(database, table, json), prefix, anomalies));
    }

    @Override
    public void close() {
        topics.close();
    }
}
