package dev.headwater.local;

import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where the local stack keeps its data and which ports it uses. Every setting is an environment
 * variable with its default here, and nowhere else.
 *
 * @param root the checkout, where the services' jars are built
 * @param home data of Postgres and Kafka, logs and secrets ({@code HEADWATER_HOME}, default
 *     {@code <root>/.headwater})
 * @param databaseUrl a superuser JDBC URL of an existing server to use instead of a local one
 *     ({@code HEADWATER_DB_URL}); it must run with {@code wal_level=logical}
 * @param kafkaBootstrap an existing broker to use instead of a local one
 *     ({@code HEADWATER_KAFKA_BOOTSTRAP})
 */
record StackSettings(
        Path root,
        Path home,
        @Nullable String databaseUrl,
        @Nullable String kafkaBootstrap,
        int postgresPort,
        int kafkaPort,
        int commandPort,
        int projectorPort,
        int cdcPort) {

    static final String DATABASE = "headwater";

    static StackSettings from(Map<String, String> env, Path root) {
        return new StackSettings(
                root.toAbsolutePath(),
                Path.of(env.getOrDefault(
                                "HEADWATER_HOME", root.resolve(".headwater").toString()))
                        .toAbsolutePath(),
                blankToNull(env.get("HEADWATER_DB_URL")),
                blankToNull(env.get("HEADWATER_KAFKA_BOOTSTRAP")),
                port(env, "HEADWATER_PG_PORT", 55432),
                port(env, "HEADWATER_KAFKA_PORT", 19092),
                port(env, "HEADWATER_COMMAND_PORT", 8081),
                port(env, "HEADWATER_PROJECTOR_PORT", 8082),
                port(env, "HEADWATER_CDC_PORT", 8083));
    }

    Path jarOf(String module) {
        Path target = root.resolve(module).resolve("target");
        try (var files = java.nio.file.Files.list(target)) {
            return files.filter(p -> p.getFileName()
                            .toString()
                            .matches(java.util.regex.Pattern.quote(module) + "-[0-9].*\\.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-exec.jar"))
                    .findFirst()
                    .orElseThrow();
        } catch (java.io.IOException | java.util.NoSuchElementException e) {
            throw new IllegalStateException("No built jar of " + module + " in " + target
                    + ". Fix: build first (bin/headwater-local does: ./mvnw package -DskipTests).");
        }
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a port number, was '" + value + "'");
        }
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
