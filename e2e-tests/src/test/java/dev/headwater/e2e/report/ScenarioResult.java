package dev.headwater.e2e.report;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One row of the summary table.
 *
 * @param commands commands the command API acknowledged during the scenario
 * @param rejected commands it refused (quota, capacity, a node still in use: the domain saying no)
 * @param events events the scenario added to the log
 * @param faults what was done to the platform, in words ({@code 10 SIGKILLs of the relay})
 * @param kills processes killed or stopped
 * @param duplicates records the scenario added to the topics that repeat an event already there
 * @param anomalies anomalies the scenario added (lost, doubled, reordered, stale, 500s ...)
 * @param converged from the end of load and faults until the views matched the log; null if never
 */
public record ScenarioResult(
        String scenario,
        long commands,
        long rejected,
        long events,
        String faults,
        int kills,
        long duplicates,
        long anomalies,
        long rywFresh,
        long rywUnavailable,
        long rywStale,
        @Nullable Duration converged,
        Duration took) {}
