package dev.headwater.projector.web;

import dev.headwater.web.problem.ApiProblem;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/** Parsing and bounds of the query parameters the listings share. */
public final class QueryParameters {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    private QueryParameters() {}

    public static int limit(@Nullable Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiProblem.badRequest("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    public static @Nullable Instant instant(String name, @Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest(name, "'" + text + "' is not an RFC 3339 time such as 2026-01-31T12:00:00Z");
        }
    }

    public static Instant requiredInstant(String name, @Nullable String text) {
        Instant value = instant(name, text);
        if (value == null) {
            throw ApiProblem.badRequest(name, name + " is required (an RFC 3339 time such as 2026-01-31T12:00:00Z)");
        }
        return value;
    }
}
