package dev.headwater.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Command-line settings of a figure ({@code --rounds=3 --seconds=15 --events=1000000}); each
 * figure names its own defaults, so that the plain command reproduces docs/benchmarks.md.
 */
record Options(Map<String, String> values) {

    static Options parse(String[] args, int from) {
        Map<String, String> values = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("Expected --name=value, got '" + arg + "'");
            }
            values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        return new Options(Map.copyOf(values));
    }

    int integer(String name, int fallback) {
        String value = values.get(name);
        try {
            return value == null ? fallback : Integer.parseInt(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, was '" + value + "'");
        }
    }

    Duration seconds(String name, int fallback) {
        return Duration.ofSeconds(integer(name, fallback));
    }

    /** One of {@code allowed}; the first is the default. */
    String choice(String name, String... allowed) {
        String value = values.getOrDefault(name, allowed[0]);
        if (!java.util.List.of(allowed).contains(value)) {
            throw new IllegalArgumentException(
                    "--" + name + " must be one of " + String.join(", ", allowed) + ", was '" + value + "'");
        }
        return value;
    }

    int rounds(int fallback) {
        return integer("rounds", fallback);
    }

    /**
     * Settings passed through to a service, for trying a setting before changing its default:
     * {@code --cdc.engine.poll-interval=5ms} becomes {@code headwater.cdc.engine.poll-interval=5ms}
     * for {@code prefix} {@code "cdc."} and {@code target} {@code "headwater.cdc."}.
     */
    Map<String, String> passThrough(String prefix, String target) {
        Map<String, String> result = new HashMap<>();
        values.forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                result.put(target + name.substring(prefix.length()), value);
            }
        });
        return Map.copyOf(result);
    }
}
