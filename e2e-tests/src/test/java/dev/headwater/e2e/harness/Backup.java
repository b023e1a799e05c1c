package dev.headwater.e2e.harness;

import dev.headwater.migrations.HeadwaterSchema;
import dev.headwater.testsupport.LocalPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Backup and restore with the server's own tools: {@code pg_dump} in custom format (one consistent
 * snapshot, taken while the platform keeps writing) and {@code pg_restore} into a new database.
 */
public final class Backup {

    private Backup() {}

    public static void dump(LocalPostgres postgres, String database, Path file) {
        run(postgres, List.of("pg_dump", "--format=custom", "--file=" + file.toAbsolutePath(), database));
    }

    /** Creates {@code database} (owned by the schema owner, as the migrator's init does) and restores into it. */
    public static void restore(LocalPostgres postgres, Path file, String database) {
        HeadwaterSchema.createDatabaseIfMissing(postgres.server().superuserDataSource("postgres"), database);
        run(
                postgres,
                List.of(
                        "pg_restore",
                        "--exit-on-error",
                        "--dbname=" + database,
                        file.toAbsolutePath().toString()));
    }

    /** Drops a restored database and the replication slots its relay made there. */
    public static void drop(LocalPostgres postgres, String database) {
        try (Connection connection =
                        postgres.server().superuserDataSource("postgres").getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE database = '" + database + "' AND NOT active");
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("Dropping " + database + " failed: " + e.getMessage(), e);
        }
    }

    private static void run(LocalPostgres postgres, List<String> arguments) {
        Path binaries = LocalPostgres.findBinaries()
                .orElseThrow(() -> new IllegalStateException(LocalPostgres.missingBinariesMessage()));
        List<String> command = new ArrayList<>();
        command.add(binaries.resolve(arguments.get(0)).toString());
        command.addAll(List.of("--host=127.0.0.1", "--port=" + postgres.port(), "--username=postgres"));
        command.addAll(arguments.subList(1, arguments.size()));
        try {
            Path output = Files.createTempFile("headwater-" + arguments.get(0), ".log");
            try {
                Process process = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(5, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(arguments.get(0) + " did not finish within 5 minutes");
                }
                if (process.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue()
                            + "):\n" + Files.readString(output));
                }
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + arguments.get(0), e);
        }
    }
}
