package dev.headwater.testsupport;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Finds the one Postgres server a test JVM uses, in this order: {@code HEADWATER_TEST_DB_URL} (a
 * superuser JDBC URL of a server with {@code wal_level=logical}), else a server started from the
 * installed binaries, else a Testcontainers container when a Docker engine answers.
 */
public final class PostgresServers {

    public static final String URL_VARIABLE = "HEADWATER_TEST_DB_URL";
    private static final Logger log = LoggerFactory.getLogger(PostgresServers.class);
    private static @Nullable PostgresServer shared;

    private PostgresServers() {}

    /** The server of this JVM, started or connected on first use and stopped when the JVM exits. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = resolve();
            requireUsable(shared);
            log.info("Integration tests use Postgres from {}", shared.origin());
        }
        return shared;
    }

    private static PostgresServer resolve() {
        String url = System.getenv(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            url = System.getProperty("headwater.test.db.url");
        }
        if (url != null && !url.isBlank()) {
            return fromUrl(url);
        }
        if (LocalPostgres.findBinaries().isPresent()) {
            LocalPostgres local = LocalPostgres.startEphemeral();
            Runtime.getRuntime().addShutdownHook(new Thread(local::close, "local-postgres-stop"));
            return local.server();
        }
        if (dockerAnswers()) {
            return fromContainer();
        }
        throw new IllegalStateException("No Postgres for the integration tests: set " + URL_VARIABLE
                + " to a superuser JDBC URL of a server with wal_level=logical, install the PostgreSQL"
                + " server binaries (Debian: apt-get install postgresql), or start a Docker engine.");
    }

    private static PostgresServer fromUrl(String url) {
        PGSimpleDataSource parsed = new PGSimpleDataSource();
        parsed.setUrl(url);
        String user = parsed.getUser() != null ? parsed.getUser() : "postgres";
        int port = parsed.getPortNumbers().length > 0 && parsed.getPortNumbers()[0] > 0
                ? parsed.getPortNumbers()[0]
                : 5432;
        return new PostgresServer(
                parsed.getServerNames()[0],
                port,
                user,
                parsed.getPassword(),
                URL_VARIABLE + " (" + parsed.getServerNames()[0] + ":" + port + ")");
    }

    @SuppressWarnings("resource") // stopped by Testcontainers' reaper when the JVM exits
    private static PostgresServer fromContainer() {
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine")
                .withCommand(
                        "postgres",
                        "-c",
                        "wal_level=logical",
                        "-c",
                        "max_replication_slots=64",
                        "-c",
                        "max_wal_senders=64",
                        "-c",
                        "max_connections=400",
                        "-c",
                        "fsync=off");
        container.start();
        return new PostgresServer(
                container.getHost(),
                container.getMappedPort(5432),
                container.getUsername(),
                container.getPassword(),
                "Testcontainers " + container.getDockerImageName());
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static void requireUsable(PostgresServer server) {
        try (Connection connection = server.connectAsSuperuser();
                Statement statement = connection.createStatement()) {
            String walLevel = single(statement, "SHOW wal_level");
            if (!"logical".equals(walLevel)) {
                throw new IllegalStateException("The test Postgres at " + server.origin() + " runs with wal_level="
                        + walLevel + "; set wal_level = logical and restart it (scripts/postgres-for-tests.sh does).");
            }
            if (!"on".equals(single(statement, "SHOW is_superuser"))) {
                throw new IllegalStateException("The test Postgres user " + server.superuser()
                        + " must be a superuser (it creates roles and databases).");
            }
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Cannot log in to the test Postgres at " + server.origin() + ": " + e.getMessage(), e);
        }
    }

    private static String single(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
