package dev.headwater.projector.runtime;

/** A refused admin request: the thing does not exist, or its state does not allow the action. */
public final class AdminException extends RuntimeException {

    /** How the refusal maps to HTTP: 404 or 409. */
    public enum Kind {
        NOT_FOUND,
        CONFLICT
    }

    private final Kind kind;

    public AdminException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
