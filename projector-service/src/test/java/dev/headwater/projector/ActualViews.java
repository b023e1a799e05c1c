package dev.headwater.projector;

import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/** The views as the database holds them, in the shapes of {@link ExpectedViews}. */
final class ActualViews {

    final Map<String, ExpectedViews.Tenant> tenants = new TreeMap<>();
    final Map<String, ExpectedViews.Node> nodes = new TreeMap<>();
    final Map<String, ExpectedViews.Allocation> allocations = new TreeMap<>();
    final Map<String, ExpectedViews.Usage> billing = new TreeMap<>();
    final Map<String, ExpectedViews.Token> tokens = new TreeMap<>();
    final Set<String> auditEventIds = new HashSet<>();

    static ActualViews read(DataSource dataSource) {
        ActualViews views = new ActualViews();
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT * FROM projection.tenant_overview")) {
                while (r.next()) {
                    views.tenants.put(
                            r.getString("tenant_id"),
                            new ExpectedViews.Tenant(
                                    r.getString("name"),
                                    r.getString("status"),
                                    r.getString("suspended_reason"),
                                    r.getLong("quota_cpu_millis"),
                                    r.getLong("quota_memory_mib"),
                                    r.getLong("quota_gpus"),
                                    r.getLong("used_cpu_millis"),
                                    r.getLong("used_memory_mib"),
                                    r.getLong("used_gpus"),
                                    r.getLong("active_allocations"),
                                    instant(r.getTimestamp("created_at")),
                                    r.getLong("tenant_version")));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT * FROM projection.node_utilisation")) {
                while (r.next()) {
                    views.nodes.put(
                            r.getString("node_id"),
                            new ExpectedViews.Node(
                                    r.getString("status"),
                                    r.getString("cordon_reason"),
                                    r.getLong("capacity_cpu_millis"),
                                    r.getLong("capacity_memory_mib"),
                                    r.getLong("capacity_gpus"),
                                    r.getLong("allocated_cpu_millis"),
                                    r.getLong("allocated_memory_mib"),
                                    r.getLong("allocated_gpus"),
                                    r.getLong("active_allocations"),
                                    r.getLong("node_version")));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT * FROM projection.allocations")) {
                while (r.next()) {
                    views.allocations.put(
                            r.getString("allocation_id"),
                            new ExpectedViews.Allocation(
                                    r.getString("tenant_id"),
                                    r.getString("node_id"),
                                    r.getString("workload"),
                                    r.getLong("cpu_millis"),
                                    r.getLong("memory_mib"),
                                    r.getLong("gpus"),
                                    r.getString("status"),
                                    instant(r.getTimestamp("placed_at")),
                                    instant(r.getTimestamp("released_at"))));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT * FROM projection.billing_usage")) {
                while (r.next()) {
                    views.billing.put(
                            r.getString("tenant_id") + "@"
                                    + r.getTimestamp("hour").toInstant(),
                            new ExpectedViews.Usage(
                                    r.getBigDecimal("cpu_millicore_seconds").setScale(6, RoundingMode.UNNECESSARY),
                                    r.getBigDecimal("memory_mib_seconds").setScale(6, RoundingMode.UNNECESSARY),
                                    r.getBigDecimal("gpu_seconds").setScale(6, RoundingMode.UNNECESSARY)));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT * FROM projection.api_tokens")) {
                while (r.next()) {
                    views.tokens.put(
                            r.getString("token_id"),
                            new ExpectedViews.Token(
                                    r.getString("tenant_id"),
                                    r.getString("token_hash"),
                                    r.getString("role"),
                                    r.getBoolean("revoked")));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT event_id::text FROM projection.audit_events")) {
                while (r.next()) {
                    views.auditEventIds.add(r.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return views;
    }

    /** Applied versions of a projection's live generation, keyed as in {@link ExpectedViews#versions}. */
    static Map<String, Long> appliedVersions(DataSource dataSource, String projection) {
        Map<String, Long> versions = new TreeMap<>();
        try (Connection c = dataSource.getConnection();
                var s = c.prepareStatement("""
                        SELECT v.aggregate_type, v.aggregate_id, v.version
                          FROM projection.applied_versions v
                          JOIN projection.generations g ON g.projection = v.projection AND g.generation = v.generation
                         WHERE g.state = 'live' AND v.projection = ?
                        """)) {
            s.setString(1, projection);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    versions.put(r.getString(1) + "/" + r.getString(2), r.getLong(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return versions;
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
