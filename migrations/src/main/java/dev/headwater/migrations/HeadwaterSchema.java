package dev.headwater.migrations;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * The one place that knows how the schema is installed: the role bootstrap, the Flyway settings
 * (read from {@code db/flyway.properties}, which the test support reads too) and the wal_level
 * precondition. The migrator, the services' start-up check and the tests all go through here.
 */
public final class HeadwaterSchema {

    /** Classpath resource with the Flyway settings shared by every caller. */
    public static final String FLYWAY_PROPERTIES = "db/flyway.properties";
    /** Classpath resource with the idempotent, cluster-level role bootstrap. */
    public static final String ROLES_SQL = "db/bootstrap/roles.sql";

    private HeadwaterSchema() {}

    /** The platform's database roles, each with one job (DESIGN.md §3). */
    public enum Role {
        OWNER("headwater_owner"),
        APP("headwater_app"),
        CDC("headwater_cdc"),
        PROJECTOR("headwater_projector");

        private final String roleName;

        Role(String roleName) {
            this.roleName = roleName;
        }

        public String roleName() {
            return roleName;
        }
    }

    /** A Flyway instance on the given data source with the shared settings. */
    public static Flyway flyway(DataSource dataSource) {
        return Flyway.configure(HeadwaterSchema.class.getClassLoader())
                .configuration(flywayProperties())
                .dataSource(dataSource)
                .load();
    }

    /**
     * Creates the roles if missing and sets the passwords given (a role without one keeps its
     * current password). Needs a superuser connection: only a superuser may grant REPLICATION.
     */
    public static void bootstrapRoles(DataSource superuser, Map<Role, String> passwords) {
        try (Connection connection = superuser.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(resource(ROLES_SQL));
            for (Map.Entry<Role, String> entry : passwords.entrySet()) {
                statement.execute(
                        "ALTER ROLE " + entry.getKey().roleName() + " PASSWORD " + quoteLiteral(entry.getValue()));
            }
        } catch (SQLException e) {
            throw new SchemaException("Creating the Headwater roles failed: " + e.getMessage(), e);
        }
    }

    /**
     * Creates the database, owned by {@code headwater_owner}, unless it exists. Needs a superuser
     * (or CREATEDB) connection to another database of the same server.
     *
     * @return whether it was created
     */
    public static boolean createDatabaseIfMissing(DataSource superuser, String database) {
        try (Connection connection = superuser.getConnection()) {
            try (var query = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                query.setString(1, database);
                try (var rows = query.executeQuery()) {
                    if (rows.next()) {
                        return false;
                    }
                }
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + quoteIdentifier(database) + " OWNER " + Role.OWNER.roleName());
            }
            return true;
        } catch (SQLException e) {
            throw new SchemaException("Creating database " + database + " failed: " + e.getMessage(), e);
        }
    }

    /** Applies pending migrations; a no-op when the schema is current. */
    public static MigrateResult migrate(DataSource owner) {
        return flyway(owner).migrate();
    }

    /**
     * Fails with an explanation unless every migration this build knows is applied and the
     * database has none it does not know. Services call it at start.
     */
    public static void requireCurrent(DataSource dataSource) {
        ValidateResult result = flyway(dataSource).validateWithResult();
        if (!result.validationSuccessful) {
            StringBuilder message = new StringBuilder("The database schema does not match this build");
            result.invalidMigrations.forEach(invalid -> message.append("\n  - ")
                    .append(invalid.version == null ? invalid.filepath : "version " + invalid.version)
                    .append(": ")
                    .append(invalid.errorDetails.errorMessage));
            message.append("\nRun the migrator (migrate) of the release that matches this service,"
                    + " or deploy the service that matches the database.");
            throw new SchemaException(message.toString(), null);
        }
    }

    /** Logical decoding needs wal_level=logical; this says so before anything else fails. */
    public static void requireLogicalWal(DataSource dataSource) {
        String walLevel = walLevel(dataSource);
        if (!"logical".equals(walLevel)) {
            throw new SchemaException(
                    "The server runs with wal_level=" + walLevel + ", but the CDC relay needs wal_level=logical."
                            + " Set wal_level = logical in postgresql.conf (or ALTER SYSTEM SET wal_level = logical)"
                            + " and restart Postgres; or pass --allow-non-logical-wal to migrate anyway.",
                    null);
        }
    }

    public static String walLevel(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery("SHOW wal_level")) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new SchemaException("Reading wal_level failed: " + e.getMessage(), e);
        }
    }

    static Properties flywayProperties() {
        Properties properties = new Properties();
        try (InputStream in = open(FLYWAY_PROPERTIES)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    static String resource(String name) {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String name) {
        return Objects.requireNonNull(
                HeadwaterSchema.class.getClassLoader().getResourceAsStream(name),
                () -> name + " is not on the classpath");
    }

    static String quoteIdentifier(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a valid database name: '" + name + "'");
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A SQL string literal; ALTER ROLE takes no bind parameters. */
    static String quoteLiteral(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a password may not contain a NUL character");
        }
        return "'" + value.replace("'", "''") + "'";
    }
}
