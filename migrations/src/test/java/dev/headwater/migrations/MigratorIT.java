package dev.headwater.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.LocalPostgres;
import dev.headwater.testsupport.PostgresServer;
import dev.headwater.testsupport.TestDatabase;
import dev.headwater.testsupport.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MigratorIT {

    private TestDatabase database;

    @BeforeEach
    void reserveDatabase() {
        database = TestDatabases.reserve();
    }

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Test
    void init_then_migrate_installs_the_schema_and_migrating_again_changes_nothing() throws SQLException {
        Migrator migrator = migrator(database.server(), database.name(), Map.of());

        migrator.run("init");
        migrator.run("migrate");
        String afterFirst = historyOf(database.superuserDataSource());
        migrator.run("init");
        migrator.run("migrate");
        migrator.run("validate");

        assertThat(afterFirst).contains("1:event log");
        assertThat(historyOf(database.superuserDataSource())).isEqualTo(afterFirst);
        assertThat(single(
                        database.superuserDataSource(), "SELECT tableowner FROM pg_tables WHERE tablename = 'events'"))
                .isEqualTo("headwater_owner");
    }

    @Test
    void validate_names_a_migration_the_build_does_not_know() {
        Migrator migrator = migrator(database.server(), database.name(), Map.of());
        migrator.run("init");
        migrator.run("migrate");
        Flyway.configure()
                .configuration(HeadwaterSchema.flywayProperties())
                .locations("classpath:db/migration", "classpath:db/future")
                .dataSource(database.dataSource(DbRole.OWNER))
                .load()
                .migrate();

        assertThatThrownBy(() -> migrator.run("validate"))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("does not match this build")
                .hasMessageContaining("9999");
        assertThatThrownBy(() -> HeadwaterSchema.requireCurrent(database.dataSource(DbRole.APP)))
                .isInstanceOf(SchemaException.class)
                .hasMessageContaining("9999");
    }

    @Test
    void migrate_refuses_a_server_without_logical_decoding_unless_told_to() throws SQLException {
        try (LocalPostgres replicaOnly = LocalPostgres.startEphemeral(Map.of("wal_level", "replica"))) {
            PostgresServer server = replicaOnly.server();
            migrator(server, "headwater", Map.of()).run("init");

            assertThatThrownBy(() -> migrator(server, "headwater", Map.of()).run("migrate"))
                    .isInstanceOf(SchemaException.class)
                    .hasMessageContaining("wal_level=replica")
                    .hasMessageContaining("wal_level = logical");
            assertThat(single(
                            server.superuserDataSource("headwater"),
                            "SELECT count(*) FROM pg_namespace WHERE nspname = 'event_log'"))
                    .isEqualTo("0");

            migrator(server, "headwater", Map.of("allow-non-logical-wal", "")).run("migrate");
            assertThat(single(server.superuserDataSource("headwater"), "SELECT count(*) FROM event_log.events"))
                    .isEqualTo("0");
        }
    }

    private static Migrator migrator(PostgresServer server, String database, Map<String, String> extra) {
        Map<String, String> arguments = new HashMap<>(Map.of(
                "url", server.jdbcUrl(database),
                "password", DbRole.OWNER.testPassword(),
                "admin-url", server.jdbcUrl("postgres"),
                "admin-user", server.superuser(),
                "owner-password", DbRole.OWNER.testPassword(),
                "app-password", DbRole.APP.testPassword(),
                "cdc-password", DbRole.CDC.testPassword(),
                "projector-password", DbRole.PROJECTOR.testPassword()));
        if (server.superuserPassword() != null) {
            arguments.put("admin-password", server.superuserPassword());
        }
        arguments.putAll(extra);
        return new Migrator(MigratorSettings.from(arguments, Map.of()));
    }

    private static String historyOf(DataSource dataSource) throws SQLException {
        return single(
                dataSource,
                "SELECT string_agg(version || ':' || description || ':' || checksum, ';' ORDER BY installed_rank)"
                        + " FROM headwater.flyway_schema_history");
    }

    private static String single(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
