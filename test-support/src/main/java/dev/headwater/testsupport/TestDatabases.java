package dev.headwater.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates test databases fast: the schema is installed once per JVM into a template database, as
 * the migrator would install it (role bootstrap as superuser, migrations as the owner), and each
 * test class gets a copy. Databases are named {@code hwt_<pid>_...}, so databases left behind by a
 * JVM that died are recognised and dropped by the next run on the same machine.
 */
public final class TestDatabases {

    static final String FLYWAY_PROPERTIES = "db/flyway.properties";
    static final String ROLES_SQL = "db/bootstrap/roles.sql";
    private static final Logger log = LoggerFactory.getLogger(TestDatabases.class);
    private static final long PID = ProcessHandle.current().pid();
    private static final Pattern OWNED_NAME = Pattern.compile("hwt_(\\d+)_.*");
    private static final String OBJECT_IN_USE = "55006";
    private static final AtomicInteger counter = new AtomicInteger();
    private static @Nullable String template;

    private TestDatabases() {}

    /** A fresh database holding the current schema (or an empty one where no schema is on the classpath). */
    public static TestDatabase create() {
        PostgresServer server = PostgresServers.shared();
        String source = template(server);
        String name = "hwt_" + PID + "_" + counter.incrementAndGet();
        executeWithRetry(
                server,
                "CREATE DATABASE " + name + " TEMPLATE " + source
                        + (schemaOnClasspath() ? " OWNER headwater_owner" : ""));
        return new TestDatabase(server, name);
    }

    /**
     * A database name of this JVM that nothing has created yet, for tests that create the database
     * themselves (the migrator's {@code init}, say); {@link TestDatabase#close()} drops it if it exists.
     */
    public static TestDatabase reserve() {
        PostgresServer server = PostgresServers.shared();
        template(server);
        return new TestDatabase(server, "hwt_" + PID + "_" + counter.incrementAndGet());
    }

    /** Whether the migrations are on the classpath (they are, for every module but this one). */
    public static boolean schemaOnClasspath() {
        return resource(FLYWAY_PROPERTIES) != null;
    }

    private static synchronized String template(PostgresServer server) {
        if (template == null) {
            dropLeftovers(server);
            String name = "hwt_" + PID + "_template";
            long started = System.nanoTime();
            execute(server, "CREATE DATABASE " + name);
            if (schemaOnClasspath()) {
                installSchema(server, name);
            }
            execute(server, "ALTER DATABASE " + name + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
            template = name;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(server, name), "test-template-drop"));
            log.info("Template database {} ready in {} ms", name, (System.nanoTime() - started) / 1_000_000);
        }
        return template;
    }

    private static void installSchema(PostgresServer server, String database) {
        try (Connection connection = server.connectAsSuperuser();
                Statement statement = connection.createStatement()) {
            statement.execute(text(ROLES_SQL));
            for (DbRole role : DbRole.values()) {
                statement.execute("ALTER ROLE " + role.roleName() + " LOGIN PASSWORD '" + role.testPassword() + "'");
            }
            statement.execute("ALTER DATABASE " + database + " OWNER TO " + DbRole.OWNER.roleName());
        } catch (SQLException e) {
            throw new IllegalStateException("Bootstrapping the Headwater roles failed: " + e.getMessage(), e);
        }
        Properties properties = new Properties();
        try (InputStream in = resource(FLYWAY_PROPERTIES)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Flyway.configure(TestDatabases.class.getClassLoader())
                .configuration(properties)
                .dataSource(server.dataSource(database, DbRole.OWNER.roleName(), DbRole.OWNER.testPassword()))
                .load()
                .migrate();
    }

    static void drop(PostgresServer server, String database) {
        try (Connection connection = server.connectAsSuperuser()) {
            try (PreparedStatement exists =
                    connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, database);
                try (ResultSet rows = exists.executeQuery()) {
                    if (!rows.next()) {
                        return;
                    }
                }
            }
            try (PreparedStatement slots = connection.prepareStatement("""
                    SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots
                     WHERE database = ? AND active_pid IS NOT NULL""")) {
                slots.setString(1, database);
                slots.execute();
            }
            try (PreparedStatement slots = connection.prepareStatement(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = ? AND NOT active")) {
                slots.setString(1, database);
                slots.execute();
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("ALTER DATABASE " + database + " WITH IS_TEMPLATE false");
                statement.execute("DROP DATABASE " + database + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            log.warn("Could not drop test database {}: {}", database, e.getMessage());
        }
    }

    /** Drops databases of test JVMs on this machine that are no longer alive. */
    private static void dropLeftovers(PostgresServer server) {
        if (!isLoopback(server.host())) {
            return;
        }
        List<String> stale = new ArrayList<>();
        try (Connection connection = server.connectAsSuperuser();
                Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'hwt\\_%'")) {
            while (rows.next()) {
                Matcher matcher = OWNED_NAME.matcher(rows.getString(1));
                if (matcher.matches()
                        && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty()) {
                    stale.add(rows.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot list databases on " + server.origin() + ": " + e.getMessage(), e);
        }
        for (String database : stale) {
            log.info("Dropping {}, left behind by a test JVM that is gone", database);
            drop(server, database);
        }
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static void execute(PostgresServer server, String sql) {
        try (Connection connection = server.connectAsSuperuser();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
        }
    }

    /** CREATE DATABASE fails while another session still sits in the template; that passes quickly. */
    private static void executeWithRetry(PostgresServer server, String sql) {
        for (int attempt = 1; ; attempt++) {
            try {
                execute(server, sql);
                return;
            } catch (IllegalStateException e) {
                boolean templateInUse =
                        e.getCause() instanceof SQLException cause && OBJECT_IN_USE.equals(cause.getSQLState());
                if (attempt == 20 || !templateInUse) {
                    throw e;
                }
                sleepQuietly(100L * attempt);
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static @Nullable InputStream resource(String name) {
        return TestDatabases.class.getClassLoader().getResourceAsStream(name);
    }

    private static String text(String name) {
        try (InputStream in = resource(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
