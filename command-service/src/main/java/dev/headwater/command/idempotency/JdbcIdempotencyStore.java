package dev.headwater.command.idempotency;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

final class JdbcIdempotencyStore implements IdempotencyStore {

    static final String FIND = """
            SELECT request_hash, response_status, response_body, consistency_token, location
              FROM command.idempotency_keys
             WHERE scope = ? AND idempotency_key = ? AND expires_at > ?
            """;

    /**
     * An expired record is replaced; a live one is left alone and nothing is returned. A concurrent
     * insert of the same key makes this wait for that transaction, then see its outcome.
     */
    static final String RECORD = """
            INSERT INTO command.idempotency_keys AS k (scope, idempotency_key, request_hash, response_status,
                                                       response_body, consistency_token, location,
                                                       created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (scope, idempotency_key) DO UPDATE
               SET request_hash = excluded.request_hash,
                   response_status = excluded.response_status,
                   response_body = excluded.response_body,
                   consistency_token = excluded.consistency_token,
                   location = excluded.location,
                   created_at = excluded.created_at,
                   expires_at = excluded.expires_at
             WHERE k.expires_at <= excluded.created_at
            """;

    /** In small batches, so the cleanup never holds many row locks or a long transaction. */
    static final String DELETE_EXPIRED = """
            DELETE FROM command.idempotency_keys
             WHERE ctid IN (SELECT ctid FROM command.idempotency_keys WHERE expires_at <= ? LIMIT ?)
            """;

    private final JdbcTemplate jdbc;

    JdbcIdempotencyStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<StoredResponse> find(String scope, String key, Instant now) {
        return jdbc
                .query(
                        FIND,
                        (rows, index) -> new StoredResponse(
                                rows.getString("request_hash"),
                                rows.getInt("response_status"),
                                rows.getString("response_body"),
                                rows.getString("consistency_token"),
                                rows.getString("location")),
                        scope,
                        key,
                        Timestamp.from(now))
                .stream()
                .findFirst();
    }

    @Override
    public boolean record(String scope, String key, StoredResponse response, Instant now, Instant expiresAt) {
        int rows = jdbc.update(
                RECORD,
                scope,
                key,
                response.requestHash(),
                response.status(),
                response.body(),
                response.consistencyToken(),
                response.location(),
                Timestamp.from(now),
                Timestamp.from(expiresAt));
        return rows == 1;
    }

    @Override
    public int deleteExpired(Instant now, int limit) {
        return jdbc.update(DELETE_EXPIRED, Timestamp.from(now), limit);
    }
}
