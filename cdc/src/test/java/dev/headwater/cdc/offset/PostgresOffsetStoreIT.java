package dev.headwater.cdc.offset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headwater.cdc.leader.PostgresAdvisoryLock;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresOffsetStoreIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    private static final int NAMESPACE = 77;
    private static final ByteBuffer KEY = bytes("[\"headwater-cdc-store_it\",{\"server\":\"headwater-cdc\"}]");

    @Test
    void offsets_written_by_the_leader_survive_a_restart_of_the_store() throws Exception {
        try (PostgresAdvisoryLock lock = lock("store_it")) {
            assertThat(lock.tryAcquire()).isTrue();
            PostgresOffsetStore store = store("store_it", lock.holderPid());
            store.start();
            store.set(Map.of(KEY, bytes("{\"lsn\":1,\"lsn_commit\":1}")), null).get();
            store.set(Map.of(KEY, bytes("{\"lsn\":2,\"lsn_commit\":2}")), null).get();
            store.stop();

            PostgresOffsetStore restarted = store("store_it", lock.holderPid());
            restarted.start();
            assertThat(text(restarted.get(List.of(KEY)).get().get(KEY))).isEqualTo("{\"lsn\":2,\"lsn_commit\":2}");
            assertThat(restarted.connectorPartitions("headwater-cdc-store_it"))
                    .containsExactly(Map.of("server", "headwater-cdc"));
            restarted.stop();
        }
    }

    @Test
    void an_instance_that_no_longer_holds_the_lock_cannot_overwrite_the_offsets() throws Exception {
        PostgresAdvisoryLock former = lock("fenced_it");
        assertThat(former.tryAcquire()).isTrue();
        int formerPid = former.holderPid();
        PostgresOffsetStore stale = store("fenced_it", formerPid);
        stale.start();
        stale.set(Map.of(KEY, bytes("{\"lsn\":10}")), null).get();

        former.close();
        try (PostgresAdvisoryLock current = lock("fenced_it")) {
            assertThat(current.tryAcquire()).isTrue();
            PostgresOffsetStore leader = store("fenced_it", current.holderPid());
            leader.start();
            leader.set(Map.of(KEY, bytes("{\"lsn\":20}")), null).get();

            assertThatThrownBy(() ->
                            stale.set(Map.of(KEY, bytes("{\"lsn\":11}")), null).get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NotLeaderException.class);

            PostgresOffsetStore reread = store("fenced_it", current.holderPid());
            reread.start();
            assertThat(text(reread.get(List.of(KEY)).get().get(KEY))).isEqualTo("{\"lsn\":20}");
            reread.stop();
            leader.stop();
        } finally {
            stale.stop();
        }
    }

    @Test
    void the_store_commits_without_waiting_for_the_wal_flush_and_only_its_own_session_does() throws Exception {
        try (PostgresAdvisoryLock lock = lock("async_it")) {
            assertThat(lock.tryAcquire()).isTrue();
            PostgresOffsetStore store = store("async_it", lock.holderPid());
            store.start();
            try {
                store.set(Map.of(KEY, bytes("{\"lsn\":3,\"lsn_commit\":3}")), null)
                        .get();

                assertThat(store.sessionSetting("synchronous_commit")).isEqualTo("off");
                try (var other = postgres.dataSource(DbRole.CDC).getConnection();
                        var statement = other.createStatement();
                        var rows = statement.executeQuery("SHOW synchronous_commit")) {
                    rows.next();
                    assertThat(rows.getString(1)).isEqualTo("on");
                }
            } finally {
                store.stop();
            }
        }
    }

    private static PostgresAdvisoryLock lock(String slot) {
        return new PostgresAdvisoryLock(
                postgres.jdbcUrl(),
                DbRole.CDC.roleName(),
                DbRole.CDC.testPassword(),
                NAMESPACE,
                slot,
                Duration.ofSeconds(2));
    }

    private static PostgresOffsetStore store(String slot, int leaderPid) {
        OffsetStoreSettings settings = new OffsetStoreSettings(
                postgres.jdbcUrl(), DbRole.CDC.roleName(), DbRole.CDC.testPassword(), slot, leaderPid, NAMESPACE);
        Map<String, String> config = new HashMap<>(settings.asEngineProperties());
        config.put("bootstrap.servers", "localhost:9092");
        config.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("offset.storage.file.filename", "unused");
        WorkerConfig workerConfig = new StandaloneConfig(config);
        PostgresOffsetStore store = new PostgresOffsetStore();
        store.configure(workerConfig);
        return store;
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
