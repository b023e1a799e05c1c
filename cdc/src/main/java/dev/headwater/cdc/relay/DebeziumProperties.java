package dev.headwater.cdc.relay;

import dev.headwater.cdc.config.CdcProperties;
import dev.headwater.cdc.offset.OffsetStoreSettings;
import dev.headwater.cdc.offset.PostgresOffsetStore;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * The Debezium engine configuration of one run: the Postgres connector on the migration-made
 * publication through a named slot, offsets in {@code cdc.offsets}, transaction frames on (for
 * commit LSNs), heartbeats through a logical decoding message.
 */
final class DebeziumProperties {

    static final String TOPIC_PREFIX = "headwater-cdc";
    static final String HEARTBEAT_MESSAGE_PREFIX = "headwater.heartbeat";

    /**
     * The initial snapshot publishes the log in commit-visibility order. Every column is selected
     * because Debezium reads snapshot rows against the table's full column list; the relay does not
     * publish {@code transaction_id} ({@code column.exclude.list}).
     */
    static final String SNAPSHOT_SELECT = """
            SELECT * FROM event_log.events ORDER BY transaction_id, global_position""";

    /**
     * Runs while the log is idle. The message is transactional, so the slot decodes a transaction
     * and Debezium's offset moves to its commit even though no event was appended; the row says when.
     */
    static final String HEARTBEAT_ACTION = """
            WITH beat AS (
                 INSERT INTO cdc.heartbeat (slot_name, beat_at) VALUES ('%s', now())
                 ON CONFLICT (slot_name) DO UPDATE SET beat_at = excluded.beat_at
                 RETURNING beat_at)
            SELECT pg_logical_emit_message(true, '%s', beat_at::text) FROM beat""";

    private DebeziumProperties() {}

    static Properties of(CdcProperties settings, DatabaseLogin database, OffsetStoreSettings offsets) {
        Properties url = Driver.parseURL(database.url(), null);
        if (url == null) {
            throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: " + database.url());
        }
        Properties p = new Properties();
        p.setProperty("name", "headwater-cdc-" + settings.slotName());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("topic.prefix", TOPIC_PREFIX);

        p.setProperty("database.hostname", url.getProperty("PGHOST"));
        p.setProperty("database.port", url.getProperty("PGPORT"));
        p.setProperty("database.dbname", url.getProperty("PGDBNAME"));
        p.setProperty("database.user", database.user());
        p.setProperty("database.password", database.password());
        p.setProperty("database.tcpKeepAlive", "true");

        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", settings.slotName());
        p.setProperty("publication.name", settings.publication());
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", "event_log.events");
        p.setProperty("column.exclude.list", "event_log.events.transaction_id");
        // A standby that takes over may find the old leader's walsender still ending: retry briefly.
        p.setProperty("slot.max.retries", "10");
        p.setProperty("slot.retry.delay.ms", "1000");
        p.setProperty("status.update.interval.ms", millis(settings.engine().statusUpdateInterval()));

        p.setProperty("snapshot.mode", "initial");
        p.setProperty("snapshot.select.statement.overrides", "event_log.events");
        p.setProperty("snapshot.select.statement.overrides.event_log.events", SNAPSHOT_SELECT);

        p.setProperty("provide.transaction.metadata", "true");
        p.setProperty("tombstones.on.delete", "false");
        p.setProperty("heartbeat.interval.ms", millis(settings.engine().heartbeatInterval()));
        p.setProperty(
                "heartbeat.action.query", HEARTBEAT_ACTION.formatted(settings.slotName(), HEARTBEAT_MESSAGE_PREFIX));
        p.setProperty("message.prefix.exclude.list", HEARTBEAT_MESSAGE_PREFIX.replace(".", "\\."));

        p.setProperty("poll.interval.ms", millis(settings.engine().pollInterval()));
        p.setProperty("max.batch.size", Integer.toString(settings.engine().maxBatchSize()));
        p.setProperty("max.queue.size", Integer.toString(settings.engine().maxQueueSize()));

        p.setProperty("offset.storage", PostgresOffsetStore.class.getName());
        offsets.asEngineProperties().forEach(p::setProperty);
        // A batch is only finished once Kafka acknowledged it; its offset is written at the end of
        // the first finished batch after the interval.
        p.setProperty("offset.flush.interval.ms", millis(settings.engine().offsetFlushInterval()));
        p.setProperty("offset.flush.timeout.ms", "10000");
        return p;
    }

    private static String millis(java.time.Duration duration) {
        return Long.toString(duration.toMillis());
    }

    /** How the engine logs in: the relay's role, which has REPLICATION. */
    record DatabaseLogin(String url, String user, String password) {
        @Override
        public String toString() {
            return "DatabaseLogin[url=" + url + ", user=" + user + "]";
        }
    }
}
