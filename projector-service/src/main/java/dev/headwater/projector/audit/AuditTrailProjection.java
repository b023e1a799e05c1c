package dev.headwater.projector.audit;

import static dev.headwater.projector.events.ControlPlaneEvents.*;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.MultiRow;
import dev.headwater.projector.runtime.MultiRow.Kind;
import dev.headwater.projector.runtime.Projection;
import dev.headwater.projector.runtime.ProjectionTransaction;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/** Projection {@code audit-trail}: one row per event of every control-plane aggregate, any event type. */
@Component
class AuditTrailProjection implements Projection {

    static final String NAME = "audit-trail";

    static final String INSERT = """
            WITH k AS (SELECT * FROM unnest(?::bigint[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::bigint[],
                                            ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::jsonb[])
                         AS k(global_position, event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                              event_type, actor, command_id, correlation_id, recorded_at, payload))
            INSERT INTO audit_events (global_position, event_id, tenant_id, aggregate_type, aggregate_id,
                   aggregate_version, event_type, actor, command_id, correlation_id, recorded_at, payload)
            SELECT * FROM k
            ON CONFLICT DO NOTHING
            """;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aggregateTypes() {
        return Set.of(TENANT, NODE, ALLOCATION, API_TOKEN);
    }

    /** Every event type, including ones added to the catalogue later. */
    @Override
    public Set<String> eventTypes() {
        return Set.of();
    }

    @Override
    public boolean handles(String eventType) {
        return true;
    }

    @Override
    public List<String> tables() {
        return List.of("audit_events");
    }

    @Override
    public void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException {
        MultiRow rows = new MultiRow(
                Kind.BIGINT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.BIGINT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT,
                Kind.TEXT);
        for (EventEnvelope event : events) {
            rows.add(
                    event.globalPosition(),
                    event.eventId(),
                    event.tenantId(),
                    event.aggregateType(),
                    event.aggregateId(),
                    event.aggregateVersion(),
                    event.eventType(),
                    event.metadata().actor(),
                    event.metadata().commandId(),
                    event.metadata().correlationId(),
                    event.recordedAt(),
                    event.payload().toString());
        }
        rows.execute(transaction.connection(), INSERT);
    }
}
