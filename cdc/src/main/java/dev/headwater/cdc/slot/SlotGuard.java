package dev.headwater.cdc.slot;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Checked before every engine start: a relay that has stored offsets but whose slot is gone (or
 * lost its WAL) must not start. Debezium would create a fresh slot and stream from now on, and
 * every event committed in between would never reach Kafka. The relay refuses instead and says
 * what to do (README, "After a lost slot").
 */
public final class SlotGuard {

    static final String STATE = """
            SELECT EXISTS (SELECT FROM cdc.offsets WHERE store = ?),
                   (SELECT wal_status FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()),
                   EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = ? AND database = current_database())""";

    /** What the guard found. */
    public enum Verdict {
        /** No offsets yet: the first start creates the slot and snapshots the log. */
        FIRST_START,
        /** Offsets and a usable slot: streaming resumes from the offset. */
        RESUMABLE,
        /** Offsets but no slot, or a slot whose WAL was removed: events may be missing downstream. */
        LOST
    }

    private final String url;
    private final Properties login = new Properties();

    public SlotGuard(String url, String user, String password) {
        this.url = url;
        login.setProperty("user", user);
        login.setProperty("password", password);
        login.setProperty("ApplicationName", "headwater-cdc slot guard");
    }

    public Verdict check(String slotName) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, login);
                PreparedStatement statement = connection.prepareStatement(STATE)) {
            statement.setString(1, slotName);
            statement.setString(2, slotName);
            statement.setString(3, slotName);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                boolean hasOffsets = rows.getBoolean(1);
                String walStatus = rows.getString(2);
                boolean hasSlot = rows.getBoolean(3);
                if (!hasOffsets) {
                    return Verdict.FIRST_START;
                }
                return hasSlot && !"lost".equals(walStatus) ? Verdict.RESUMABLE : Verdict.LOST;
            }
        }
    }
}
