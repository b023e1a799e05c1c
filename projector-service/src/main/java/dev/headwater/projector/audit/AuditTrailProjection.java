package dev.headwater.projector.audit;

import static dev.headwater.projector.events.ControlPlaneEvents.*;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.CopyRows;
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

    /**
     * Insert-only, so one COPY per batch: cheaper per row for Postgres than an {@code INSERT ...
     * SELECT FROM unnest(...)}. There is no {@code ON CONFLICT}: the runtime applies each
     * (aggregate, version) of a generation once, so a second row for a log position would be a
     * defect, and it now fails the batch instead of vanishing.
     */
    static final String[] COLUMNS = {
        "global_position",
        "event_id",
        "tenant_id",
        "aggregate_type",
        "aggregate_id",
        "aggregate_version",
        "event_type",
        "actor",
        "command_id",
        "correlation_id",
        "recorded_at",
        "payload"
    };

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
        CopyRows rows = new CopyRows("audit_events", COLUMNS);
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
        rows.execute(transaction.connection());
    }
}
