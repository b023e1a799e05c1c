package dev.headwater.command.execution;

import org.jspecify.annotations.Nullable;

/**
 * The answer to a command as sent, and as stored under its idempotency key.
 *
 * @param body the JSON text of the body
 * @param replayed whether this is the stored answer to an earlier request with the same key
 */
public record CommandResponse(
        int status,
        String body,
        @Nullable String consistencyToken,
        @Nullable String location,
        boolean replayed) {

    public CommandResponse asReplay() {
        return new CommandResponse(status, body, consistencyToken, location, true);
    }
}
