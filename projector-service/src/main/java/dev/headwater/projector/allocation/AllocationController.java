package dev.headwater.projector.allocation;

import dev.headwater.projector.events.Resources;
import dev.headwater.projector.web.Cursor;
import dev.headwater.projector.web.Page;
import dev.headwater.projector.web.QueryParameters;
import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.problem.ApiProblem;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Allocations of a tenant ({@code GET /v1/tenants/{id}/allocations}) or of a node ({@code GET
 * /v1/nodes/{id}/allocations}, platform admins), newest first, optionally only active or
 * released ones, keyset-paginated on (placed at, allocation id).
 */
@RestController
class AllocationController {

    private static final String COLUMNS = """
            SELECT allocation_id, tenant_id, node_id, workload, cpu_millis, memory_mib, gpus, status, placed_at,
                   released_at
              FROM projection.allocations
            """;

    static final String BY_TENANT = COLUMNS + """
             WHERE tenant_id = ?
               AND (?::text IS NULL OR status = ?)
               AND (?::timestamptz IS NULL OR (placed_at, allocation_id) < (?::timestamptz, ?))
             ORDER BY placed_at DESC, allocation_id DESC
             LIMIT ?
            """;

    static final String BY_NODE = COLUMNS + """
             WHERE node_id = ?
               AND (?::text IS NULL OR status = ?)
               AND (?::timestamptz IS NULL OR (placed_at, allocation_id) < (?::timestamptz, ?))
             ORDER BY placed_at DESC, allocation_id DESC
             LIMIT ?
            """;

    private static final Set<String> STATUSES = Set.of(AllocationStatus.ACTIVE, AllocationStatus.RELEASED);

    record Allocation(
            String id,
            String tenantId,
            String nodeId,
            @Nullable String workload,
            Resources resources,
            String status,
            Instant placedAt,
            @Nullable Instant releasedAt) {}

    private final JdbcClient jdbc;

    AllocationController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/v1/tenants/{id}/allocations")
    Page<Allocation> ofTenant(
            ApiPrincipal principal,
            @PathVariable String id,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String after,
            @RequestParam(required = false) @Nullable Integer limit) {
        Access.requireRead(principal, id);
        return page(BY_TENANT, id, status, after, limit);
    }

    @GetMapping("/v1/nodes/{id}/allocations")
    Page<Allocation> ofNode(
            ApiPrincipal principal,
            @PathVariable String id,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String after,
            @RequestParam(required = false) @Nullable Integer limit) {
        Access.requirePlatformAdmin(principal);
        return page(BY_NODE, id, status, after, limit);
    }

    private Page<Allocation> page(
            String sql, String key, @Nullable String status, @Nullable String after, @Nullable Integer limit) {
        if (status != null && !STATUSES.contains(status)) {
            throw ApiProblem.badRequest("status", "status must be one of " + STATUSES);
        }
        int size = QueryParameters.limit(limit);
        Timestamp afterTime = null;
        String afterId = null;
        if (after != null && !after.isBlank()) {
            List<String> parts = Cursor.decode(after, 2);
            afterTime = Timestamp.from(QueryParameters.requiredInstant("after", parts.get(0)));
            afterId = parts.get(1);
        }
        List<Allocation> rows = jdbc.sql(sql)
                .params(key, status, status, afterTime, afterTime, afterId, size + 1)
                .query((r, n) -> allocation(r))
                .list();
        if (rows.size() > size) {
            Allocation last = rows.get(size - 1);
            return new Page<>(
                    rows.subList(0, size), Cursor.encode(last.placedAt().toString(), last.id()));
        }
        return new Page<>(rows, null);
    }

    private static Allocation allocation(ResultSet rows) throws SQLException {
        Timestamp released = rows.getTimestamp(10);
        return new Allocation(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getString(4),
                new Resources(rows.getLong(5), rows.getLong(6), rows.getLong(7)),
                rows.getString(8),
                rows.getTimestamp(9).toInstant(),
                released == null ? null : released.toInstant());
    }
}
