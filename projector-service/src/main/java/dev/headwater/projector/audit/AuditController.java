package dev.headwater.projector.audit;

import dev.headwater.projector.web.Cursor;
import dev.headwater.projector.web.Page;
import dev.headwater.projector.web.QueryParameters;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.problem.ApiProblem;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/audit}: every event, newest first, filtered by tenant, aggregate and time range,
 * keyset-paginated on (recorded at, global position). A tenant token sees its own tenant only.
 */
@RestController
class AuditController {

    static final String LIST = """
            SELECT global_position, event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type,
                   actor, command_id, correlation_id, recorded_at, payload::text
              FROM projection.audit_events
             WHERE (?::text IS NULL OR tenant_id = ?)
               AND (?::text IS NULL OR aggregate_type = ?)
               AND (?::text IS NULL OR aggregate_id = ?)
               AND (?::timestamptz IS NULL OR recorded_at >= ?)
               AND (?::timestamptz IS NULL OR recorded_at < ?)
               AND (?::timestamptz IS NULL OR (recorded_at, global_position) < (?::timestamptz, ?))
             ORDER BY recorded_at DESC, global_position DESC
             LIMIT ?
            """;

    record AuditEntry(
            long globalPosition,
            UUID eventId,
            String tenantId,
            String aggregateType,
            String aggregateId,
            long aggregateVersion,
            String eventType,
            @Nullable String actor,
            @Nullable String commandId,
            @Nullable String correlationId,
            Instant recordedAt,
            JsonNode payload) {}

    private final JdbcClient jdbc;
    private final JsonMapper json = JsonMapper.builder().build();

    AuditController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/v1/audit")
    Page<AuditEntry> audit(
            ApiPrincipal principal,
            @RequestParam(required = false) @Nullable String tenantId,
            @RequestParam(required = false) @Nullable String aggregateType,
            @RequestParam(required = false) @Nullable String aggregateId,
            @RequestParam(required = false) @Nullable String from,
            @RequestParam(required = false) @Nullable String to,
            @RequestParam(required = false) @Nullable String after,
            @RequestParam(required = false) @Nullable Integer limit) {
        String tenant = tenantId;
        if (!principal.isPlatformAdmin()) {
            if (tenant != null && !tenant.equals(principal.tenantId())) {
                throw ApiProblem.notFound("No such tenant or resource");
            }
            tenant = principal.tenantId();
        }
        if (aggregateId != null && aggregateType == null) {
            throw ApiProblem.badRequest("aggregateType", "aggregateId needs aggregateType");
        }
        Timestamp fromTime = timestamp(QueryParameters.instant("from", from));
        Timestamp toTime = timestamp(QueryParameters.instant("to", to));
        Timestamp afterTime = null;
        Long afterPosition = null;
        if (after != null && !after.isBlank()) {
            List<String> parts = Cursor.decode(after, 2);
            afterTime = timestamp(QueryParameters.requiredInstant("after", parts.get(0)));
            try {
                afterPosition = Long.parseLong(parts.get(1));
            } catch (NumberFormatException e) {
                throw ApiProblem.badRequest("after", "not a cursor of this listing");
            }
        }
        int size = QueryParameters.limit(limit);
        List<AuditEntry> rows = jdbc.sql(LIST)
                .params(
                        tenant,
                        tenant,
                        aggregateType,
                        aggregateType,
                        aggregateId,
                        aggregateId,
                        fromTime,
                        fromTime,
                        toTime,
                        toTime,
                        afterTime,
                        afterTime,
                        afterPosition,
                        size + 1)
                .query((r, n) -> new AuditEntry(
                        r.getLong(1),
                        (UUID) r.getObject(2),
                        r.getString(3),
                        r.getString(4),
                        r.getString(5),
                        r.getLong(6),
                        r.getString(7),
                        r.getString(8),
                        r.getString(9),
                        r.getString(10),
                        r.getTimestamp(11).toInstant(),
                        json.readTree(r.getString(12))))
                .list();
        if (rows.size() > size) {
            AuditEntry last = rows.get(size - 1);
            return new Page<>(
                    rows.subList(0, size),
                    Cursor.encode(last.recordedAt().toString(), Long.toString(last.globalPosition())));
        }
        return new Page<>(rows, null);
    }

    private static @Nullable Timestamp timestamp(@Nullable Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
