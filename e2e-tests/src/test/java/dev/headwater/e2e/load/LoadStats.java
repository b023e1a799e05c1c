package dev.headwater.e2e.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one load run saw: commands by outcome, every HTTP status the command API answered, and the
 * read-your-writes checks. Answers that break a promise (a 500, a stale read) are kept verbatim as
 * anomalies.
 */
public final class LoadStats {

    private static final int KEPT_EXAMPLES = 50;

    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final Map<String, AtomicLong> commandStatuses = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> rejections = new ConcurrentHashMap<>();
    private final AtomicLong rywFresh = new AtomicLong();
    private final AtomicLong rywUnavailable = new AtomicLong();
    private final AtomicLong rywSkipped = new AtomicLong();
    private final AtomicLong rywStale = new AtomicLong();
    private final List<String> anomalies = new ArrayList<>();
    private long anomalyCount;
    private final List<Long> latencies = new ArrayList<>();

    void acknowledged(int eventCount, boolean wasReplay) {
        acknowledged.incrementAndGet();
        events.addAndGet(eventCount);
        if (wasReplay) {
            replayed.incrementAndGet();
        }
    }

    void rejected(int status, String type) {
        rejected.incrementAndGet();
        rejections.computeIfAbsent(status + " " + type, k -> new AtomicLong()).incrementAndGet();
    }

    /** Every answer of the command API (or the transport error instead of one). */
    void commandAnswer(String statusOrError) {
        commandStatuses.computeIfAbsent(statusOrError, k -> new AtomicLong()).incrementAndGet();
    }

    /** From the first send of a command to its definite answer, retries included. */
    synchronized void latency(long nanos) {
        latencies.add(nanos);
    }

    /** The {@code percentile} (0-100) of command latencies, in milliseconds. */
    public synchronized long latencyMillis(double percentile) {
        if (latencies.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(latencies);
        sorted.sort(null);
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(percentile / 100 * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1_000_000;
    }

    void retried() {
        retries.incrementAndGet();
    }

    void fresh() {
        rywFresh.incrementAndGet();
    }

    /** The query API answered 503 (or no instance answered): allowed, it did not claim to be fresh. */
    void unavailable() {
        rywUnavailable.incrementAndGet();
    }

    /** A command whose effect no view shows (a generic stream): no token to check. */
    void nothingToCheck() {
        rywSkipped.incrementAndGet();
    }

    void stale(String description) {
        rywStale.incrementAndGet();
        anomaly("read-your-writes: " + description);
    }

    synchronized void anomaly(String description) {
        anomalyCount++;
        if (anomalies.size() < KEPT_EXAMPLES) {
            anomalies.add(description);
        }
    }

    /** Adds another run's read-your-writes checks to these (a total over several runs). */
    public void addReadsOf(LoadStats other) {
        rywFresh.addAndGet(other.rywFresh());
        rywUnavailable.addAndGet(other.rywUnavailable());
        rywStale.addAndGet(other.rywStale());
        rywSkipped.addAndGet(other.rywSkipped());
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    public long rejected() {
        return rejected.get();
    }

    /** Commands whose first answer was lost and that a retry with the same key answered from the record. */
    public long replayed() {
        return replayed.get();
    }

    public long events() {
        return events.get();
    }

    public long retries() {
        return retries.get();
    }

    public long rywChecks() {
        return rywFresh.get() + rywUnavailable.get() + rywStale.get();
    }

    public long rywFresh() {
        return rywFresh.get();
    }

    public long rywUnavailable() {
        return rywUnavailable.get();
    }

    public long rywStale() {
        return rywStale.get();
    }

    public long rywSkipped() {
        return rywSkipped.get();
    }

    public long count(String statusOrError) {
        AtomicLong value = commandStatuses.get(statusOrError);
        return value == null ? 0 : value.get();
    }

    public Map<String, Long> commandStatuses() {
        Map<String, Long> copy = new TreeMap<>();
        commandStatuses.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    public Map<String, Long> rejections() {
        Map<String, Long> copy = new TreeMap<>();
        rejections.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    public synchronized long anomalyCount() {
        return anomalyCount;
    }

    public synchronized List<String> anomalies() {
        return List.copyOf(anomalies);
    }

    @Override
    public String toString() {
        return "acknowledged " + acknowledged() + " (replayed " + replayed() + "), rejected " + rejected() + " "
                + rejections() + ", events " + events() + ", retries " + retries() + ", answers " + commandStatuses()
                + ", read-your-writes fresh " + rywFresh() + " / 503 " + rywUnavailable() + " / stale " + rywStale()
                + ", latency p50 " + latencyMillis(50) + " ms / p99 " + latencyMillis(99) + " ms / max "
                + latencyMillis(100) + " ms, anomalies " + anomalyCount();
    }
}
