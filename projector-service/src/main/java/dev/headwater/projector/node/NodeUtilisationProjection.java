package dev.headwater.projector.node;

import static dev.headwater.projector.events.ControlPlaneEvents.*;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.events.AllocationChange;
import dev.headwater.projector.events.Payloads;
import dev.headwater.projector.events.StatusPatch;
import dev.headwater.projector.runtime.Projection;
import dev.headwater.projector.runtime.ProjectionTransaction;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Projection {@code node-utilisation}: one row per node. Node events fold per node into a patch;
 * allocation events into allocated deltas, which commute with the node's own events.
 */
@Component
class NodeUtilisationProjection implements Projection {

    static final String NAME = "node-utilisation";

    static final String PATCH = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
                                            ?::bigint[], ?::timestamptz[], ?::timestamptz[], ?::bigint[])
                         AS k(node_id, status, reason, labels, cpu, memory, gpus, registered_at, updated_at, version))
            INSERT INTO node_utilisation AS n (node_id, status, cordon_reason, labels, capacity_cpu_millis,
                   capacity_memory_mib, capacity_gpus, registered_at, updated_at, node_version)
            SELECT node_id, status, reason, labels::jsonb, cpu, memory, gpus, registered_at, updated_at, version FROM k
            ON CONFLICT (node_id) DO UPDATE SET
                status = coalesce(excluded.status, n.status),
                cordon_reason = CASE WHEN excluded.status IS NULL THEN n.cordon_reason ELSE excluded.cordon_reason END,
                labels = coalesce(excluded.labels, n.labels),
                capacity_cpu_millis = coalesce(excluded.capacity_cpu_millis, n.capacity_cpu_millis),
                capacity_memory_mib = coalesce(excluded.capacity_memory_mib, n.capacity_memory_mib),
                capacity_gpus = coalesce(excluded.capacity_gpus, n.capacity_gpus),
                registered_at = coalesce(n.registered_at, excluded.registered_at),
                updated_at = greatest(n.updated_at, excluded.updated_at),
                node_version = greatest(n.node_version, excluded.node_version)
            """;

    static final String ALLOCATED = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
                                            ?::timestamptz[])
                         AS k(node_id, cpu, memory, gpus, allocations, updated_at))
            INSERT INTO node_utilisation AS n (node_id, allocated_cpu_millis, allocated_memory_mib, allocated_gpus,
                   active_allocations, updated_at)
            SELECT node_id, cpu, memory, gpus, allocations, updated_at FROM k
            ON CONFLICT (node_id) DO UPDATE SET
                allocated_cpu_millis = n.allocated_cpu_millis + excluded.allocated_cpu_millis,
                allocated_memory_mib = n.allocated_memory_mib + excluded.allocated_memory_mib,
                allocated_gpus = n.allocated_gpus + excluded.allocated_gpus,
                active_allocations = n.active_allocations + excluded.active_allocations,
                updated_at = greatest(n.updated_at, excluded.updated_at)
            """;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aggregateTypes() {
        return Set.of(NODE, ALLOCATION);
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(NODE_REGISTERED, NODE_CORDONED, NODE_REMOVED, ALLOCATION_PLACED, ALLOCATION_RELEASED);
    }

    @Override
    public List<String> tables() {
        return List.of("node_utilisation");
    }

    @Override
    public void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException {
        StatusPatch.write(
                transaction.connection(), PATCH, StatusPatch.fold(events, NODE, NodeUtilisationProjection::fold));
        AllocationChange.write(
                transaction.connection(), ALLOCATED, AllocationChange.sum(events, AllocationChange::nodeId));
    }

    /** A node's own events: detail is its labels (JSON), resources its capacity. */
    private static void fold(EventEnvelope event, StatusPatch patch) {
        switch (event.eventType()) {
            case NODE_REGISTERED -> {
                patch.resources = Payloads.resources(event.payload(), "capacity");
                var labels = event.payload().get("labels");
                patch.detail = labels == null || labels.isNull() ? "{}" : labels.toString();
                patch.status = NodeStatus.READY;
                patch.reason = null;
                patch.since = event.recordedAt();
            }
            case NODE_CORDONED -> {
                patch.status = NodeStatus.CORDONED;
                patch.reason = Payloads.optionalText(event.payload(), "reason");
            }
            case NODE_REMOVED -> {
                patch.status = NodeStatus.REMOVED;
                patch.reason = null;
            }
            default -> throw new IllegalArgumentException("unexpected node event " + event.eventType());
        }
    }
}
