package dev.headwater.command.execution;

import org.jspecify.annotations.Nullable;

/**
 * One command to run.
 *
 * @param commandType a stable name for metrics and logs, for example {@code tenant.create}
 * @param scope whose idempotency keys the key belongs to: the caller's tenant, {@code platform}
 *     for platform admins
 * @param idempotencyKey the caller's key, or null when it sent none
 * @param requestHash SHA-256 of what identifies the request (method, path, preconditions, body);
 *     computed only when there is a key to record it under, else empty
 * @param pinned whether the caller pinned the version it acted on (then a lost race is reported,
 *     not retried)
 * @param singleStatement whether the command writes with exactly one statement and only reads
 *     after that statement wrote nothing: without an idempotency key to record beside it, it then
 *     needs no transaction of its own, since one statement is atomic on its own
 */
public record CommandRequest(
        String commandType,
        String scope,
        @Nullable String idempotencyKey,
        String requestHash,
        boolean pinned,
        boolean singleStatement) {}
