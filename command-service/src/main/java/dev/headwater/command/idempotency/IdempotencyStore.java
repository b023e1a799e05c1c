package dev.headwater.command.idempotency;

import java.time.Instant;
import java.util.Optional;

/** Responses by idempotency key. Joins the caller's transaction. */
public interface IdempotencyStore {

    /** The response recorded under the key, unless none is or it expired before {@code now}. */
    Optional<StoredResponse> find(String scope, String key, Instant now);

    /**
     * Records the response under the key, replacing an expired record. Returns false when a live
     * record exists, written by a concurrent request that committed first: the caller must then
     * roll back and answer from that record.
     */
    boolean record(String scope, String key, StoredResponse response, Instant now, Instant expiresAt);

    /** Deletes up to {@code limit} records that expired before {@code now}; returns how many. */
    int deleteExpired(Instant now, int limit);
}
