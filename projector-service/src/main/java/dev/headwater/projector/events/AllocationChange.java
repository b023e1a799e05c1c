package dev.headwater.projector.events;

import dev.headwater.contract.EventEnvelope;
import java.time.Instant;

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
}
