package dev.headwater.command.execution;

import org.jspecify.annotations.Nullable;

/**
 * A command that its invariants refuse: a permanent answer for this request, reported to the
 * caller as a problem and never retried. Nothing was written.
 */
public final class CommandRejected extends RuntimeException {

    /** Why, with the HTTP status and the problem type's last path segment. */
    public enum Reason {
        INVALID_INPUT(400, "invalid-input", "Invalid input"),
        NOT_FOUND(404, "not-found", "Not found"),
        ALREADY_EXISTS(409, "already-exists", "Already exists"),
        INVALID_STATE(409, "invalid-state", "Not allowed in the current state"),
        QUOTA_EXCEEDED(409, "quota-exceeded", "Tenant quota exceeded"),
        INSUFFICIENT_CAPACITY(409, "insufficient-capacity", "No node has enough free capacity"),
        INVALID(422, "invalid-command", "Invalid command"),
        IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused", "Idempotency key used for a different request");

        private final int status;
        private final String type;
        private final String title;

        Reason(int status, String type, String title) {
            this.status = status;
            this.type = type;
            this.title = title;
        }

        public int status() {
            return status;
        }

        public String type() {
            return type;
        }

        public String title() {
            return title;
        }
    }

    private final Reason reason;
    private final @Nullable String field;

    public CommandRejected(Reason reason, String detail, @Nullable String field) {
        super(detail);
        this.reason = reason;
        this.field = field;
    }

    public CommandRejected(Reason reason, String detail) {
        this(reason, detail, null);
    }

    public Reason reason() {
        return reason;
    }

    /** The request field at fault, where one is. */
    public @Nullable String field() {
        return field;
    }
}
