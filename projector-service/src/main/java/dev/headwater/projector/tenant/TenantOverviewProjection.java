package dev.headwater.projector.tenant;

import static dev.headwater.projector.events.ControlPlaneEvents.*;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.events.AllocationChange;
import dev.headwater.projector.events.Payloads;
import dev.headwater.projector.events.Resources;
import dev.headwater.projector.runtime.MultiRow;
import dev.headwater.projector.runtime.MultiRow.Kind;
import dev.headwater.projector.runtime.Projection;
import dev.headwater.projector.runtime.ProjectionTransaction;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
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
                         AS k(tenant_id, name, status, reason, cpu, memory, gpus, created_at, updated_at, version))
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
        Map<String, Patch> patches = new LinkedHashMap<>();
        Map<String, AllocationChange.Totals> usage = new LinkedHashMap<>();
        for (EventEnvelope event : events) {
            if (AllocationChange.isAllocationEvent(event)) {
                AllocationChange change = AllocationChange.of(event);
                usage.merge(change.tenantId(), change.totals(), AllocationChange.Totals::plus);
            } else {
                patches.computeIfAbsent(event.aggregateId(), id -> new Patch()).fold(event);
            }
        }
        MultiRow patchRows = new MultiRow(
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.BIGINT,
                Kind.BIGINT,
                Kind.BIGINT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.BIGINT);
        patches.forEach((tenant, p) -> patchRows.add(
                tenant,
                p.name,
                p.status,
                p.reason,
                p.quota == null ? null : p.quota.cpuMillis(),
                p.quota == null ? null : p.quota.memoryMib(),
                p.quota == null ? null : p.quota.gpus(),
                p.createdAt,
                p.updatedAt,
                p.version));
        patchRows.execute(transaction.connection(), PATCH);
        MultiRow usageRows = new MultiRow(Kind.TEXT, Kind.BIGINT, Kind.BIGINT, Kind.BIGINT, Kind.BIGINT, Kind.TEXT);
        usage.forEach((tenant, t) -> usageRows.add(
                tenant,
                t.resources().cpuMillis(),
                t.resources().memoryMib(),
                t.resources().gpus(),
                t.allocations(),
                t.at()));
        usageRows.execute(transaction.connection(), USAGE);
    }

    /** The net effect of one tenant's events in a batch. */
    private static final class Patch {
        @Nullable
        String name;

        @Nullable
        String status;

        @Nullable
        String reason;

        @Nullable
        Resources quota;

        @Nullable
        Instant createdAt;

        Instant updatedAt = Instant.EPOCH;
        long version;

        void fold(EventEnvelope event) {
            switch (event.eventType()) {
                case TENANT_CREATED -> {
                    name = Payloads.text(event.payload(), "name");
                    quota = Payloads.resources(event.payload(), "quota");
                    status = TenantStatus.ACTIVE;
                    reason = null;
                    createdAt = event.recordedAt();
                }
                case TENANT_QUOTA_SET -> quota = Payloads.resources(event.payload(), "quota");
                case TENANT_SUSPENDED -> {
                    status = TenantStatus.SUSPENDED;
                    reason = Payloads.optionalText(event.payload(), "reason");
                }
                case TENANT_REACTIVATED -> {
                    status = TenantStatus.ACTIVE;
                    reason = null;
                }
                default -> throw new IllegalArgumentException("unexpected tenant event " + event.eventType());
            }
            if (event.recordedAt().isAfter(updatedAt)) {
                updatedAt = event.recordedAt();
            }
            version = Math.max(version, event.aggregateVersion());
        }
    }
}
