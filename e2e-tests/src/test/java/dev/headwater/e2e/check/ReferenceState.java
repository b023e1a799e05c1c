package dev.headwater.e2e.check;

import dev.headwater.e2e.check.Rows.Table;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * What the views and the write-side state must hold after the given events, recomputed here from
 * the event catalogue (docs/control-plane-events.md) and the views' documented meaning, with no
 * code shared with the services. Streams are folded one by one in version order; they meet only in
 * sums and maxima, so the order of streams does not matter.
 */
final class ReferenceState {

    static final Set<String> CONTROL_PLANE = Set.of("tenant", "node", "allocation", "api-token");

    private static final class Tenant {
        final String id;

        @Nullable
        String name;

        @Nullable
        String status;

        @Nullable
        String reason;

        @Nullable
        Resources quota;

        Resources used = Resources.NONE;
        long active;

        @Nullable
        Instant createdAt;

        @Nullable
        Instant updatedAt;

        long version;

        Tenant(String id) {
            this.id = id;
        }
    }

    private static final class Node {
        final String id;

        @Nullable
        String status;

        @Nullable
        String reason;

        @Nullable
        JsonNode labels;

        @Nullable
        Resources capacity;

        Resources allocated = Resources.NONE;
        long active;

        @Nullable
        Instant registeredAt;

        @Nullable
        Instant updatedAt;

        long version;

        Node(String id) {
            this.id = id;
        }
    }

    private static final class Allocation {
        final String id;
        final String tenant;
        final String node;
        final @Nullable String workload;
        final Resources resources;
        final Instant placedAt;

        @Nullable
        Instant releasedAt;

        Allocation(String id, String tenant, String node, @Nullable String workload, Resources resources, Instant at) {
            this.id = id;
            this.tenant = tenant;
            this.node = node;
            this.workload = workload;
            this.resources = resources;
            this.placedAt = at;
        }
    }

    private static final class Token {
        final String id;
        final String tenant;
        final String hash;
        final String role;
        final @Nullable String name;
        final Instant issuedAt;
        boolean revoked;

        @Nullable
        String revokedReason;

        @Nullable
        Instant revokedAt;

        Token(String id, String tenant, String hash, String role, @Nullable String name, Instant issuedAt) {
            this.id = id;
            this.tenant = tenant;
            this.hash = hash;
            this.role = role;
            this.name = name;
            this.issuedAt = issuedAt;
        }
    }

    record Resources(long cpu, long memory, long gpus) {
        static final Resources NONE = new Resources(0, 0, 0);

        Resources plus(Resources other, int sign) {
            return new Resources(cpu + sign * other.cpu, memory + sign * other.memory, gpus + sign * other.gpus);
        }

        static Resources of(JsonNode object) {
            return new Resources(
                    object.path("cpuMillis").asLong(),
                    object.path("memoryMib").asLong(),
                    object.path("gpus").asLong());
        }
    }

    private record Usage(BigDecimal cpu, BigDecimal memory, BigDecimal gpus) {
        Usage plus(Usage other) {
            return new Usage(cpu.add(other.cpu), memory.add(other.memory), gpus.add(other.gpus));
        }
    }

    private final Map<String, Tenant> tenants = new LinkedHashMap<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Allocation> allocations = new LinkedHashMap<>();
    private final Map<String, Token> tokens = new LinkedHashMap<>();
    private final Map<String, Usage> billing = new HashMap<>();
    private final List<LoggedEvent> audited = new ArrayList<>();
    private final Map<String, Long> latestVersions = new HashMap<>();

    static ReferenceState of(List<LoggedEvent> log) {
        ReferenceState state = new ReferenceState();
        List<LoggedEvent> ordered = new ArrayList<>(log);
        ordered.sort(Comparator.comparing(LoggedEvent::aggregateType)
                .thenComparing(LoggedEvent::aggregateId)
                .thenComparingLong(LoggedEvent::aggregateVersion));
        ordered.forEach(state::apply);
        return state;
    }

