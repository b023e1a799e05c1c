package dev.headwater.e2e.load;

import org.jspecify.annotations.Nullable;

/**
 * One command as sent to the command API. The idempotency key makes it safe to send again after a
 * lost answer: the service then answers from its record instead of running the command twice.
 *
 * @param label the command in words, for reports ({@code allocation.place c03-t1})
 * @param body JSON text, or null for a request without a body
 */
public record CommandRequest(
        String label, String method, String path, @Nullable String body, String idempotencyKey) {}
