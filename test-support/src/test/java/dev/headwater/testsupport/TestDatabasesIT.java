package dev.headwater.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TestDatabasesIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @Test
    void the_server_decodes_logically_and_each_database_is_separate() throws SQLException {
        try (TestDatabase other = TestDatabases.create()) {
            assertThat(other.name()).isNotEqualTo(postgres.database().name());
            assertThat(query(postgres.database(), "SHOW wal_level")).isEqualTo("logical");
            execute(postgres.database(), "CREATE TABLE only_here (id int)");
            assertThat(query(other, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'"))
                    .isEqualTo("0");
        }
    }

    @Test
    void a_closed_database_and_its_replication_slots_are_gone() throws SQLException {
        TestDatabase doomed = TestDatabases.create();
        execute(doomed, "SELECT pg_create_logical_replication_slot('doomed_slot', 'pgoutput')");

        doomed.close();

        TestDatabase survivor = postgres.database();
        assertThat(query(survivor, "SELECT count(*) FROM pg_database WHERE datname = '" + doomed.name() + "'"))
                .isEqualTo("0");
        assertThat(query(survivor, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'doomed_slot'"))
                .isEqualTo("0");
    }

    private static void execute(TestDatabase database, String sql) throws SQLException {
        try (Connection connection = database.superuserDataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String query(TestDatabase database, String sql) throws SQLException {
        try (Connection connection = database.superuserDataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
