package dev.headwater.projector.node;

import dev.headwater.projector.events.Resources;
import dev.headwater.projector.web.Page;
import dev.headwater.projector.web.QueryParameters;
import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET /v1/nodes}: node utilisation, ordered by node id, for platform admins. */
@RestController
class NodeController {

    static final String LIST = """
            SELECT node_id, status, cordon_reason, labels::text, capacity_cpu_millis, capacity_memory_mib,
                   capacity_gpus, allocated_cpu_millis, allocated_memory_mib, allocated_gpus, active_allocations,
                   registered_at, updated_at, node_version
              FROM projection.node_utilisation
             WHERE registered_at IS NOT NULL
               AND (? OR status <> 'removed')
               AND node_id > ?
             ORDER BY node_id
             LIMIT ?
            """;

    /** One node: {@code free} is capacity minus allocated; {@code schedulable} means ready for new work. */
    record NodeUtilisation(
            String id,
            String status,
            @Nullable String cordonReason,
            Map<String, Object> labels,
            Resources capacity,
            Resources allocated,
            Resources free,
            boolean schedulable,
            long activeAllocations,
            Instant registeredAt,
            Instant updatedAt,
            long version) {}

    private final JdbcClient jdbc;
    private final JsonMapper json = JsonMapper.builder().build();

    NodeController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/v1/nodes")
    Page<NodeUtilisation> nodes(
            ApiPrincipal principal,
            @RequestParam(defaultValue = "false") boolean includeRemoved,
            @RequestParam(required = false) @Nullable String after,
            @RequestParam(required = false) @Nullable Integer limit) {
        Access.requirePlatformAdmin(principal);
        int size = QueryParameters.limit(limit);
        List<NodeUtilisation> nodes = jdbc.sql(LIST)
                .params(includeRemoved, after == null ? "" : after, size + 1)
                .query((rows, n) -> {
                    Resources capacity = new Resources(rows.getLong(5), rows.getLong(6), rows.getLong(7));
                    Resources allocated = new Resources(rows.getLong(8), rows.getLong(9), rows.getLong(10));
                    String status = rows.getString(2);
                    return new NodeUtilisation(
                            rows.getString(1),
                            status,
                            rows.getString(3),
                            labels(rows.getString(4)),
                            capacity,
                            allocated,
                            capacity.minus(allocated),
                            NodeStatus.READY.equals(status),
                            rows.getLong(11),
                            rows.getTimestamp(12).toInstant(),
                            rows.getTimestamp(13).toInstant(),
                            rows.getLong(14));
                })
                .list();
        if (nodes.size() > size) {
            return new Page<>(nodes.subList(0, size), nodes.get(size - 1).id());
        }
        return new Page<>(nodes, null);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> labels(@Nullable String text) {
        return text == null ? Map.of() : json.readValue(text, Map.class);
    }
}