    /** The highest version of every stream in the log, by {@code type/id}. */
    Map<String, Long> latestVersions() {
        return latestVersions;
    }

    private void apply(LoggedEvent event) {
        latestVersions.merge(event.stream(), event.aggregateVersion(), Math::max);
        if (!CONTROL_PLANE.contains(event.aggregateType())) {
            return;
        }
        audited.add(event);
        JsonNode payload = event.payload();
        Instant at = event.recordedAt();
        switch (event.eventType()) {
            case "TenantCreated" -> {
                Tenant tenant = tenant(event.aggregateId(), event);
                tenant.name = payload.path("name").asString();
                tenant.quota = Resources.of(payload.path("quota"));
                tenant.status = "active";
                tenant.reason = null;
                tenant.createdAt = at;
            }
            case "TenantQuotaSet" -> tenant(event.aggregateId(), event).quota = Resources.of(payload.path("quota"));
            case "TenantSuspended" -> {
                Tenant tenant = tenant(event.aggregateId(), event);
                tenant.status = "suspended";
                tenant.reason = optionalText(payload, "reason");
            }
            case "TenantReactivated" -> {
                Tenant tenant = tenant(event.aggregateId(), event);
                tenant.status = "active";
                tenant.reason = null;
            }
            case "NodeRegistered" -> {
                Node node = node(event.aggregateId(), event);
                node.capacity = Resources.of(payload.path("capacity"));
                JsonNode labels = payload.get("labels");
                node.labels = labels == null || labels.isNull() ? JsonNodeFactory.instance.objectNode() : labels;
                node.status = "ready";
                node.reason = null;
                node.registeredAt = at;
            }
            case "NodeCordoned" -> {
                Node node = node(event.aggregateId(), event);
                node.status = "cordoned";
                node.reason = optionalText(payload, "reason");
            }
            case "NodeRemoved" -> {
                Node node = node(event.aggregateId(), event);
                node.status = "removed";
                node.reason = null;
            }
            case "AllocationPlaced" -> placed(event, payload);
            case "AllocationReleased" -> released(event, payload);
            case "ApiTokenIssued" ->
                tokens.put(
                        event.aggregateId(),
                        new Token(
                                event.aggregateId(),
                                event.tenantId(),
                                payload.path("tokenHash").asString(),
                                payload.path("role").asString(),
                                optionalText(payload, "name"),
                                at));
            case "ApiTokenRevoked" -> {
                Token token = tokens.get(event.aggregateId());
                if (token == null) {
                    throw new IllegalStateException("token " + event.aggregateId() + " revoked but never issued");
                }
                token.revoked = true;
                token.revokedReason = optionalText(payload, "reason");
                token.revokedAt = at;
            }
            default -> throw new IllegalStateException("unknown control-plane event " + event.eventType());
        }
    }

    private Tenant tenant(String id, LoggedEvent event) {
        Tenant tenant = tenants.computeIfAbsent(id, Tenant::new);
        tenant.version = Math.max(tenant.version, event.aggregateVersion());
        tenant.updatedAt = later(tenant.updatedAt, event.recordedAt());
        return tenant;
    }

    private Node node(String id, LoggedEvent event) {
        Node node = nodes.computeIfAbsent(id, Node::new);
        node.version = Math.max(node.version, event.aggregateVersion());
        node.updatedAt = later(node.updatedAt, event.recordedAt());
        return node;
    }

    private void placed(LoggedEvent event, JsonNode payload) {
        Resources resources = Resources.of(payload.path("resources"));
        String tenantId = payload.path("tenantId").asString();
        String nodeId = payload.path("nodeId").asString();
        allocations.put(
                event.aggregateId(),
                new Allocation(
                        event.aggregateId(),
                        tenantId,
                        nodeId,
                        optionalText(payload, "workload"),
                        resources,
                        event.recordedAt()));
        count(tenantId, nodeId, resources, 1, event.recordedAt());
    }

