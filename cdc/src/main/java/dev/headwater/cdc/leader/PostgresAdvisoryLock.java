package dev.headwater.cdc.leader;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LeaderLock} on {@code pg_try_advisory_lock(namespace, hashtext(slot))}, on a dedicated
 * connection. Not thread-safe: the relay's supervisor thread is its only user.
 */
public final class PostgresAdvisoryLock implements LeaderLock {

    private static final Logger log = LoggerFactory.getLogger(PostgresAdvisoryLock.class);

    static final String TRY_LOCK = """
            SELECT pg_try_advisory_lock(?, hashtext(?)), pg_backend_pid()""";
    static final String STILL_HELD = """
            SELECT count(*) FROM pg_locks
             WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
               AND classid = CAST(? AS int4)::oid AND objid = hashtext(?)::oid AND objsubid = 2""";

    private final String url;
    private final Properties login;
    private final int namespace;
    private final String name;
    private final int checkTimeoutSeconds;
    private @Nullable Connection connection;
    private int holderPid;
    private boolean held;
    private volatile @Nullable String lastError;

    /**
     * @param name what the lock guards (the slot name); its hash is the second lock key
     * @param checkTimeout how long a liveness check may take before the lock counts as lost
     */
    public PostgresAdvisoryLock(
            String url, String user, String password, int namespace, String name, Duration checkTimeout) {
        this.url = url;
        this.login = new Properties();
        login.setProperty("user", user);
        login.setProperty("password", password);
        login.setProperty("ApplicationName", "headwater-cdc leader lock");
        // Notice a dead server or network quickly instead of waiting for TCP's defaults.
        login.setProperty("tcpKeepAlive", "true");
        login.setProperty("connectTimeout", "5");
        login.setProperty("socketTimeout", Long.toString(Math.max(5, checkTimeout.toSeconds() * 4)));
        this.namespace = namespace;
        this.name = name;
        this.checkTimeoutSeconds = (int) Math.max(1, checkTimeout.toSeconds());
    }

    @Override
    public boolean tryAcquire() {
        if (held && isHeld()) {
            return true;
        }
        try {
            Connection connection = connection();
            try (PreparedStatement statement = connection.prepareStatement(TRY_LOCK)) {
                statement.setInt(1, namespace);
                statement.setString(2, name);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    held = rows.getBoolean(1);
                    holderPid = rows.getInt(2);
                }
            }
            lastError = null;
            if (held) {
                log.info("Took the leader lock of slot {} (backend {})", name, holderPid);
            }
            return held;
        } catch (SQLException e) {
            log.warn("Could not try the leader lock of slot {}: {}", name, e.getMessage());
            lastError = e.getMessage();
            closeConnection();
            return false;
        }
    }

    @Override
    public boolean isHeld() {
        if (!held || connection == null) {
            return false;
        }
        try (PreparedStatement statement = connection.prepareStatement(STILL_HELD)) {
            statement.setQueryTimeout(checkTimeoutSeconds);
            statement.setInt(1, namespace);
            statement.setString(2, name);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                if (rows.getLong(1) == 1) {
                    return true;
                }
            }
            log.warn("The leader lock of slot {} is no longer held by backend {}", name, holderPid);
        } catch (SQLException e) {
            log.warn("Lost the leader lock's session for slot {}: {}", name, e.getMessage());
        }
        held = false;
        closeConnection();
        return false;
    }

    @Override
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    @Override
    public int holderPid() {
        if (!held) {
            throw new IllegalStateException("The leader lock of slot " + name + " is not held");
        }
        return holderPid;
    }

    @Override
    public void close() {
        if (held) {
            log.info("Releasing the leader lock of slot {}", name);
        }
        held = false;
        // Ending the session releases the lock; no explicit unlock needed.
        closeConnection();
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, login);
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("Closing the leader lock's connection failed: {}", e.getMessage());
            }
            connection = null;
        }
    }
}
