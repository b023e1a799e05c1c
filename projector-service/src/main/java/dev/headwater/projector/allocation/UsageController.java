package dev.headwater.projector.allocation;

import dev.headwater.projector.events.Resources;
import dev.headwater.projector.web.QueryParameters;
import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.problem.ApiProblem;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/tenants/{id}/usage?from=&to=}: resource-seconds per UTC hour. Released
 * allocations come from the billing view; allocations still running are added up to now (so a
 * current hour grows between calls), and {@code running} says how many there were.
 */
@RestController
class UsageController {

    static final Duration MAX_SPAN = Duration.ofDays(31);

    static final String RELEASED = """
            SELECT hour, cpu_millicore_seconds, memory_mib_seconds, gpu_seconds
              FROM projection.billing_usage
             WHERE tenant_id = ? AND hour >= ? AND hour < ?
            """;

    static final String RUNNING = """
            SELECT placed_at, cpu_millis, memory_mib, gpus
              FROM projection.allocations
             WHERE tenant_id = ? AND status = 'active' AND placed_at < ?
            """;

    record HourUsage(
            Instant hour, BigDecimal cpuMillicoreSeconds, BigDecimal memoryMibSeconds, BigDecimal gpuSeconds) {}

    record TenantUsage(
            String tenantId,
            Instant from,
            Instant to,
            List<HourUsage> hours,
            BigDecimal cpuMillicoreSeconds,
            BigDecimal memoryMibSeconds,
            BigDecimal gpuSeconds,
            int running) {}

    private final JdbcClient jdbc;
    private final Clock clock;

    UsageController(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @GetMapping("/v1/tenants/{id}/usage")
    TenantUsage usage(
            ApiPrincipal principal,
            @PathVariable String id,
            @RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to) {
        Access.requireRead(principal, id);
        Instant start = QueryParameters.requiredInstant("from", from).truncatedTo(ChronoUnit.HOURS);
        Instant end = ceilHour(QueryParameters.requiredInstant("to", to));
        if (!start.isBefore(end)) {
            throw ApiProblem.badRequest("to", "to must be after from");
        }
        if (Duration.between(start, end).compareTo(MAX_SPAN) > 0) {
            throw ApiProblem.badRequest("to", "at most " + MAX_SPAN.toDays() + " days per request");
        }
        Map<Instant, Billing.Usage> hours = new TreeMap<>();
        jdbc.sql(RELEASED)
                .params(id, Timestamp.from(start), Timestamp.from(end))
                .query(rows -> {
                    hours.merge(
                            rows.getTimestamp(1).toInstant(),
                            new Billing.Usage(rows.getBigDecimal(2), rows.getBigDecimal(3), rows.getBigDecimal(4)),
                            Billing.Usage::plus);
                });
        Instant now = clock.instant();
        Instant runningUntil = now.isBefore(end) ? now : end;
        int[] running = {0};
        jdbc.sql(RUNNING).params(id, Timestamp.from(runningUntil)).query(rows -> {
            Instant placed = rows.getTimestamp(1).toInstant();
            Instant begin = placed.isAfter(start) ? placed : start;
            Resources resources = new Resources(rows.getLong(2), rows.getLong(3), rows.getLong(4));
            Billing.addTo(hours, begin, runningUntil, resources);
            running[0]++;
        });
        List<HourUsage> list = new ArrayList<>();
        Billing.Usage total = Billing.Usage.ZERO;
        for (Map.Entry<Instant, Billing.Usage> entry : hours.entrySet()) {
            Billing.Usage u = entry.getValue();
            list.add(new HourUsage(entry.getKey(), u.cpuMillicoreSeconds(), u.memoryMibSeconds(), u.gpuSeconds()));
            total = total.plus(u);
        }
        return new TenantUsage(
                id,
                start,
                end,
                list,
                total.cpuMillicoreSeconds(),
                total.memoryMibSeconds(),
                total.gpuSeconds(),
                running[0]);
    }

    private static Instant ceilHour(Instant instant) {
        Instant hour = instant.truncatedTo(ChronoUnit.HOURS);
        return hour.equals(instant) ? hour : hour.plus(1, ChronoUnit.HOURS);
    }
}
