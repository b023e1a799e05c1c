package dev.headwater.projector.events;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.runtime.MultiRow;
import dev.headwater.projector.runtime.MultiRow.Kind;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The net effect of one entity's own events within a batch (a tenant or a node): fields left null
 * stay as they are in the row. Each view folds its events into it; {@link #write} upserts all
 * patches of a batch with one statement.
 */
public final class StatusPatch {

    /** Folds one event into a patch; the view knows what its events mean. */
    @FunctionalInterface
    public interface Folder {
        void fold(EventEnvelope event, StatusPatch patch);
    }

    public @Nullable String status;
    /** Replaces the reason whenever {@link #status} is set (null clears it). */
    public @Nullable String reason;
    /** One more text column: the tenant's name, the node's labels (JSON). */
    public @Nullable String detail;

    public @Nullable Resources resources;
    /** When the entity came to be (created, registered). */
    public @Nullable Instant since;

    private Instant updatedAt = Instant.EPOCH;
    private long version;

    /** Patches per entity id from the events of the entity's own aggregate type. */
    public static Map<String, StatusPatch> fold(List<EventEnvelope> events, String aggregateType, Folder folder) {
        Map<String, StatusPatch> patches = new LinkedHashMap<>();
        for (EventEnvelope event : events) {
            if (aggregateType.equals(event.aggregateType())) {
                StatusPatch patch = patches.computeIfAbsent(event.aggregateId(), id -> new StatusPatch());
                folder.fold(event, patch);
                if (event.recordedAt().isAfter(patch.updatedAt)) {
                    patch.updatedAt = event.recordedAt();
                }
                patch.version = Math.max(patch.version, event.aggregateVersion());
            }
        }
        return patches;
    }

    /**
     * Upserts the patches with one statement whose array parameters are, in order: id, status,
     * reason, detail (text), cpu, memory, gpus (bigint), since, updated at (timestamptz as text),
     * version (bigint).
     */
    public static void write(Connection connection, String sql, Map<String, StatusPatch> patches) throws SQLException {
        MultiRow rows = new MultiRow(
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
        patches.forEach((id, p) -> rows.add(
                id,
                p.status,
                p.reason,
                p.detail,
                p.resources == null ? null : p.resources.cpuMillis(),
                p.resources == null ? null : p.resources.memoryMib(),
                p.resources == null ? null : p.resources.gpus(),
                p.since,
                p.updatedAt,
                p.version));
        rows.execute(connection, sql);
    }
}
