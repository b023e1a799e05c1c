package dev.headwater.projector.tenant;

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
 * Projection {@code tenant-overview}: one row per tenant. Tenant events are folded per tenant
 * within the batch (in version order) into one patch; allocation events into usage deltas, which
 * commute with everything, so their topic may run ahead of or behind the tenant topic.
 */
@Component
class TenantOverviewProjection implements Projection {

    static final String NAME = "tenant-overview";

    /** Null in a patch column means "unchanged"; a patch that sets the status also sets the reason. */
    static final String PATCH = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
                                            ?::bigint[], ?::timestamptz[], ?::timestamptz[], ?::bigint[])
                         AS k(tenant_id, status, reason, name, cpu, memory, gpus, created_at, updated_at, version))
            INSERT INTO tenant_overview AS t (tenant_id, name, status, suspended_reason, quota_cpu_millis,
                   quota_memory_mib, quota_gpus, created_at, updated_at, tenant_version)
            SELECT tenant_id, name, status, reason, cpu, memory, gpus, created_at, updated_at, version FROM k
            ON CONFLICT (tenant_id) DO UPDATE SET
                name = coalesce(excluded.name, t.name),
                status = coalesce(excluded.status, t.status),
                suspended_reason = CASE WHEN excluded.status IS NULL THEN t.suspended_reason
                                        ELSE excluded.suspended_reason END,
                quota_cpu_millis = coalesce(excluded.quota_cpu_millis, t.quota_cpu_millis),
                quota_memory_mib = coalesce(excluded.quota_memory_mib, t.quota_memory_mib),
                quota_gpus = coalesce(excluded.quota_gpus, t.quota_gpus),
                created_at = coalesce(t.created_at, excluded.created_at),
                updated_at = greatest(t.updated_at, excluded.updated_at),
                tenant_version = greatest(t.tenant_version, excluded.tenant_version)
            """;

    static final String USAGE = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
                                            ?::timestamptz[])
                         AS k(tenant_id, cpu, memory, gpus, allocations, updated_at))
            INSERT INTO tenant_overview AS t (tenant_id, used_cpu_millis, used_memory_mib, used_gpus,
                   active_allocations, updated_at)
            SELECT tenant_id, cpu, memory, gpus, allocations, updated_at FROM k
            ON CONFLICT (tenant_id) DO UPDATE SET
                used_cpu_millis = t.used_cpu_millis + excluded.used_cpu_millis,
                used_memory_mib = t.used_memory_mib + excluded.used_memory_mib,
                used_gpus = t.used_gpus + excluded.used_gpus,
                active_allocations = t.active_allocations + excluded.active_allocations,
                updated_at = greatest(t.updated_at, excluded.updated_at)
            """;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aggregateTypes() {
        return Set.of(TENANT, ALLOCATION);
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(
                TENANT_CREATED,
                TENANT_QUOTA_SET,
                TENANT_SUSPENDED,
                TENANT_REACTIVATED,
                ALLOCATION_PLACED,
                ALLOCATION_RELEASED);
    }

    @Override
    public List<String> tables() {
        return List.of("tenant_overview");
    }

    @Override
    public void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException {
        StatusPatch.write(
                transaction.connection(), PATCH, StatusPatch.fold(events, TENANT, TenantOverviewProjection::fold));
        AllocationChange.write(
                transaction.connection(), USAGE, AllocationChange.sum(events, AllocationChange::tenantId));
    }

    /** A tenant's own events: detail is its name, resources its quota. */
    private static void fold(EventEnvelope event, StatusPatch patch) {
        switch (event.eventType()) {
            case TENANT_CREATED -> {
                patch.detail = Payloads.text(event.payload(), "name");
                patch.resources = Payloads.resources(event.payload(), "quota");
                patch.status = TenantStatus.ACTIVE;
                patch.reason = null;
                patch.since = event.recordedAt();
            }
            case TENANT_QUOTA_SET -> patch.resources = Payloads.resources(event.payload(), "quota");
            case TENANT_SUSPENDED -> {
                patch.status = TenantStatus.SUSPENDED;
                patch.reason = Payloads.optionalText(event.payload(), "reason");
            }
            case TENANT_REACTIVATED -> {
                patch.status = TenantStatus.ACTIVE;
                patch.reason = null;
            }
            default -> throw new IllegalArgumentException("unexpected tenant event " + event.eventType());
        }
    }
}
