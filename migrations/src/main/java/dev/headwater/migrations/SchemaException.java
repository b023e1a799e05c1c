package dev.headwater.migrations;

import org.jspecify.annotations.Nullable;

/** The schema cannot be installed or does not match: a permanent failure with a reason to read. */
public final class SchemaException extends RuntimeException {

    public SchemaException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
