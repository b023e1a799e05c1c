package dev.headwater.cdc.offset;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Debezium's offsets in {@code cdc.offsets}, written only while this instance holds the relay's
 * leader lock: every write checks {@code pg_locks} for the lock held by the leader's session in
 * the same statement, so an instance that lost leadership cannot overwrite the offsets of the one
 * that took over (it learns of it within a lock check and stops its engine).
 *
 * <p>Debezium creates the store by class name, so it reads its settings from the engine
 * configuration ({@link OffsetStoreSettings}). Writes are synchronous: when {@link #set} returns,
 * the offset is committed in Postgres (visible to every session). The slot is confirmed only up to
 * what this store holds (Debezium's Postgres task reads the committed offset back before it
 * flushes the LSN), so while Postgres runs the slot never moves past an offset that is not stored.
 *
 * <p>The store's session commits with {@code synchronous_commit = off} (ADR 0026): the commit
 * does not wait for its WAL flush, which took a disk flush off every batch's path. A Postgres crash
 * can lose the last offsets written (at most about three {@code wal_writer_delay}s); the slot's
 * {@code confirmed_flush_lsn} may then be ahead of the stored offset, and a restart resumes from the
 * slot's position, up to which Kafka had acknowledged everything. No event is lost; see the ADR for
 * why nothing else misfires.
 */
public final class PostgresOffsetStore implements OffsetBackingStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresOffsetStore.class);

    static final String LOAD = """
            SELECT offset_key, offset_value FROM cdc.offsets WHERE store = ?""";

    /** Upsert fenced by the leader lock: zero rows means this session no longer leads. */
    static final String UPSERT_WHILE_LEADER = """
            INSERT INTO cdc.offsets (store, offset_key, offset_value, updated_at)
            SELECT ?, ?, ?, now()
             WHERE EXISTS (
                   SELECT FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND pid = ?
                      AND classid = CAST(? AS int4)::oid AND objid = hashtext(?)::oid AND objsubid = 2)
            ON CONFLICT (store, offset_key)
               DO UPDATE SET offset_value = excluded.offset_value, updated_at = excluded.updated_at""";

    static final String DELETE = """
            DELETE FROM cdc.offsets WHERE store = ? AND offset_key = ?""";

    /** The session setting of the store's connection (ADR 0026). */
    static final String ASYNC_COMMIT = "synchronous_commit=off";

    static final String SETTING = """
            SELECT current_setting(?)""";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private @Nullable OffsetStoreSettings settings;
    private @Nullable Connection connection;
    private final Map<ByteBuffer, ByteBuffer> offsets = new HashMap<>();

    /** Debezium instantiates the store reflectively. */
    public PostgresOffsetStore() {}

    @Override
    public void configure(WorkerConfig config) {
        settings = OffsetStoreSettings.from(config.originalsStrings());
    }

    @Override
    public synchronized void start() {
        OffsetStoreSettings settings = settings();
        try (PreparedStatement load = connection().prepareStatement(LOAD)) {
            load.setString(1, settings.store());
            try (ResultSet rows = load.executeQuery()) {
                while (rows.next()) {
                    offsets.put(bytes(rows.getString(1)), bytes(rows.getString(2)));
                }
            }
            connection().commit();
        } catch (SQLException e) {
            closeConnection();
            throw new OffsetStoreException("Reading the relay's offsets for " + settings.store() + " failed", e);
        }
        log.info("Offset store {} started with {} stored offset(s)", settings.store(), offsets.size());
    }

    @Override
    public synchronized void stop() {
        closeConnection();
    }

    @Override
    public synchronized Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        Map<ByteBuffer, ByteBuffer> found = new HashMap<>();
        for (ByteBuffer key : keys) {
            ByteBuffer value = offsets.get(key);
            if (value != null) {
                found.put(key, value);
            }
        }
        return CompletableFuture.completedFuture(found);
    }

    @Override
    public synchronized Future<Void> set(Map<ByteBuffer, ByteBuffer> values, @Nullable Callback<Void> callback) {
        try {
            write(values);
        } catch (RuntimeException e) {
            if (callback != null) {
                callback.onCompletion(e, null);
            }
            return CompletableFuture.failedFuture(e);
        }
        values.forEach((key, value) -> {
            if (value == null) {
                offsets.remove(key);
            } else {
                offsets.put(key, value);
            }
        });
        if (callback != null) {
            callback.onCompletion(null, null);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized Set<Map<String, Object>> connectorPartitions(String connectorName) {
        Set<Map<String, Object>> partitions = new HashSet<>();
        for (ByteBuffer key : offsets.keySet()) {
            // Kafka Connect keys offsets as the JSON array [connector name, partition].
            JsonNode parsed = JSON.readTree(text(key));
            if (parsed.isArray()
                    && parsed.size() == 2
                    && connectorName.equals(parsed.get(0).asString())
                    && parsed.get(1).isObject()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> partition = JSON.convertValue(parsed.get(1), Map.class);
                partitions.add(partition);
            }
        }
        return partitions;
    }

    private void write(Map<ByteBuffer, ByteBuffer> values) {
        OffsetStoreSettings settings = settings();
        try {
            Connection connection = connection();
            try (PreparedStatement upsert = connection.prepareStatement(UPSERT_WHILE_LEADER);
                    PreparedStatement delete = connection.prepareStatement(DELETE)) {
                for (Map.Entry<ByteBuffer, ByteBuffer> entry : values.entrySet()) {
                    if (entry.getValue() == null) {
                        delete.setString(1, settings.store());
                        delete.setString(2, text(entry.getKey()));
                        delete.executeUpdate();
                        continue;
                    }
                    upsert.setString(1, settings.store());
                    upsert.setString(2, text(entry.getKey()));
                    upsert.setString(3, text(entry.getValue()));
                    upsert.setInt(4, settings.leaderPid());
                    upsert.setInt(5, settings.lockNamespace());
                    upsert.setString(6, settings.store());
                    if (upsert.executeUpdate() != 1) {
                        connection.rollback();
                        throw new NotLeaderException(settings.store(), settings.leaderPid());
                    }
                }
            }
            connection.commit();
        } catch (SQLException e) {
            closeConnection();
            throw new OffsetStoreException("Writing the relay's offsets for " + settings.store() + " failed", e);
        }
    }

    /** A setting of the store's own session, as its writes see it (for tests and diagnostics). */
    synchronized String sessionSetting(String name) throws SQLException {
        try (PreparedStatement query = connection().prepareStatement(SETTING)) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                String value = rows.getString(1);
                connection().commit();
                return value;
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            OffsetStoreSettings settings = settings();
            Properties login = new Properties();
            login.setProperty("user", settings.user());
            login.setProperty("password", settings.password());
            login.setProperty("ApplicationName", "headwater-cdc offsets");
            login.setProperty("tcpKeepAlive", "true");
            // Set at connect, so no offset write pays an extra round trip for it (ADR 0026).
            login.setProperty("options", "-c " + ASYNC_COMMIT);
            Connection opened = DriverManager.getConnection(settings.url(), login);
            opened.setAutoCommit(false);
            connection = opened;
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("Closing the offset store's connection failed: {}", e.getMessage());
            }
            connection = null;
        }
    }

    private OffsetStoreSettings settings() {
        if (settings == null) {
            throw new IllegalStateException("The offset store is used before configure()");
        }
        return settings;
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
