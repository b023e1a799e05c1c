package dev.headwater.e2e.check;

import dev.headwater.e2e.check.Rows.Table;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The tables the checker compares: the control-plane views (schema {@code projection}) and the
 * command service's write-side state (schema {@code command}), and how to read them.
 */
final class Tables {

    static final Table TENANT_OVERVIEW = new Table(
            "projection",
            "tenant_overview",
            1,
            List.of(
                    "tenant_id",
                    "name",
                    "status",
                    "suspended_reason",
                    "quota_cpu_millis",
                    "quota_memory_mib",
                    "quota_gpus",
                    "used_cpu_millis",
                    "used_memory_mib",
                    "used_gpus",
                    "active_allocations",
                    "created_at",
                    "updated_at",
                    "tenant_version"));

    static final Table NODE_UTILISATION = new Table(
            "projection",
            "node_utilisation",
            1,
            List.of(
                    "node_id",
                    "status",
                    "cordon_reason",
                    "labels",
                    "capacity_cpu_millis",
                    "capacity_memory_mib",
                    "capacity_gpus",
                    "allocated_cpu_millis",
                    "allocated_memory_mib",
                    "allocated_gpus",
                    "active_allocations",
                    "registered_at",
                    "updated_at",
                    "node_version"));

    static final Table ALLOCATIONS = new Table(
            "projection",
            "allocations",
            1,
            List.of(
                    "allocation_id",
                    "tenant_id",
                    "node_id",
                    "workload",
                    "cpu_millis",
                    "memory_mib",
                    "gpus",
                    "status",
                    "placed_at",
                    "released_at"));

    static final Table BILLING_USAGE = new Table(
            "projection",
            "billing_usage",
            2,
            List.of("tenant_id", "hour", "cpu_millicore_seconds", "memory_mib_seconds", "gpu_seconds"));

    static final Table AUDIT_EVENTS = new Table(
            "projection",
            "audit_events",
            1,
            List.of(
                    "global_position",
                    "event_id",
                    "tenant_id",
                    "aggregate_type",
                    "aggregate_id",
                    "aggregate_version",
                    "event_type",
                    "actor",
                    "command_id",
                    "correlation_id",
                    "recorded_at",
                    "payload"));

    static final Table API_TOKENS = new Table(
            "projection",
            "api_tokens",
            1,
            List.of(
                    "token_id",
                    "tenant_id",
                    "token_hash",
                    "role",
                    "name",
                    "revoked",
                    "revoked_reason",
                    "issued_at",
                    "revoked_at"));

    static final List<Table> VIEWS =
            List.of(TENANT_OVERVIEW, NODE_UTILISATION, ALLOCATIONS, BILLING_USAGE, AUDIT_EVENTS, API_TOKENS);

    static final Table WRITE_TENANTS = new Table(
            "command",
            "tenants",
            1,
            List.of(
                    "tenant_id",
                    "status",
                    "quota_cpu_millis",
                    "quota_memory_mib",
                    "quota_gpus",
                    "used_cpu_millis",
                    "used_memory_mib",
                    "used_gpus"));

    static final Table WRITE_NODES = new Table(
            "command",
            "nodes",
            1,
            List.of(
                    "node_id",
                    "status",
                    "capacity_cpu_millis",
                    "capacity_memory_mib",
                    "capacity_gpus",
                    "used_cpu_millis",
                    "used_memory_mib",
                    "used_gpus"));

    static final Table WRITE_ALLOCATIONS = new Table(
            "command",
            "allocations",
            1,
            List.of("allocation_id", "tenant_id", "node_id", "cpu_millis", "memory_mib", "gpus", "released"));

    static final Table WRITE_TOKENS =
            new Table("command", "api_tokens", 1, List.of("token_id", "tenant_id", "role", "token_hash", "revoked"));

    static final List<Table> WRITE_SIDE = List.of(WRITE_TENANTS, WRITE_NODES, WRITE_ALLOCATIONS, WRITE_TOKENS);

    private Tables() {}

    /** Reads every row of {@code table}, converting each column by its Postgres type. */
    static Rows read(DataSource database, Table table, JsonMapper json) {
        Rows rows = new Rows(table);
        String sql = "SELECT " + String.join(", ", table.columns()) + " FROM " + table.qualified();
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.setFetchSize(5_000);
            try (ResultSet result = statement.executeQuery(sql)) {
                ResultSetMetaData meta = result.getMetaData();
                Object[] values = new Object[table.columns().size()];
                while (result.next()) {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = value(result, i + 1, meta.getColumnTypeName(i + 1), json);
                    }
                    rows.put(values);
                }
            }
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("Reading " + table.qualified() + " failed: " + e.getMessage(), e);
        }
        return rows;
    }

    /**
     * Order-independent checksums of the view tables: row count and the sum of a 64-bit hash of
     * each row's text. Two databases with the same rows have the same checksums.
     */
    static Map<String, String> checksums(DataSource database) {
        Map<String, String> checksums = new TreeMap<>();
        try (Connection connection = database.getConnection();
                Statement statement = connection.createStatement()) {
            for (Table table : VIEWS) {
                try (ResultSet result =
                        statement.executeQuery("SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)"
                                + "::numeric), 0) FROM " + table.qualified() + " t")) {
                    result.next();
                    checksums.put(table.name(), result.getLong(1) + " rows, hash " + result.getBigDecimal(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Computing view checksums failed: " + e.getMessage(), e);
        }
        return checksums;
    }

    private static Object value(ResultSet result, int column, String type, JsonMapper json) throws SQLException {
        Object value = switch (type) {
            case "timestamptz" -> {
                OffsetDateTime time = result.getObject(column, OffsetDateTime.class);
                yield time == null ? null : time.toInstant();
            }
            case "numeric" -> {
                BigDecimal number = result.getBigDecimal(column);
                yield number;
            }
            case "int8", "int4", "int2" -> {
                long number = result.getLong(column);
                yield result.wasNull() ? null : number;
            }
            case "bool" -> {
                boolean flag = result.getBoolean(column);
                yield result.wasNull() ? null : flag;
            }
            case "jsonb", "json" -> {
                String text = result.getString(column);
                yield text == null ? null : json.readTree(text);
            }
            default -> result.getString(column);
        };
        return value;
    }
}
