package dev.headwater.projector.events;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.MultiRow;
import dev.headwater.projector.runtime.MultiRow.Kind;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What an allocation event changes in the totals of its tenant and node: placed adds its
 * resources and one allocation, released subtracts them (the payload repeats them for that).
 */
public record AllocationChange(String tenantId, String nodeId, Resources resources, int allocations, Instant at) {

    public static AllocationChange of(EventEnvelope event) {
        Resources resources = Payloads.resources(event.payload(), "resources");
        String tenant = Payloads.text(event.payload(), "tenantId");
        String node = Payloads.text(event.payload(), "nodeId");
        return switch (event.eventType()) {
            case ControlPlaneEvents.ALLOCATION_PLACED ->
                new AllocationChange(tenant, node, resources, 1, event.recordedAt());
            case ControlPlaneEvents.ALLOCATION_RELEASED ->
                new AllocationChange(tenant, node, Resources.NONE.minus(resources), -1, event.recordedAt());
            default -> throw new IllegalArgumentException("not an allocation event: " + event.eventType());
        };
    }

    public static boolean isAllocationEvent(EventEnvelope event) {
        return ControlPlaneEvents.ALLOCATION.equals(event.aggregateType());
    }

    /** This change as totals, to be summed per tenant or node. */
    public Totals totals() {
        return new Totals(resources, allocations, at);
    }

    /** Accumulated changes of one batch for one tenant or node; {@code at} is the latest event time. */
    public record Totals(Resources resources, long allocations, Instant at) {

        public Totals plus(Totals other) {
            return new Totals(
                    resources.plus(other.resources),
                    allocations + other.allocations,
                    at.isAfter(other.at) ? at : other.at);
        }
    }

    /** Sums the allocation events among {@code events} per key (the tenant, or the node). */
    public static Map<String, Totals> sum(List<EventEnvelope> events, Function<AllocationChange, String> key) {
        Map<String, Totals> totals = new LinkedHashMap<>();
        for (EventEnvelope event : events) {
            if (isAllocationEvent(event)) {
                AllocationChange change = of(event);
                totals.merge(key.apply(change), change.totals(), Totals::plus);
            }
        }
        return totals;
    }

    /**
     * Adds totals with one statement whose array parameters are, in order: key, cpu, memory,
     * gpus, allocations (text, then bigint) and the latest event time (timestamptz as text).
     */
    public static void write(Connection connection, String sql, Map<String, Totals> totals) throws SQLException {
        MultiRow rows = new MultiRow(Kind.TEXT, Kind.BIGINT, Kind.BIGINT, Kind.BIGINT, Kind.BIGINT, Kind.TEXT);
        totals.forEach((key, t) -> rows.add(
                key,
                t.resources().cpuMillis(),
                t.resources().memoryMib(),
                t.resources().gpus(),
                t.allocations(),
                t.at()));
        rows.execute(connection, sql);
    }
}