    private void released(LoggedEvent event, JsonNode payload) {
        Allocation allocation = allocations.get(event.aggregateId());
        if (allocation == null) {
            throw new IllegalStateException("allocation " + event.aggregateId() + " released but never placed");
        }
        allocation.releasedAt = event.recordedAt();
        Resources resources = Resources.of(payload.path("resources"));
        count(
                payload.path("tenantId").asString(),
                payload.path("nodeId").asString(),
                resources,
                -1,
                event.recordedAt());
        bill(allocation, event.recordedAt());
    }

    /** Usage of the tenant and the node; the event time counts as an update of both rows. */
    private void count(String tenantId, String nodeId, Resources resources, int sign, Instant at) {
        Tenant tenant = tenants.computeIfAbsent(tenantId, Tenant::new);
        tenant.used = tenant.used.plus(resources, sign);
        tenant.active += sign;
        tenant.updatedAt = later(tenant.updatedAt, at);
        Node node = nodes.computeIfAbsent(nodeId, Node::new);
        node.allocated = node.allocated.plus(resources, sign);
        node.active += sign;
        node.updatedAt = later(node.updatedAt, at);
    }

    /** Resource-seconds between placement and release, split at UTC hours, in exact microseconds. */
    private void bill(Allocation allocation, Instant releasedAt) {
        Instant start = allocation.placedAt;
        while (start.isBefore(releasedAt)) {
            Instant hour = start.truncatedTo(ChronoUnit.HOURS);
            Instant next = hour.plus(1, ChronoUnit.HOURS);
            Instant end = next.isBefore(releasedAt) ? next : releasedAt;
            BigDecimal seconds = BigDecimal.valueOf(Duration.between(start, end).toNanos() / 1_000, 6);
            Usage usage = new Usage(
                    seconds.multiply(BigDecimal.valueOf(allocation.resources.cpu())),
                    seconds.multiply(BigDecimal.valueOf(allocation.resources.memory())),
                    seconds.multiply(BigDecimal.valueOf(allocation.resources.gpus())));
            billing.merge(allocation.tenant + "|" + hour, usage, Usage::plus);
            start = end;
        }
    }

