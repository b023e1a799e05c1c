package dev.headwater.command.allocation;

import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.command.controlplane.Resources;
import dev.headwater.command.eventstore.AppendResult;
import dev.headwater.command.eventstore.EventStore;
import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.eventstore.NewEvent;
import dev.headwater.command.eventstore.StreamId;
import dev.headwater.command.eventstore.WrongExpectedVersion;
import dev.headwater.command.execution.AccessCheck;
import dev.headwater.command.execution.Aggregates;
import dev.headwater.command.execution.CommandOutcome;
import dev.headwater.command.execution.CommandRejected;
import dev.headwater.command.execution.CommandRejected.Reason;
import dev.headwater.contract.EventMetadata;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Place and release. Locks are always taken tenant row first, node row second, so two commands
 * never wait for each other in a circle.
 */
@Component
public class AllocationCommands {

    static final String LOCK_TENANT = """
            SELECT status, quota_cpu_millis, quota_memory_mib, quota_gpus,
                   used_cpu_millis, used_memory_mib, used_gpus
              FROM command.tenants
             WHERE tenant_id = ?
               FOR UPDATE
            """;

    /**
     * Best fit: of the schedulable nodes with room, the one with the least free GPUs, then CPU,
     * then memory, then the smallest id, so the choice is deterministic. GPUs come first so that
     * work without GPUs stays off GPU nodes while other nodes have room. Under READ COMMITTED a
     * row that a concurrent placement changed is re-checked against the WHERE clause after its
     * lock is granted, and skipped if it no longer has room.
     */
    static final String PICK_NODE = """
            SELECT node_id
              FROM command.nodes
             WHERE status = 'active'
               AND capacity_cpu_millis - used_cpu_millis >= ?
               AND capacity_memory_mib - used_memory_mib >= ?
               AND capacity_gpus - used_gpus >= ?
             ORDER BY capacity_gpus - used_gpus,
                      capacity_cpu_millis - used_cpu_millis,
                      capacity_memory_mib - used_memory_mib,
                      node_id
             LIMIT 1
               FOR UPDATE
            """;

    static final String LOCK_NODE = "SELECT node_id FROM command.nodes WHERE node_id = ? FOR UPDATE";

    static final String ADD_TENANT_USAGE = """
            UPDATE command.tenants
               SET used_cpu_millis = used_cpu_millis + ?, used_memory_mib = used_memory_mib + ?,
                   used_gpus = used_gpus + ?
             WHERE tenant_id = ?
            """;

    static final String ADD_NODE_USAGE = """
            UPDATE command.nodes
               SET used_cpu_millis = used_cpu_millis + ?, used_memory_mib = used_memory_mib + ?,
                   used_gpus = used_gpus + ?
             WHERE node_id = ?
            """;

    static final String INSERT = """
            INSERT INTO command.allocations (allocation_id, tenant_id, node_id, cpu_millis, memory_mib, gpus)
            VALUES (?, ?, ?, ?, ?, ?)
            """;

    static final String MARK_RELEASED = "UPDATE command.allocations SET released = true WHERE allocation_id = ?";

    private final EventStore events;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public AllocationCommands(EventStore events, JdbcTemplate jdbc, JsonMapper json) {
        this.events = events;
        this.jdbc = jdbc;
        this.json = json;
    }

    public static StreamId stream(UUID allocationId) {
        return new StreamId(ControlPlane.ALLOCATION, allocationId.toString());
    }

    private record TenantLedger(String status, Resources quota, Resources used) {}

