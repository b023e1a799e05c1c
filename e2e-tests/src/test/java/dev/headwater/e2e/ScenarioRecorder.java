package dev.headwater.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.e2e.check.Checker;
import dev.headwater.e2e.check.Checker.Report;
import dev.headwater.e2e.harness.Platform;
import dev.headwater.e2e.harness.Service;
import dev.headwater.e2e.load.LoadDriver.LoadRun;
import dev.headwater.e2e.load.LoadStats;
import dev.headwater.e2e.report.ScenarioResult;
import dev.headwater.e2e.report.SummaryTable;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bookkeeping around one scenario: what the platform looked like before (anomalies already
 * known, repeated records, events, kills), and at the end the wait for convergence, the check, the
 * summary row and the assertions every scenario makes: nothing lost, nothing applied twice, nothing
 * reordered, no stale read, no 500, and repeated records only where a crash explains them.
 */
final class ScenarioRecorder {

    private static final Logger log = LoggerFactory.getLogger(ScenarioRecorder.class);

    /** The check as the previous scenario left it. */
    record Baseline(Set<String> anomalies, long duplicates, int events) {
        static Baseline of(Report report) {
            return new Baseline(report.anomalies().all(), report.duplicates(), report.events());
        }
    }

    private final String name;
    private final Platform platform;
    private final Checker checker;
    private final SummaryTable summary;
    private final AtomicReference<Baseline> baseline;
    private final Baseline before;
    private final int killsBefore;
    private final long started = System.nanoTime();
    private int extraFaults;

    /** @param baseline the check the previous scenario left; replaced by this one's when it finishes */
    ScenarioRecorder(
            String name, Platform platform, Checker checker, SummaryTable summary, AtomicReference<Baseline> baseline) {
        this.name = name;
        this.platform = platform;
        this.checker = checker;
        this.summary = summary;
        this.baseline = baseline;
        this.before = baseline.get();
        this.killsBefore = kills(platform);
        log.info("=== Scenario {} ===", name);
    }

    /** Counts a fault that is not a service kill (a broker or Postgres stopped). */
    void fault() {
        extraFaults++;
    }

    /**
     * Waits for convergence after the load stopped and the faults healed, checks, records the row
     * and asserts.
     *
     * @param resendsAllowed whether the scenario crashed something that may re-send records
     */
    void finish(LoadRun run, String faults, boolean resendsAllowed) {
        long healed = System.nanoTime();
        Report report = checker.awaitConvergence(healed, platform.settings().convergeTimeout());
        LoadStats stats = run.stats();
        List<String> fresh = report.anomalies().newSince(before.anomalies());
        long duplicates = report.duplicates() - before.duplicates();
        ScenarioResult result = new ScenarioResult(
                name,
                stats.acknowledged(),
                stats.rejected(),
                report.events() - before.events(),
                faults,
                kills(platform) - killsBefore + extraFaults,
                duplicates,
                fresh.size() + stats.anomalyCount(),
                stats.rywFresh(),
                stats.rywUnavailable(),
                stats.rywStale(),
                report.converged(),
                Duration.ofNanos(System.nanoTime() - started));
        summary.add(result);
        // The next scenario counts from here, whether or not this one passes.
        baseline.set(Baseline.of(report));
        log.info("Scenario {}: {}\nLoad: {}\n{}", name, result, stats, summary.render());
        assertThat(stats.anomalies())
                .as("what the clients saw in %s (500s, stale reads, unexpected refusals)", name)
                .isEmpty();
        assertThat(fresh)
                .as("anomalies %s added; all now: %s", name, report.anomalies().describe(10))
                .isEmpty();
        assertThat(report.converged())
                .as("%s converged within %s", name, platform.settings().convergeTimeout())
                .isNotNull();
        if (!resendsAllowed) {
            assertThat(duplicates)
                    .as("records %s repeated on the topics, though nothing that publishes crashed", name)
                    .isZero();
        }
    }

    private static int kills(Platform platform) {
        return platform.services().stream().mapToInt(Service::kills).sum();
    }
}