    /** The rows the view tables must hold. */
    Map<Table, Rows> views() {
        Map<Table, Rows> views = new LinkedHashMap<>();
        Rows tenantRows = new Rows(Tables.TENANT_OVERVIEW);
        tenants.values()
                .forEach(t -> tenantRows.put(
                        t.id,
                        t.name,
                        t.status,
                        t.reason,
                        t.quota == null ? null : t.quota.cpu(),
                        t.quota == null ? null : t.quota.memory(),
                        t.quota == null ? null : t.quota.gpus(),
                        t.used.cpu(),
                        t.used.memory(),
                        t.used.gpus(),
                        t.active,
                        t.createdAt,
                        t.updatedAt,
                        t.version));
        views.put(Tables.TENANT_OVERVIEW, tenantRows);
        Rows nodeRows = new Rows(Tables.NODE_UTILISATION);
        nodes.values()
                .forEach(n -> nodeRows.put(
                        n.id,
                        n.status,
                        n.reason,
                        n.labels,
                        n.capacity == null ? null : n.capacity.cpu(),
                        n.capacity == null ? null : n.capacity.memory(),
                        n.capacity == null ? null : n.capacity.gpus(),
                        n.allocated.cpu(),
                        n.allocated.memory(),
                        n.allocated.gpus(),
                        n.active,
                        n.registeredAt,
                        n.updatedAt,
                        n.version));
        views.put(Tables.NODE_UTILISATION, nodeRows);
        Rows allocationRows = new Rows(Tables.ALLOCATIONS);
        allocations
                .values()
                .forEach(a -> allocationRows.put(
                        a.id,
                        a.tenant,
                        a.node,
                        a.workload,
                        a.resources.cpu(),
                        a.resources.memory(),
                        a.resources.gpus(),
                        a.releasedAt == null ? "active" : "released",
                        a.placedAt,
                        a.releasedAt));
        views.put(Tables.ALLOCATIONS, allocationRows);
        Rows billingRows = new Rows(Tables.BILLING_USAGE);
        billing.forEach((key, usage) -> {
            int bar = key.indexOf('|');
            billingRows.put(
                    key.substring(0, bar),
                    Instant.parse(key.substring(bar + 1)),
                    usage.cpu(),
                    usage.memory(),
                    usage.gpus());
        });
        views.put(Tables.BILLING_USAGE, billingRows);
        Rows auditRows = new Rows(Tables.AUDIT_EVENTS);
        audited.forEach(e -> auditRows.put(
                e.globalPosition(),
                e.eventId().toString(),
                e.tenantId(),
                e.aggregateType(),
                e.aggregateId(),
                e.aggregateVersion(),
                e.eventType(),
                e.metadata().actor(),
                e.metadata().commandId(),
                e.metadata().correlationId(),
                e.recordedAt(),
                e.payload()));
        views.put(Tables.AUDIT_EVENTS, auditRows);
        Rows tokenRows = new Rows(Tables.API_TOKENS);
        tokens.values()
                .forEach(t -> tokenRows.put(
                        t.id, t.tenant, t.hash, t.role, t.name, t.revoked, t.revokedReason, t.issuedAt, t.revokedAt));
        views.put(Tables.API_TOKENS, tokenRows);
        return views;
    }

    /** The rows the command service's write-side tables must hold. */
    Map<Table, Rows> writeSide() {
        Map<Table, Rows> tables = new LinkedHashMap<>();
        Rows tenantRows = new Rows(Tables.WRITE_TENANTS);
        tenants.values()
                .forEach(t -> tenantRows.put(
                        t.id,
                        t.status,
                        t.quota == null ? null : t.quota.cpu(),
                        t.quota == null ? null : t.quota.memory(),
                        t.quota == null ? null : t.quota.gpus(),
                        t.used.cpu(),
                        t.used.memory(),
                        t.used.gpus()));
        tables.put(Tables.WRITE_TENANTS, tenantRows);
        Rows nodeRows = new Rows(Tables.WRITE_NODES);
        nodes.values()
                .forEach(n -> nodeRows.put(
                        n.id,
                        "ready".equals(n.status) ? "active" : n.status,
                        n.capacity == null ? null : n.capacity.cpu(),
                        n.capacity == null ? null : n.capacity.memory(),
                        n.capacity == null ? null : n.capacity.gpus(),
                        n.allocated.cpu(),
                        n.allocated.memory(),
                        n.allocated.gpus()));
        tables.put(Tables.WRITE_NODES, nodeRows);
        Rows allocationRows = new Rows(Tables.WRITE_ALLOCATIONS);
        allocations
                .values()
                .forEach(a -> allocationRows.put(
                        a.id,
                        a.tenant,
                        a.node,
                        a.resources.cpu(),
                        a.resources.memory(),
                        a.resources.gpus(),
                        a.releasedAt != null));
        tables.put(Tables.WRITE_ALLOCATIONS, allocationRows);
        Rows tokenRows = new Rows(Tables.WRITE_TOKENS);
        tokens.values().forEach(t -> tokenRows.put(t.id, t.tenant, t.role, t.hash, t.revoked));
        tables.put(Tables.WRITE_TOKENS, tokenRows);
        return tables;
    }

    private static @Nullable Instant later(@Nullable Instant current, Instant candidate) {
        return current == null || candidate.isAfter(current) ? candidate : current;
    }

    private static @Nullable String optionalText(JsonNode payload, String field) {
        JsonNode value = payload.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }
}