    public CommandOutcome place(String tenantId, String workload, Resources requested, EventMetadata metadata) {
        TenantLedger tenant = lockTenant(tenantId);
        if (!"active".equals(tenant.status())) {
            throw new CommandRejected(
                    Reason.INVALID_STATE, "tenant " + tenantId + " is suspended and gets no new allocations");
        }
        Resources wouldUse = tenant.used().plus(requested);
        if (!wouldUse.fitsWithin(tenant.quota())) {
            throw new CommandRejected(
                    Reason.QUOTA_EXCEEDED,
                    "tenant " + tenantId + " uses " + describe(tenant.used()) + " of its quota "
                            + describe(tenant.quota()) + "; " + describe(requested) + " more does not fit",
                    "resources");
        }
        String nodeId = jdbc
                .query(
                        PICK_NODE,
                        (rows, index) -> rows.getString(1),
                        requested.cpuMillis(),
                        requested.memoryMib(),
                        requested.gpus())
                .stream()
                .findFirst()
                .orElseThrow(() -> new CommandRejected(
                        Reason.INSUFFICIENT_CAPACITY,
                        "no schedulable node has " + describe(requested) + " free",
                        "resources"));
        UUID allocationId = UUID.randomUUID();
        addUsage(tenantId, nodeId, requested, 1);
        jdbc.update(
                INSERT, allocationId, tenantId, nodeId, requested.cpuMillis(), requested.memoryMib(), requested.gpus());
        ObjectNode payload = json.createObjectNode();
        payload.put("tenantId", tenantId);
        payload.put("nodeId", nodeId);
        payload.put("workload", workload);
        payload.set("resources", json.valueToTree(requested.toJson()));
        AppendResult append = events.append(
                stream(allocationId),
                tenantId,
                ExpectedVersion.noStream(),
                List.of(NewEvent.of(Allocation.PLACED, payload, metadata)));
        return CommandOutcome.created(
                append,
                "/v1/streams/allocation/" + allocationId + "/events",
                Map.of("allocationId", allocationId.toString(), "tenantId", tenantId, "nodeId", nodeId));
    }

    public CommandOutcome release(
            UUID allocationId, AccessCheck access, ExpectedVersion pinned, EventMetadata metadata) {
        StreamId stream = stream(allocationId);
        Allocation allocation =
                Aggregates.load(events, stream, Allocation::fold, Allocation::version, ExpectedVersion.any());
        access.requireWrite(allocation.tenantId());
        if (!pinned.matches(allocation.version())) {
            throw new WrongExpectedVersion(stream, pinned, allocation.version());
        }
        if (allocation.released()) {
            throw new CommandRejected(Reason.INVALID_STATE, "allocation " + allocationId + " is already released");
        }
        lockTenant(allocation.tenantId());
        jdbc.queryForList(LOCK_NODE, String.class, allocation.nodeId());
        addUsage(allocation.tenantId(), allocation.nodeId(), allocation.resources(), -1);
        jdbc.update(MARK_RELEASED, allocationId);
        ObjectNode payload = json.createObjectNode();
        payload.put("tenantId", allocation.tenantId());
        payload.put("nodeId", allocation.nodeId());
        payload.set("resources", json.valueToTree(allocation.resources().toJson()));
        AppendResult append = events.append(
                stream,
                allocation.tenantId(),
                ExpectedVersion.exactly(allocation.version()),
                List.of(NewEvent.of(Allocation.RELEASED, payload, metadata)));
        return CommandOutcome.ok(
                append,
                Map.of(
                        "allocationId",
                        allocationId.toString(),
                        "tenantId",
                        allocation.tenantId(),
                        "status",
                        "released"));
    }

    private TenantLedger lockTenant(String tenantId) {
        return jdbc
                .query(
                        LOCK_TENANT,
                        (rows, index) -> new TenantLedger(
                                rows.getString("status"),
                                new Resources(
                                        rows.getLong("quota_cpu_millis"),
                                        rows.getLong("quota_memory_mib"),
                                        rows.getLong("quota_gpus")),
                                new Resources(
                                        rows.getLong("used_cpu_millis"),
                                        rows.getLong("used_memory_mib"),
                                        rows.getLong("used_gpus"))),
                        tenantId)
                .stream()
                .findFirst()
                .orElseThrow(() -> new CommandRejected(Reason.NOT_FOUND, "no tenant " + tenantId, "tenantId"));
    }

    private void addUsage(String tenantId, String nodeId, Resources resources, int sign) {
        jdbc.update(
                ADD_TENANT_USAGE,
                sign * resources.cpuMillis(),
                sign * resources.memoryMib(),
                sign * resources.gpus(),
                tenantId);
        jdbc.update(
                ADD_NODE_USAGE,
                sign * resources.cpuMillis(),
                sign * resources.memoryMib(),
                sign * resources.gpus(),
                nodeId);
    }

    private static String describe(Resources resources) {
        return resources.cpuMillis() + "m CPU, " + resources.memoryMib() + " MiB memory, " + resources.gpus() + " GPUs";
    }
}
