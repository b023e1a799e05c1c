package dev.headwater.projector.token;

import static dev.headwater.projector.events.ControlPlaneEvents.*;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.events.Payloads;
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

/** Projection {@code api-tokens}: hash → tenant, role, revoked. Only hashes are ever stored. */
@Component
class ApiTokensProjection implements Projection {

    static final String NAME = "api-tokens";

    static final String UPSERT = """
            WITH k AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[],
                                            ?::text[], ?::timestamptz[], ?::timestamptz[])
                         AS k(token_id, tenant_id, token_hash, role, name, revoked, revoked_reason, issued_at,
                              revoked_at))
            INSERT INTO api_tokens AS t (token_id, tenant_id, token_hash, role, name, revoked, revoked_reason,
                   issued_at, revoked_at)
            SELECT * FROM k
            ON CONFLICT (token_id) DO UPDATE SET
                revoked = excluded.revoked, revoked_reason = excluded.revoked_reason, revoked_at = excluded.revoked_at
            """;

    static final String ISSUED = """
            SELECT token_id, tenant_id, token_hash, role, name, issued_at FROM api_tokens WHERE token_id = ANY (?)
            """;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> aggregateTypes() {
        return Set.of(API_TOKEN);
    }

    @Override
    public Set<String> eventTypes() {
        return Set.of(API_TOKEN_ISSUED, API_TOKEN_REVOKED);
    }

    @Override
    public List<String> tables() {
        return List.of("api_tokens");
    }

    @Override
    public void apply(List<EventEnvelope> events, ProjectionTransaction transaction) throws SQLException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (EventEnvelope event : events) {
            switch (event.eventType()) {
                case API_TOKEN_ISSUED ->
                    rows.put(
                            event.aggregateId(),
                            new Row(
                                    event.tenantId(),
                                    Payloads.text(event.payload(), "tokenHash"),
                                    Payloads.text(event.payload(), "role"),
                                    Payloads.optionalText(event.payload(), "name"),
                                    event.recordedAt()));
                case API_TOKEN_REVOKED -> {
                    Row row = rows.computeIfAbsent(event.aggregateId(), id -> new Row(null, null, null, null, null));
                    row.revokedAt = event.recordedAt();
                    row.revokedReason = Payloads.optionalText(event.payload(), "reason");
                }
                default -> throw new IllegalArgumentException("unexpected token event " + event.eventType());
            }
        }
        fillIssued(transaction, rows);
        MultiRow upserts = new MultiRow(
                Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.TEXT, Kind.BOOLEAN, Kind.TEXT, Kind.TEXT, Kind.TEXT);
        rows.forEach((id, row) -> upserts.add(
                id,
                row.tenant,
                row.hash,
                row.role,
                row.name,
                row.revokedAt != null,
                row.revokedReason,
                row.issuedAt,
                row.revokedAt));
        upserts.execute(transaction.connection(), UPSERT);
    }

    /** A revocation of a token issued in an earlier batch needs the columns the upsert must not null. */
    private static void fillIssued(ProjectionTransaction transaction, Map<String, Row> rows) throws SQLException {
        List<String> missing = rows.entrySet().stream()
                .filter(e -> e.getValue().hash == null)
                .map(Map.Entry::getKey)
                .toList();
        if (missing.isEmpty()) {
            return;
        }
        var connection = transaction.connection();
        var ids = connection.createArrayOf("text", missing.toArray());
        try (var statement = connection.prepareStatement(ISSUED)) {
            statement.setArray(1, ids);
            try (var found = statement.executeQuery()) {
                while (found.next()) {
                    Row row = rows.get(found.getString(1));
                    row.tenant = found.getString(2);
                    row.hash = found.getString(3);
                    row.role = found.getString(4);
                    row.name = found.getString(5);
                    row.issuedAt = found.getTimestamp(6).toInstant();
                }
            }
        } finally {
            ids.free();
        }
        for (String id : missing) {
            if (rows.get(id).hash == null) {
                throw new IllegalStateException("token " + id + " was revoked but never issued");
            }
        }
    }

    private static final class Row {
        @Nullable
        String tenant;

        @Nullable
        String hash;

        @Nullable
        String role;

        @Nullable
        String name;

        @Nullable
        Instant issuedAt;

        @Nullable
        Instant revokedAt;

        @Nullable
        String revokedReason;

        Row(
                @Nullable String tenant,
                @Nullable String hash,
                @Nullable String role,
                @Nullable String name,
                @Nullable Instant issuedAt) {
            this.tenant = tenant;
            this.hash = hash;
            this.role = role;
            this.name = name;
            this.issuedAt = issuedAt;
        }
    }
}
