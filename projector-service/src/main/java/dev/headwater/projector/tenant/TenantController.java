package dev.headwater.projector.tenant;

import dev.headwater.projector.events.Resources;
import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.problem.ApiProblem;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/tenants/{id}}: the tenant overview. */
@RestController
class TenantController {

    static final String FIND = """
            SELECT tenant_id, name, status, suspended_reason, quota_cpu_millis, quota_memory_mib, quota_gpus,
                   used_cpu_millis, used_memory_mib, used_gpus, active_allocations, created_at, updated_at,
                   tenant_version
              FROM projection.tenant_overview
             WHERE tenant_id = ? AND created_at IS NOT NULL
            """;

    /** The overview of one tenant; {@code version} is the tenant aggregate's version it reflects. */
    record TenantOverview(
            String id,
            String name,
            String status,
            @Nullable String suspendedReason,
            Resources quota,
            Resources usage,
            long activeAllocations,
            Instant createdAt,
            Instant updatedAt,
            long version) {}

    private final JdbcClient jdbc;

    TenantController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/v1/tenants/{id}")
    TenantOverview tenant(ApiPrincipal principal, @PathVariable String id) {
        Access.requireRead(principal, id);
        return jdbc.sql(FIND)
                .param(id)
                .query((rows, n) -> new TenantOverview(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getString(3),
                        rows.getString(4),
                        new Resources(rows.getLong(5), rows.getLong(6), rows.getLong(7)),
                        new Resources(rows.getLong(8), rows.getLong(9), rows.getLong(10)),
                        rows.getLong(11),
                        rows.getTimestamp(12).toInstant(),
                        rows.getTimestamp(13).toInstant(),
                        rows.getLong(14)))
                .optional()
                .orElseThrow(() -> ApiProblem.notFound("No such tenant or resource"));
    }
}
