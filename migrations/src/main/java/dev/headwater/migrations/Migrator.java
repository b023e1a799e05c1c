package dev.headwater.migrations;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The release step that installs and checks the schema. Run it with no arguments for help. */
public final class Migrator {

    private static final Logger log = LoggerFactory.getLogger(Migrator.class);

    private final MigratorSettings settings;

    Migrator(MigratorSettings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) {
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            System.out.print(MigratorSettings.USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        try {
            MigratorSettings settings = MigratorSettings.from(arguments(args), System.getenv());
            new Migrator(settings).run(args[0]);
        } catch (SchemaException | IllegalArgumentException e) {
            log.error("{}", e.getMessage());
            System.exit(1);
        } catch (RuntimeException e) {
            log.error("migrator {} failed", args[0], e);
            System.exit(1);
        }
    }

    void run(String command) {
        long started = System.nanoTime();
        switch (command) {
            case "init" -> init();
            case "migrate" -> migrate();
            case "validate" -> validate();
            case "info" -> info();
            default ->
                throw new IllegalArgumentException(
                        "Unknown command '" + command + "'. Commands: init, migrate, validate, info.");
        }
        log.info(
                "{} done in {} ms",
                command,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    void init() {
        var admin = settings.admin();
        HeadwaterSchema.bootstrapRoles(admin, settings.rolePasswords());
        log.info(
                "roles ready ({} passwords set from configuration)",
                settings.rolePasswords().size());
        String database = settings.databaseName();
        if (HeadwaterSchema.createDatabaseIfMissing(admin, database)) {
            log.info("database {} created, owned by headwater_owner", database);
        } else {
            log.info("database {} exists; left as it is", database);
        }
    }

    void migrate() {
        var database = settings.database();
        if (settings.allowNonLogicalWal()) {
            log.warn("wal_level check skipped (--allow-non-logical-wal); the CDC relay will not run here");
        } else {
            HeadwaterSchema.requireLogicalWal(database);
        }
        MigrateResult result = HeadwaterSchema.migrate(database);
        if (result.migrationsExecuted == 0) {
            log.info("schema is current at version {}; nothing to apply", result.initialSchemaVersion);
        } else {
            log.info(
                    "applied {} migration(s): {} -> {}",
                    result.migrationsExecuted,
                    result.initialSchemaVersion == null ? "empty" : result.initialSchemaVersion,
                    result.targetSchemaVersion);
        }
    }

    void validate() {
        HeadwaterSchema.requireCurrent(settings.database());
        log.info("schema matches this build");
    }

    void info() {
        for (MigrationInfo migration :
                HeadwaterSchema.flyway(settings.database()).info().all()) {
            System.out.printf(
                    "%-8s %-40s %-10s %s%n",
                    migration.getVersion(),
                    migration.getDescription(),
                    migration.getState().getDisplayName(),
                    migration.getInstalledOn() == null ? "" : migration.getInstalledOn());
        }
    }

    static Map<String, String> arguments(String[] args) {
        Map<String, String> parsed = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Expected --name=value, got '" + arg + "'");
            }
            int equals = arg.indexOf('=');
            if (equals < 0) {
                parsed.put(arg.substring(2), "");
            } else {
                parsed.put(arg.substring(2, equals), arg.substring(equals + 1));
            }
        }
        return parsed;
    }
}
