package dev.headwater.projector.allocation;

import static dev.headwater.projector.events.ControlPlaneEvents.*;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.events.Payloads;
import dev.headwater.projector.events.Resources;
import dev.headwater.projector.runtime.MultiRow;
import dev.headwater.projector.runtime.MultiRow.Kind;
import dev.headwater.projector.runtime.Projection;
import dev.headwater.projector.runtime.ProjectionTransaction;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Projection {@code allocations}: the allocation list and billing usage. A released allocation
 * adds its resource-seconds, split by hour, to its tenant's hourly usage; the time it was placed
 * comes from the same batch or from the allocations table (placed is always applied first: both
 * events belong to one aggregate).
 */
@Component
class AllocationsProjection implements Projection {

    static final String NAME = "allocations";

    static final String UPSERT = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
                                            ?::bigint[], ?::text[], ?::timestamptz[], ?::timestamptz[])
                         AS k(allocation_id, tenant_id, node_id, workload, cpu, memory, gpus, status, placed_at,
                              released_at))
            INSERT INTO allocations AS a (allocation_id, tenant_id, node_id, workload, cpu_millis, memory_mib, gpus,
                   status, placed_at, released_at)
            SELECT * FROM k
            ON CONFLICT (allocation_id) DO UPDATE SET status = excluded.status, released_at = excluded.released_at
            """;

    static final String PLACED_AT = """
            SELECT allocation_id, placed_at FROM allocations WHERE allocation_id = ANY (?)
            """;

    static final String BILLING = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::timestamptz[], ?::numeric[], ?::numeric[], ?::numeric[])
                         AS k(tenant_id, hour, cpu, memory, gpus))
            INSERT INTO billing_usage AS b (tenant_id, hour, cpu_millicore_seconds, memory_mib_seconds, gpu_seconds)
            SELECT * FROM k
            ON CONFLICT (tenant_id, hour) DO UPDATE SET
                cpu_millicore_seconds = b.cpu_millicore_seconds + excluded.cpu_millicore_seconds,
                memory_mib_seconds = b.memory_mib_seconds + excluded.memory_mib_seconds,
                gpu_seconds = b.gpu_seconds + excluded.gpu_seconds
            """;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aggregateTypes() {
        return Set.of(ALLOCATION);
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(ALLOCATION_PLACED, ALLOCATION_RELEASED);
    }

    @Override
    public List<String> tables() {
        return List.of("allocations", "billing_usage");
    }

    @Override
    public void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (EventEnvelope event : events) {
            String id = event.aggregateId();
            String tenant = Payloads.text(event.payload(), "tenantId");
            String node = Payloads.text(event.payload(), "nodeId");
            Resources resources = Payloads.resources(event.payload(), "resources");
            switch (event.eventType()) {
                case ALLOCATION_PLACED ->
                    rows.put(
                            id,
                            new Row(
                                    id,
                                    tenant,
                                    node,
                                    Payloads.optionalText(event.payload(), "workload"),
                                    resources,
                                    event.recordedAt()));
                case ALLOCATION_RELEASED ->
                    rows.computeIfAbsent(id, key -> new Row(key, tenant, node, null, resources, null)).releasedAt =
                            event.recordedAt();
                default -> throw new IllegalArgumentException("unexpected allocation event " + event.eventType());
            }
        }
        Connection connection = transaction.connection();
        fillPlacedTimes(connection, rows);
        MultiRow upserts = new MultiRow(
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.BIGINT,
                Kind.BIGINT,
                Kind.BIGINT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT);
        Map<TenantHour, Billing.Usage> usage = new HashMap<>();
        for (Row row : rows.values()) {
            upserts.add(
                    row.id,
                    row.tenant,
                    row.node,
                    row.workload,
                    row.resources.cpuMillis(),
                    row.resources.memoryMib(),
                    row.resources.gpus(),
                    row.releasedAt == null ? AllocationStatus.ACTIVE : AllocationStatus.RELEASED,
                    row.placedAt,
                    row.releasedAt);
            if (row.releasedAt != null) {
                Billing.split(
                        row.placedAt,
                        row.releasedAt,
                        row.resources,
                        (hour, u) -> usage.merge(new TenantHour(row.tenant, hour), u, Billing.Usage::plus));
            }
        }
        upserts.execute(connection, UPSERT);
        MultiRow billing = new MultiRow(Kind.TEXT, Kind.TEXT, Kind.NUMERIC, Kind.NUMERIC, Kind.NUMERIC);
        usage.forEach((key, u) ->
                billing.add(key.tenant(), key.hour(), u.cpuMillicoreSeconds(), u.memoryMibSeconds(), u.gpuSeconds()));
        billing.execute(connection, BILLING);
    }

    /** Released allocations placed in an earlier batch: their placement time from the table. */
    private static void fillPlacedTimes(Connection connection, Map<String, Row> rows) throws SQLException {
        List<String> missing = new ArrayList<>();
        rows.values().forEach(row -> {
            if (row.placedAt == null) {
                missing.add(row.id);
            }
        });
        if (missing.isEmpty()) {
            return;
        }
        Array ids = connection.createArrayOf("text", missing.toArray());
        try (PreparedStatement statement = connection.prepareStatement(PLACED_AT)) {
            statement.setArray(1, ids);
            try (ResultSet found = statement.executeQuery()) {
                while (found.next()) {
                    rows.get(found.getString(1)).placedAt =
                            found.getTimestamp(2).toInstant();
                }
            }
        } finally {
            ids.free();
        }
        for (String id : missing) {
            if (rows.get(id).placedAt == null) {
                throw new IllegalStateException("allocation " + id + " was released but never placed");
            }
        }
    }

    private record TenantHour(String tenant, Instant hour) {}

    private static final class Row {
        final String id;
        final String tenant;
        final String node;
        final @Nullable String workload;
        final Resources resources;

        @Nullable
        Instant placedAt;

        @Nullable
        Instant releasedAt;

        Row(
                String id,
                String tenant,
                String node,
                @Nullable String workload,
                Resources resources,
                @Nullable Instant placedAt) {
            this.id = id;
            this.tenant = tenant;
            this.node = node;
            this.workload = workload;
            this.resources = resources;
            this.placedAt = placedAt;
        }
    }
}
