package dev.headwater.command.http;

import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.command.controlplane.Quantities;
import dev.headwater.command.controlplane.Resources;
import dev.headwater.web.problem.ApiProblem;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Request validation; every failure is a 400 problem naming the field. */
public final class Input {

    /** Labels: Kubernetes-like keys and values. */
    private static final Pattern LABEL_KEY = Pattern.compile("[a-z0-9]([a-z0-9./_-]{0,61}[a-z0-9])?");

    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?");
    private static final int MAX_LABELS = 64;

    private Input() {}

    /** A tenant or node id: 1–64 characters of {@code [a-z0-9-]}, starting with a letter or digit. */
    public static String id(String field, @Nullable String value) {
        String text = required(field, value);
        if (!ControlPlane.ID.matcher(text).matches()) {
            throw ApiProblem.badRequest(
                    field, field + " must be 1–64 characters of a-z, 0-9 and '-', starting with a letter or digit");
        }
        return text;
    }

    public static UUID uuid(String field, String value) {
        try {
            if (value.length() == 36) {
                return UUID.fromString(value);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the problem below
        }
        throw ApiProblem.badRequest(field, field + " must be a UUID");
    }

    public static String required(String field, @Nullable String value) {
        if (value == null || value.isEmpty()) {
            throw ApiProblem.badRequest(field, field + " is required");
        }
        return value;
    }

    /** Free text for humans (names, reasons): 1 to {@code max} characters, no control characters. */
    public static String text(String field, @Nullable String value, int max) {
        String text = required(field, value);
        if (text.length() > max) {
            throw ApiProblem.badRequest(field, field + " is longer than " + max + " characters");
        }
        requirePrintable(field, text);
        return text;
    }

    /** Like {@link #text} but may be absent. */
    public static String optionalText(String field, @Nullable String value, int max, String fallback) {
        return value == null ? fallback : text(field, value, max);
    }

    public static Resources resources(String field, @Nullable ResourcesBody body) {
        if (body == null) {
            throw ApiProblem.badRequest(field, field + " is required");
        }
        return new Resources(
                quantity(field + ".cpuMillis", body.cpuMillis(), Quantities.MAX_CPU_MILLIS),
                quantity(field + ".memoryMib", body.memoryMib(), Quantities.MAX_MEMORY_MIB),
                quantity(field + ".gpus", body.gpus(), Quantities.MAX_GPUS));
    }

    private static long quantity(String field, @Nullable Long value, long max) {
        if (value == null) {
            throw ApiProblem.badRequest(field, field + " is required");
        }
        if (value < 0 || value > max) {
            throw ApiProblem.badRequest(field, field + " must be between 0 and " + max + ", was " + value);
        }
        return value;
    }

    public static Map<String, String> labels(String field, @Nullable Map<String, String> labels) {
        if (labels == null) {
            return Map.of();
        }
        if (labels.size() > MAX_LABELS) {
            throw ApiProblem.badRequest(field, field + " may hold at most " + MAX_LABELS + " labels");
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!LABEL_KEY.matcher(label.getKey()).matches()) {
                throw ApiProblem.badRequest(
                        field,
                        "label key '" + printable(label.getKey()) + "' must be 1–63 characters of a-z, 0-9, . / _ -");
            }
            if (label.getValue() == null
                    || !LABEL_VALUE.matcher(label.getValue()).matches()) {
                throw ApiProblem.badRequest(
                        field + "." + label.getKey(), "a label value is 0–63 characters of A-Z, a-z, 0-9, . _ -");
            }
        }
        return labels;
    }

    /**
     * A JSON payload the log can hold: an object, no NUL character in any key or string (Postgres
     * text cannot store one), no non-finite number.
     */
    public static JsonNode payload(String field, @Nullable JsonNode payload) {
        if (payload == null || !payload.isObject()) {
            throw ApiProblem.badRequest(field, field + " must be a JSON object");
        }
        requireStorable(field, payload);
        return payload;
    }

    private static void requireStorable(String field, JsonNode node) {
        if (node.isString() && node.asString().indexOf('\0') >= 0) {
            throw ApiProblem.badRequest(field, field + " contains a NUL character");
        }
        if (node.isNumber() && node.isFloatingPointNumber() && !Double.isFinite(node.asDouble())) {
            throw ApiProblem.badRequest(field, field + " is not a finite number");
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                if (property.getKey().indexOf('\0') >= 0) {
                    throw ApiProblem.badRequest(field, field + " has a key with a NUL character");
                }
                requireStorable(field + "." + property.getKey(), property.getValue());
            }
        } else if (node.isArray()) {
            Iterator<JsonNode> elements = node.values().iterator();
            for (int i = 0; elements.hasNext(); i++) {
                requireStorable(field + "[" + i + "]", elements.next());
            }
        }
    }

    private static void requirePrintable(String field, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                throw ApiProblem.badRequest(
                        field, field + " contains a control character (U+" + String.format("%04X", (int) c) + ")");
            }
        }
    }

    private static String printable(String text) {
        return text.replaceAll("\\p{Cntrl}", "?");
    }
}
