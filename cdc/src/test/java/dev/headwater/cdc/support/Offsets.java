package dev.headwater.cdc.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads what the relay committed in {@code cdc.offsets} and what the slot confirmed. */
public final class Offsets {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final DataSource dataSource;

    public Offsets(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The committed offset of a slot's relay (Debezium's keys: lsn, lsn_proc, lsn_commit, txId...). */
    public Optional<JsonNode> committed(String slot) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement =
                        connection.prepareStatement("SELECT offset_value FROM cdc.offsets WHERE store = ?")) {
            statement.setString(1, slot);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(JSON.readTree(rows.getString(1))) : Optional.empty();
            }
        }
    }

    /** The commit LSN of the last transaction whose events were all acknowledged, or -1. */
    public long committedCommitLsn(String slot) throws SQLException {
        return committed(slot)
                .map(offset -> offset.get("lsn_commit"))
                .map(JsonNode::asLong)
                .orElse(-1L);
    }

    /** Bytes of WAL the slot holds back, or -1 when it does not exist. */
    public long retainedWal(String slot) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("""
                        SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint
                          FROM pg_replication_slots WHERE slot_name = ?""")) {
            statement.setString(1, slot);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getLong(1) : -1;
            }
        }
    }

    /** The slot's {@code confirmed_flush_lsn} as a number, or -1 when the slot does not exist. */
    public long confirmedFlush(String slot) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement("""
                        SELECT (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint
                          FROM pg_replication_slots WHERE slot_name = ?""")) {
            statement.setString(1, slot);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getLong(1) : -1;
            }
        }
    }

    /** Replaces the committed offset, as a lost offset write would leave it. */
    public void overwrite(String slot, JsonNode offset) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement =
                        connection.prepareStatement("UPDATE cdc.offsets SET offset_value = ? WHERE store = ?")) {
            statement.setString(1, JSON.writeValueAsString(offset));
            statement.setString(2, slot);
            if (statement.executeUpdate() != 1) {
                throw new IllegalStateException("No offset stored for " + slot);
            }
        }
    }
}
