package dev.headwater.projector;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.Projection;
import dev.headwater.projector.runtime.ProjectionTransaction;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A downstream team's projection, written only against the runtime's public API: it counts
 * {@code WidgetTouched} events per widget. Events whose payload names a poison kind that is
 * currently "broken" make it throw, as a handler with a bug would; "fixing" a kind is deploying the
 * fix.
 */
final class WidgetProjection implements Projection {

    private final String name;
    private final String table;
    private final Set<String> broken = ConcurrentHashMap.newKeySet();

    WidgetProjection(String name, String table, String... brokenKinds) {
        this.name = name;
        this.table = table;
        broken.addAll(List.of(brokenKinds));
    }

    void fix(String kind) {
        broken.remove(kind);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> aggregateTypes() {
        return Set.of("widget");
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of("WidgetTouched");
    }

    @Override
    public List<String> tables() {
        return List.of(table);
    }

    @Override
    public void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException {
        try (PreparedStatement upsert = transaction
                .connection()
                .prepareStatement(
                        "INSERT INTO " + table
                                + " AS w (widget_id, touches, version) VALUES (?, 1, ?)"
                                + " ON CONFLICT (widget_id) DO UPDATE SET touches = w.touches + 1, version = excluded.version")) {
            for (EventEnvelope event : events) {
                var poison = event.payload().get("poison");
                if (poison != null && broken.contains(poison.asString())) {
                    throw new IllegalStateException("cannot handle poison " + poison.asString());
                }
                upsert.setString(1, event.aggregateId());
                upsert.setLong(2, event.aggregateVersion());
                upsert.addBatch();
            }
            upsert.executeBatch();
        }
    }
}
