package dev.headwater.projector.events;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Field access on event payloads. A missing or mistyped required field is a permanent error of the
 * event (an {@link IllegalArgumentException}), which the runtime parks or halts on.
 */
public final class Payloads {

    private Payloads() {}

    public static String text(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw new IllegalArgumentException("payload field '" + field + "' must be a non-empty string");
        }
        return value.asString();
    }

    public static @Nullable String optionalText(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    public static long whole(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        if (value == null || !value.isIntegralNumber() || value.asLong() < 0) {
            throw new IllegalArgumentException("payload field '" + field + "' must be a whole number >= 0");
        }
        return value.asLong();
    }

    public static JsonNode object(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        if (value == null || !value.isObject()) {
            throw new IllegalArgumentException("payload field '" + field + "' must be an object");
        }
        return value;
    }

    /** The {@code quota}, {@code capacity} or {@code resources} object of a payload. */
    public static Resources resources(JsonNode payload, String field) {
        JsonNode node = object(payload, field);
        return new Resources(whole(node, "cpuMillis"), whole(node, "memoryMib"), whole(node, "gpus"));
    }
}
