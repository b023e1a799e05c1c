package dev.headwater.command.tenant;

import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.command.controlplane.Resources;
import dev.headwater.command.eventstore.AppendResult;
import dev.headwater.command.eventstore.EventStore;
import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.eventstore.NewEvent;
import dev.headwater.command.eventstore.StreamId;
import dev.headwater.command.execution.Aggregates;
import dev.headwater.command.execution.CommandOutcome;
import dev.headwater.command.execution.CommandRejected;
import dev.headwater.command.execution.CommandRejected.Reason;
import dev.headwater.contract.EventMetadata;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tenant commands. Each runs inside a {@code CommandExecutor} transaction: it folds the
 * tenant's events, checks the transition, appends and keeps {@code command.tenants} in step.
 */
@Component
public class TenantCommands {

    static final String INSERT = """
            INSERT INTO command.tenants (tenant_id, status, quota_cpu_millis, quota_memory_mib, quota_gpus)
            VALUES (?, 'active', ?, ?, ?)
            """;
    static final String SET_QUOTA = """
            UPDATE command.tenants SET quota_cpu_millis = ?, quota_memory_mib = ?, quota_gpus = ?
             WHERE tenant_id = ?
            """;
    static final String SET_STATUS = "UPDATE command.tenants SET status = ? WHERE tenant_id = ?";
    static final String EXISTS = "SELECT count(*) FROM command.tenants WHERE tenant_id = ?";

    /** Bounds the memory of {@link #exists}'s remembered tenants; beyond it, the query answers. */
    static final int KNOWN_TENANTS_LIMIT = 100_000;

    private final Set<String> knownTenants = ConcurrentHashMap.newKeySet();

    private final EventStore events;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;

    public TenantCommands(EventStore events, JdbcTemplate jdbc, JsonMapper json) {
        this.events = events;
        this.jdbc = jdbc;
        this.json = json;
    }

    public static StreamId stream(String tenantId) {
        return new StreamId(ControlPlane.TENANT, tenantId);
    }

    /**
     * Whether the tenant was created (suspended tenants exist too). A tenant once created is never
     * removed (the service's role has no DELETE on {@code command.tenants} and no command deletes
     * one), so a "yes" is remembered and a platform admin's appends to a known tenant skip the
     * query; a "no" is always asked again, as the tenant may be created at any moment.
     */
    public boolean exists(String tenantId) {
        if (knownTenants.contains(tenantId)) {
            return true;
        }
        Integer count = jdbc.queryForObject(EXISTS, Integer.class, tenantId);
        boolean exists = count != null && count > 0;
        if (exists && knownTenants.size() < KNOWN_TENANTS_LIMIT) {
            knownTenants.add(tenantId);
        }
        return exists;
    }

    public CommandOutcome create(String tenantId, String name, Resources quota, EventMetadata metadata) {
        if (ControlPlane.PLATFORM_TENANT.equals(tenantId)) {
            throw new CommandRejected(Reason.INVALID, "'platform' is reserved for the platform itself", "tenantId");
        }
        if (events.currentVersion(stream(tenantId)) > 0) {
            throw new CommandRejected(Reason.ALREADY_EXISTS, "tenant " + tenantId + " already exists", "tenantId");
        }
        ObjectNode payload = json.createObjectNode();
        payload.put("name", name);
        payload.set("quota", json.valueToTree(quota.toJson()));
        AppendResult append = events.append(
                stream(tenantId),
                tenantId,
                ExpectedVersion.noStream(),
                List.of(NewEvent.of(Tenant.CREATED, payload, metadata)));
        jdbc.update(INSERT, tenantId, quota.cpuMillis(), quota.memoryMib(), quota.gpus());
        return CommandOutcome.created(
                append, "/v1/streams/tenant/" + tenantId + "/events", Map.of("tenantId", tenantId));
    }

    public CommandOutcome setQuota(String tenantId, Resources quota, ExpectedVersion pinned, EventMetadata metadata) {
        Tenant tenant = load(tenantId, pinned);
        ObjectNode payload = json.createObjectNode();
        payload.set("quota", json.valueToTree(quota.toJson()));
        AppendResult append = append(tenant, Tenant.QUOTA_SET, payload, metadata);
        jdbc.update(SET_QUOTA, quota.cpuMillis(), quota.memoryMib(), quota.gpus(), tenantId);
        return CommandOutcome.ok(append, Map.of("tenantId", tenantId));
    }

    public CommandOutcome suspend(String tenantId, String reason, ExpectedVersion pinned, EventMetadata metadata) {
        Tenant tenant = load(tenantId, pinned);
        if (tenant.status() != Tenant.Status.ACTIVE) {
            throw new CommandRejected(Reason.INVALID_STATE, "tenant " + tenantId + " is already suspended");
        }
        ObjectNode payload = json.createObjectNode();
        payload.put("reason", reason);
        AppendResult append = append(tenant, Tenant.SUSPENDED, payload, metadata);
        jdbc.update(SET_STATUS, "suspended", tenantId);
        return CommandOutcome.ok(append, Map.of("tenantId", tenantId, "status", "suspended"));
    }

    public CommandOutcome reactivate(String tenantId, ExpectedVersion pinned, EventMetadata metadata) {
        Tenant tenant = load(tenantId, pinned);
        if (tenant.status() != Tenant.Status.SUSPENDED) {
            throw new CommandRejected(Reason.INVALID_STATE, "tenant " + tenantId + " is not suspended");
        }
        AppendResult append = append(tenant, Tenant.REACTIVATED, json.createObjectNode(), metadata);
        jdbc.update(SET_STATUS, "active", tenantId);
        return CommandOutcome.ok(append, Map.of("tenantId", tenantId, "status", "active"));
    }

    private Tenant load(String tenantId, ExpectedVersion pinned) {
        return Aggregates.load(events, stream(tenantId), Tenant::fold, Tenant::version, pinned);
    }

    /** Appends at the version the decision was made on: a concurrent change makes this attempt lose. */
    private AppendResult append(Tenant tenant, String type, ObjectNode payload, EventMetadata metadata) {
        return events.append(
                stream(tenant.id()),
                tenant.id(),
                ExpectedVersion.exactly(tenant.version()),
                List.of(NewEvent.of(type, payload, metadata)));
    }
}
