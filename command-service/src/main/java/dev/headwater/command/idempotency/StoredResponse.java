package dev.headwater.command.idempotency;

import org.jspecify.annotations.Nullable;

/** A response recorded under an idempotency key, with the hash of the request it answered. */
public record StoredResponse(
        String requestHash,
        int status,
        String body,
        @Nullable String consistencyToken,
        @Nullable String location) {}
