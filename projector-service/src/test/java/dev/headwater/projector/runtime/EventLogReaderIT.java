package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rebuild's replay reads the log in commit-visibility order. Transaction ids grow past a
 * power of ten in every real database; the order must be numeric there, not that of their text.
 */
class EventLogReaderIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    private static final String INSERT = """
            INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                   event_type, payload, transaction_id)
            VALUES (?, 'acme', 'tenant', 'acme', ?, 'TenantQuotaSet', '{}'::jsonb, ?::text::xid8)
            """;

    /**
     * Versions 1 and 2 written by transactions 99 and 100 (set explicitly: both are below any
     * running transaction's id, so the replay may read them; as text, "100" sorts before "99").
     */
    @BeforeAll
    static void aStreamWrittenByTransactionsEitherSideOfAPowerOfTen() throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.OWNER).getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            long transaction = 99;
            for (long version = 1; version <= 2; version++) {
                insert.setObject(1, UUID.randomUUID());
                insert.setLong(2, version);
                insert.setString(3, Long.toString(transaction++));
                insert.executeUpdate();
            }
        }
    }

    @Test
    void one_page_holds_the_events_in_transaction_id_order_across_a_power_of_ten() throws SQLException {
        assertThat(versions(readAll(10))).containsExactly(1L, 2L);
    }

    @Test
    void paging_one_event_at_a_time_skips_none_across_a_power_of_ten() throws SQLException {
        assertThat(versions(readAll(1))).containsExactly(1L, 2L);
    }

    private static List<EventEnvelope> readAll(int pageSize) throws SQLException {
        EventLogReader reader = new EventLogReader();
        List<EventEnvelope> all = new ArrayList<>();
        EventLogReader.Position position = EventLogReader.Position.START;
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            for (int pages = 0; pages < 10; pages++) {
                EventLogReader.Page page = reader.read(connection, List.of("tenant"), position, pageSize);
                if (page.events().isEmpty()) {
                    break;
                }
                all.addAll(page.events());
                position = page.next();
            }
        }
        return all;
    }

    private static List<Long> versions(List<EventEnvelope> events) {
        return events.stream().map(EventEnvelope::aggregateVersion).toList();
    }
}
