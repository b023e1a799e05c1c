package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.cdc.support.Offsets;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HeartbeatIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    private static final long WAL_WRITTEN = 16L * 1024 * 1024;

    @Test
    void with_an_idle_log_and_busy_other_tables_the_heartbeat_keeps_the_slots_retained_wal_bounded() throws Exception {
        Offsets offsets = new Offsets(postgres.dataSource(DbRole.CDC));
        try (Connection owner = postgres.dataSource(DbRole.OWNER).getConnection();
                Statement statement = owner.createStatement()) {
            statement.execute("CREATE TABLE cdc.busy_neighbour (id bigint, filler text)");
        }

        // Control: without heartbeats the slot holds on to every byte the neighbour writes.
        var silent = TestRelays.settings(
                Map.of("headwater.cdc.slot-name", "heartbeat_it", "headwater.cdc.engine.heartbeat-interval", "0s"));
        TestRelays.Relay withoutHeartbeat = TestRelays.relay(postgres, kafka.bootstrapServers(), silent);
        withoutHeartbeat.start(silent);
        try {
            await("slot created").atMost(Duration.ofSeconds(60)).until(() -> offsets.retainedWal("heartbeat_it") >= 0);
            writeWalElsewhere();
            await("retained WAL without heartbeats stays high")
                    .during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> offsets.retainedWal("heartbeat_it") >= WAL_WRITTEN);
        } finally {
            withoutHeartbeat.stop();
        }

        var beating = TestRelays.settings(
                Map.of("headwater.cdc.slot-name", "heartbeat_it", "headwater.cdc.engine.heartbeat-interval", "500ms"));
        TestRelays.Relay relay = TestRelays.relay(postgres, kafka.bootstrapServers(), beating);
        relay.start(beating);
        try {
            await("retained WAL drops once heartbeats run")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> offsets.retainedWal("heartbeat_it") < 1024 * 1024);
            writeWalElsewhere();
            await("and stays bounded while the neighbour keeps writing")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> offsets.retainedWal("heartbeat_it") < 1024 * 1024);
            await("the metric reports it")
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> relay.registry()
                                    .get("headwater.cdc.slot.retained.wal.bytes")
                                    .gauge()
                                    .value()
                            >= 0);
            try (Connection cdc = postgres.dataSource(DbRole.CDC).getConnection();
                    Statement statement = cdc.createStatement();
                    var rows = statement.executeQuery(
                            "SELECT count(*) FROM cdc.heartbeat WHERE slot_name = 'heartbeat_it'")) {
                rows.next();
                assertThat(rows.getLong(1)).isEqualTo(1);
            }
        } finally {
            relay.stop();
        }
    }

    private static void writeWalElsewhere() throws Exception {
        try (Connection owner = postgres.dataSource(DbRole.OWNER).getConnection();
                Statement statement = owner.createStatement()) {
            statement.execute("""
                    INSERT INTO cdc.busy_neighbour
                    SELECT g, repeat('x', 1000) FROM generate_series(1, 20000) g""");
        }
    }
}
