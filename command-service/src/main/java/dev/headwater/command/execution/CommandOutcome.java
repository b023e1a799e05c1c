package dev.headwater.command.execution;

import dev.headwater.command.eventstore.AppendResult;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a command did: the append, the HTTP status that says so, and fields the response adds to
 * the standard ones (aggregate type, id, version, global positions, consistency token).
 *
 * @param secretFields names among {@code fields} that are shown once and never stored, so a
 *     replay under the same idempotency key answers without them
 */
public record CommandOutcome(
        AppendResult append,
        int status,
        @Nullable String location,
        Map<String, Object> fields,
        Set<String> secretFields) {

    public CommandOutcome {
        Objects.requireNonNull(append, "append");
        fields = Map.copyOf(fields);
        secretFields = Set.copyOf(secretFields);
    }

    public static CommandOutcome created(AppendResult append, String location, Map<String, Object> fields) {
        return new CommandOutcome(append, 201, location, fields, Set.of());
    }

    public static CommandOutcome ok(AppendResult append, Map<String, Object> fields) {
        return new CommandOutcome(append, 200, null, fields, Set.of());
    }

    public CommandOutcome withSecret(String name, String value) {
        Map<String, Object> more = new java.util.HashMap<>(fields);
        more.put(name, value);
        Set<String> secrets = new java.util.HashSet<>(secretFields);
        secrets.add(name);
        return new CommandOutcome(append, status, location, more, secrets);
    }
}
