package dev.headwater.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.util.PSQLException;

class EventLogSchemaIT {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String RESTRICT_VIOLATION = "23001";
    private static final String UNIQUE_VIOLATION = "23505";
    private static final String CHECK_VIOLATION = "23514";

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    private String stream;

    @BeforeEach
    void appendTwoEvents() throws SQLException {
        stream = "tenant-" + UUID.randomUUID();
        execute(
                postgres.dataSource(DbRole.APP),
                insert(UUID.randomUUID(), stream, 1) + ";" + insert(UUID.randomUUID(), stream, 2));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "UPDATE event_log.events SET payload = '{\"forged\": true}'",
                "DELETE FROM event_log.events",
                "TRUNCATE event_log.events"
            })
    void the_application_role_may_not_change_or_remove_events(String statement) throws SQLException {
        List<String> before = snapshot();

        assertThatThrownBy(() -> execute(postgres.dataSource(DbRole.APP), statement))
                .isInstanceOf(PSQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));

        assertThat(snapshot()).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "UPDATE event_log.events SET payload = '{\"forged\": true}'",
                "DELETE FROM event_log.events",
                "TRUNCATE event_log.events"
            })
    void the_owner_may_not_change_or_remove_events_because_a_trigger_refuses(String statement) throws SQLException {
        List<String> before = snapshot();

        assertThatThrownBy(() -> execute(postgres.dataSource(DbRole.OWNER), statement))
                .isInstanceOf(PSQLException.class)
                .hasMessageContaining("event_log.events is append-only")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(RESTRICT_VIOLATION));

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_superuser_in_replica_mode_still_cannot_delete_events() throws SQLException {
        List<String> before = snapshot();

        assertThatThrownBy(() -> execute(
                        postgres.database().superuserDataSource(),
                        "SET session_replication_role = replica; DELETE FROM event_log.events"))
                .hasMessageContaining("append-only");

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void a_second_event_with_the_same_stream_version_is_rejected() {
        assertThatThrownBy(() -> execute(postgres.dataSource(DbRole.APP), insert(UUID.randomUUID(), stream, 2)))
                .isInstanceOf(PSQLException.class)
                .satisfies(e -> {
                    PSQLException sql = (PSQLException) e;
                    assertThat(sql.getSQLState()).isEqualTo(UNIQUE_VIOLATION);
                    assertThat(sql.getServerErrorMessage().getConstraint()).isEqualTo("events_stream_version_key");
                });
    }

    @Test
    void a_second_event_with_the_same_event_id_is_rejected() throws SQLException {
        UUID eventId = UUID.randomUUID();
        execute(postgres.dataSource(DbRole.APP), insert(eventId, "other-" + UUID.randomUUID(), 1));

        assertThatThrownBy(() ->
                        execute(postgres.dataSource(DbRole.APP), insert(eventId, "another-" + UUID.randomUUID(), 1)))
                .isInstanceOf(PSQLException.class)
                .satisfies(e -> {
                    PSQLException sql = (PSQLException) e;
                    assertThat(sql.getSQLState()).isEqualTo(UNIQUE_VIOLATION);
                    assertThat(sql.getServerErrorMessage().getConstraint()).isEqualTo("events_event_id_key");
                });
    }

    @Test
    void a_stream_starts_at_version_one_and_has_no_gaps() {
        assertThatThrownBy(() -> execute(postgres.dataSource(DbRole.APP), insert(UUID.randomUUID(), stream, 4)))
                .isInstanceOf(PSQLException.class)
                .satisfies(e -> {
                    PSQLException sql = (PSQLException) e;
                    assertThat(sql.getSQLState()).isEqualTo(CHECK_VIOLATION);
                    assertThat(sql.getServerErrorMessage().getConstraint()).isEqualTo("events_version_contiguous");
                });
        assertThatThrownBy(() -> execute(
                        postgres.dataSource(DbRole.APP), insert(UUID.randomUUID(), "new-" + UUID.randomUUID(), 2)))
                .isInstanceOf(PSQLException.class)
                .hasMessageContaining("has no version 1");
    }

    @Test
    void one_statement_may_append_consecutive_versions_of_a_new_stream() throws SQLException {
        String fresh = "batch-" + UUID.randomUUID();
        execute(postgres.dataSource(DbRole.APP), insertVersions(fresh, "generate_series(1, 5)"));

        assertThat(single("SELECT string_agg(aggregate_version::text, ',' ORDER BY aggregate_version)"
                        + " FROM event_log.events WHERE aggregate_id = '" + fresh + "'"))
                .isEqualTo("1,2,3,4,5");
    }

    @Test
    void a_gap_anywhere_in_a_multi_row_statement_fails_it_whole() throws SQLException {
        String fresh = "gap-" + UUID.randomUUID();

        assertThatThrownBy(() ->
                        execute(postgres.dataSource(DbRole.APP), insertVersions(fresh, "unnest(ARRAY[1, 2, 3, 5, 6])")))
                .isInstanceOf(PSQLException.class)
                .hasMessageContaining("has no version 4 to follow with version 5")
                .satisfies(e -> assertThat(
                                ((PSQLException) e).getServerErrorMessage().getConstraint())
                        .isEqualTo("events_version_contiguous"));

        assertThat(single("SELECT count(*) FROM event_log.events WHERE aggregate_id = '" + fresh + "'"))
                .as("nothing of the refused statement is written")
                .isEqualTo("0");
    }

    /** The relay publishes in insert order, so a reversed pair would reach consumers as a gap. */
    @Test
    void a_statement_may_not_insert_a_version_before_its_predecessor() throws SQLException {
        String fresh = "reversed-" + UUID.randomUUID();

        assertThatThrownBy(() -> execute(postgres.dataSource(DbRole.APP), insertVersions(fresh, "unnest(ARRAY[2, 1])")))
                .isInstanceOf(PSQLException.class)
                .hasMessageContaining("has no version 1 to follow with version 2");

        assertThat(single("SELECT count(*) FROM event_log.events WHERE aggregate_id = '" + fresh + "'"))
                .isEqualTo("0");
    }

    @Test
    void a_copy_into_the_log_is_checked_for_gaps_too() throws SQLException {
        String fresh = "copy-" + UUID.randomUUID();
        String rows = "%s\tt1\ttenant\t%s\t1\tNoted\t{}\n%s\tt1\ttenant\t%s\t3\tNoted\t{}\n"
                .formatted(UUID.randomUUID(), fresh, UUID.randomUUID(), fresh);

        try (Connection connection = postgres.dataSource(DbRole.APP).getConnection()) {
            CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
            assertThatThrownBy(() -> copy.copyIn(
                            "COPY event_log.events (event_id, tenant_id, aggregate_type, aggregate_id,"
                                    + " aggregate_version, event_type, payload) FROM STDIN",
                            new StringReader(rows)))
                    .isInstanceOf(PSQLException.class)
                    .hasMessageContaining("has no version 2 to follow with version 3");
        }
        assertThat(single("SELECT count(*) FROM event_log.events WHERE aggregate_id = '" + fresh + "'"))
                .isEqualTo("0");
    }

    /**
     * The check costs one call per statement, not one per row (ADR 0041): a 500-event append calls
     * the trigger function once. The row trigger it replaced was called 500 times here.
     */
    @Test
    void the_contiguity_check_runs_once_per_statement_not_once_per_row() throws SQLException {
        String fresh = "once-" + UUID.randomUUID();
        try (Connection connection = postgres.database().superuserDataSource().getConnection();
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.execute("SET LOCAL track_functions = 'pl'");
            statement.execute(insertVersions(fresh, "generate_series(1, 500)"));
            try (ResultSet calls = statement.executeQuery("""
                    SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions
                     WHERE schemaname = 'event_log' AND funcname LIKE 'require_previous_version%'""")) {
                calls.next();
                assertThat(calls.getLong(1)).isEqualTo(1);
            }
            connection.commit();
        }
        assertThat(single("SELECT max(aggregate_version) FROM event_log.events WHERE aggregate_id = '" + fresh + "'"))
                .isEqualTo("500");
    }

    @Test
    void every_row_records_its_writing_transaction() throws SQLException {
        assertThat(single("SELECT count(DISTINCT transaction_id) FROM event_log.events WHERE aggregate_id = '" + stream
                        + "'"))
                .isEqualTo("1");
    }

    @Test
    void the_publication_streams_inserts_into_the_log_and_nothing_else() throws SQLException {
        assertThat(single("""
                        SELECT pubinsert || ',' || pubupdate || ',' || pubdelete || ',' || pubtruncate || ',' || puballtables
                          FROM pg_publication WHERE pubname = 'headwater_events'""")).isEqualTo("true,false,false,false,false");
        assertThat(single("SELECT string_agg(schemaname || '.' || tablename, ',') FROM pg_publication_tables"
                        + " WHERE pubname = 'headwater_events'"))
                .isEqualTo("event_log.events");

        DataSource superuser = postgres.database().superuserDataSource();
        String slot = "schema_it_" + Math.abs(System.nanoTime() % 100000);
        execute(superuser, "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        try {
            execute(
                    superuser,
                    "CREATE TABLE public.not_published (id int); INSERT INTO public.not_published VALUES (1)");
            execute(postgres.dataSource(DbRole.APP), insert(UUID.randomUUID(), stream, 3));

            String insertMessages = single("""
                    SELECT count(*) FROM pg_logical_slot_peek_binary_changes('%s', NULL, NULL,
                        'proto_version', '1', 'publication_names', 'headwater_events')
                     WHERE get_byte(data, 0) = ascii('I')""".formatted(slot));
            assertThat(insertMessages)
                    .as("one published insert: the log's, not the other table's")
                    .isEqualTo("1");
        } finally {
            execute(superuser, "SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    private static String insert(UUID eventId, String aggregateId, long version) {
        return """
                INSERT INTO event_log.events
                    (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, metadata)
                VALUES ('%s', 't1', 'tenant', '%s', %d, 'TenantCreated', '{"name": "acme"}', '{"actor": "test"}')""".formatted(eventId, aggregateId, version);
    }

    /** One statement inserting the given versions of a stream, in the order the set-returning function yields them. */
    private static String insertVersions(String aggregateId, String versions) {
        return """
                INSERT INTO event_log.events
                    (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload)
                SELECT gen_random_uuid(), 't1', 'tenant', '%s', r.v, 'Noted', '{}'
                  FROM %s WITH ORDINALITY AS r(v, ord)
                 ORDER BY r.ord""".formatted(aggregateId, versions);
    }

    private static List<String> snapshot() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = postgres.database().superuserDataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet result =
                        statement.executeQuery("SELECT e::text FROM event_log.events e ORDER BY global_position")) {
            while (result.next()) {
                rows.add(result.getString(1));
            }
        }
        assertThat(rows).isNotEmpty();
        return rows;
    }

    private static String single(String sql) throws SQLException {
        try (Connection connection = postgres.database().superuserDataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getString(1);
        }
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
