package dev.headwater.cdc.relay;

import dev.headwater.cdc.config.CdcProperties;
import dev.headwater.cdc.slot.SlotMonitor;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** Builds relays for tests the way the application does, with settings bound like Spring binds them. */
final class TestRelays {

    private TestRelays() {}

    /** Test defaults: one broker (replication factor 1), short intervals; {@code extra} overrides. */
    static CdcProperties settings(Map<String, String> extra) {
        return new Binder(new MapConfigurationPropertySource(properties(extra)))
                .bindOrCreate("headwater.cdc", CdcProperties.class);
    }

    /** The same test defaults as property text, for a relay started as its own process. */
    static Map<String, String> properties(Map<String, String> extra) {
        Map<String, String> source = new HashMap<>();
        source.put("headwater.cdc.topics.replication-factor", "1");
        source.put("headwater.cdc.topics.partitions", "3");
        source.put("headwater.cdc.leader.poll-interval", "200ms");
        source.put("headwater.cdc.restart.initial-backoff", "200ms");
        source.put("headwater.cdc.restart.max-backoff", "2s");
        source.put("headwater.cdc.producer.delivery-timeout", "5s");
        source.put("headwater.cdc.engine.heartbeat-interval", "1s");
        source.put("headwater.cdc.slot-check-interval", "500ms");
        source.putAll(extra);
        return source;
    }

    /** A relay instance: supervisor plus the meters it reports to. */
    record Relay(RelaySupervisor supervisor, SlotMonitor slot, SimpleMeterRegistry registry) {
        void start(CdcProperties settings) {
            slot.start(settings.slotCheckInterval());
            supervisor.start();
        }

        void stop() {
            supervisor.stop(Duration.ofSeconds(30));
            slot.close();
        }
    }

    /**
     * Waits until the relay streams from its slot: the initial snapshot is over and a streamed
     * offset (a heartbeat's, at least) is committed. Events appended after this carry commit LSNs.
     */
    static void awaitStreaming(PostgresExtension postgres, CdcProperties settings) {
        dev.headwater.cdc.support.Offsets offsets =
                new dev.headwater.cdc.support.Offsets(postgres.dataSource(DbRole.CDC));
        org.awaitility.Awaitility.await("relay " + settings.slotName() + " streaming")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> offsets.committed(settings.slotName())
                        .map(offset -> !offset.has("snapshot") && offset.has("lsn_commit"))
                        .orElse(false));
    }

    static Relay relay(PostgresExtension postgres, String bootstrapServers, CdcProperties settings) {
        DebeziumProperties.DatabaseLogin login = new DebeziumProperties.DatabaseLogin(
                postgres.jdbcUrl(), DbRole.CDC.roleName(), DbRole.CDC.testPassword());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RelayStateHolder holder = new RelayStateHolder();
        RelayMetrics metrics = new RelayMetrics(registry, holder::state);
        RelaySupervisor supervisor =
                RelaySupervisor.create(settings, bootstrapServers, login, metrics, holder, Clock.systemUTC());
        SlotMonitor slot = new SlotMonitor(
                postgres.dataSource(DbRole.CDC), settings.slotName(), Clock.systemUTC(), metrics::retainedWalBytes);
        return new Relay(supervisor, slot, registry);
    }
}
