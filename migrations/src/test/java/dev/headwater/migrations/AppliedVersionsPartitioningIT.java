package dev.headwater.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.TestDatabase;
import dev.headwater.testsupport.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * V6 (docs/adr/0038) on a database with applied versions written under V4: every generation's
 * rows end up in that generation's partition, nothing is lost or added, the key, the check and the
 * grants hold, and a live generation without rows gets its partition too.
 */
class AppliedVersionsPartitioningIT {

    private TestDatabase database;

    @BeforeEach
    void createDatabase() {
        database = TestDatabases.reserve();
        Map<String, String> arguments = new HashMap<>(Map.of(
                "url", database.jdbcUrl(),
                "password", DbRole.OWNER.testPassword(),
                "admin-url", database.server().jdbcUrl("postgres"),
                "admin-user", database.server().superuser(),
                "owner-password", DbRole.OWNER.testPassword(),
                "app-password", DbRole.APP.testPassword(),
                "cdc-password", DbRole.CDC.testPassword(),
                "projector-password", DbRole.PROJECTOR.testPassword()));
        if (database.server().superuserPassword() != null) {
            arguments.put("admin-password", database.server().superuserPassword());
        }
        new Migrator(MigratorSettings.from(arguments, Map.of())).run("init");
    }

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    @Test
    void the_migration_moves_every_generations_applied_versions_into_its_own_partition_and_keeps_key_and_grants()
            throws SQLException {
        DataSource owner = database.dataSource(DbRole.OWNER);
        Flyway.configure()
                .configuration(HeadwaterSchema.flywayProperties())
                .target("5")
                .dataSource(owner)
                .load()
                .migrate();
        execute(owner, """
                INSERT INTO projection.generations (projection, generation, state, started_at) VALUES
                    ('tenant-overview', 1, 'retired', now()), ('tenant-overview', 2, 'live', now()),
                    ('audit-trail', 1, 'live', now()), ('api-tokens', 1, 'live', now())
                """);
        execute(owner, """
                INSERT INTO projection.applied_versions VALUES
                    ('tenant-overview', 1, 'tenant', 't1', 3), ('tenant-overview', 1, 'tenant', 't2', 1),
                    ('tenant-overview', 2, 'tenant', 't1', 4), ('tenant-overview', 2, 'tenant', 't2', 1),
                    ('tenant-overview', 2, 'allocation', 'a1', 2), ('audit-trail', 1, 'node', 'n1', 7)
                """);
        List<String> before = rows(owner, ALL_ROWS);

        HeadwaterSchema.migrate(owner);
        HeadwaterSchema.requireCurrent(owner);

        assertThat(rows(owner, ALL_ROWS))
                .as("every row, read through the partitioned table")
                .isEqualTo(before);
        assertThat(rows(owner, """
                        SELECT p || ':' || g || ' ' || (SELECT count(*) FROM projection.applied_versions v
                                                         WHERE v.projection = p AND v.generation = g
                                                           AND v.tableoid = projection.applied_versions_partition(p, g))
                          FROM (VALUES ('tenant-overview', 1), ('tenant-overview', 2), ('audit-trail', 1),
                                       ('api-tokens', 1)) k(p, g)
                         WHERE projection.applied_versions_partition(p, g) IS NOT NULL
                         ORDER BY 1
                        """))
                .as("each generation's rows in its own partition; the live generation without rows has one too")
                .containsExactly("api-tokens:1 0", "audit-trail:1 1", "tenant-overview:1 2", "tenant-overview:2 3");
        assertThat(rows(owner, """
                        SELECT relkind::text FROM pg_class WHERE oid = 'projection.applied_versions'::regclass
                        UNION ALL
                        SELECT string_agg(privilege_type, ',' ORDER BY privilege_type)
                          FROM information_schema.role_table_grants
                         WHERE table_schema = 'projection' AND table_name = 'applied_versions'
                           AND grantee = 'headwater_projector'
                        UNION ALL
                        SELECT count(*)::text FROM pg_tables WHERE schemaname = 'projection'
                           AND tablename = 'applied_versions_v4'
                        """))
                .as("partitioned; the projector's grants; the old table gone")
                .containsExactly("p", "DELETE,INSERT,SELECT,UPDATE", "0");

        DataSource projector = database.dataSource(DbRole.PROJECTOR);
        assertThatThrownBy(() -> execute(
                        projector,
                        "INSERT INTO projection.applied_versions VALUES ('tenant-overview', 2, 'tenant', 't1', 5)"))
                .as("the primary key")
                .hasMessageContaining("duplicate key");
        assertThatThrownBy(() -> execute(
                        projector,
                        "INSERT INTO projection.applied_versions VALUES ('audit-trail', 1, 'node', 'n2', 0)"))
                .as("the version check")
                .hasMessageContaining("applied_versions_version_positive");
        assertThatThrownBy(() -> execute(
                        projector,
                        "INSERT INTO projection.applied_versions VALUES ('audit-trail', 9, 'node', 'n2', 1)"))
                .as("a generation without a partition: no default partition takes it")
                .hasMessageContaining("no partition");
        execute(projector, "SELECT projection.ensure_applied_versions('audit-trail', 9)");
        execute(projector, "INSERT INTO projection.applied_versions VALUES ('audit-trail', 9, 'node', 'n2', 1)");
        assertThat(rows(
                        projector,
                        "SELECT version::text FROM projection.applied_versions"
                                + " WHERE projection = 'audit-trail' AND generation = 9"))
                .containsExactly("1");
    }

    private static final String ALL_ROWS = """
            SELECT projection || ':' || generation || ':' || aggregate_type || ':' || aggregate_id || '=' || version
              FROM projection.applied_versions ORDER BY 1
            """;

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static List<String> rows(DataSource dataSource, String sql) throws SQLException {
        List<String> found = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                found.add(rows.getString(1));
            }
        }
        return found;
    }
}
