package dev.headwater.projector;

import dev.headwater.contract.EventEnvelope;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * The views as they must be after the given events, computed here independently of the
 * projections (straight from the catalogue's meaning), and the same shapes read from the
 * database, for a plain equality check.
 */
final class ExpectedViews {

    record Tenant(
            String name,
            String status,
            String reason,
            long qCpu,
            long qMem,
            long qGpu,
            long uCpu,
            long uMem,
            long uGpu,
            long allocations,
            Instant createdAt,
            long version) {}

    record Node(
            String status,
            String reason,
            long cCpu,
            long cMem,
            long cGpu,
            long aCpu,
            long aMem,
            long aGpu,
            long allocations,
            long version) {}

    record Allocation(
            String tenant,
            String node,
            String workload,
            long cpu,
            long mem,
            long gpus,
            String status,
            Instant placedAt,
            Instant releasedAt) {}

    record Usage(BigDecimal cpu, BigDecimal mem, BigDecimal gpu) {
        Usage plus(Usage o) {
            return new Usage(cpu.add(o.cpu), mem.add(o.mem), gpu.add(o.gpu));
        }

        Usage normalized() {
            return new Usage(
                    cpu.setScale(6, RoundingMode.UNNECESSARY),
                    mem.setScale(6, RoundingMode.UNNECESSARY),
                    gpu.setScale(6, RoundingMode.UNNECESSARY));
        }
    }

    record Token(String tenant, String hash, String role, boolean revoked) {}

    final Map<String, Tenant> tenants = new TreeMap<>();
    final Map<String, Node> nodes = new TreeMap<>();
    final Map<String, Allocation> allocations = new TreeMap<>();
    final Map<String, Usage> billing = new TreeMap<>();
    final Map<String, Token> tokens = new TreeMap<>();
    final Set<String> auditEventIds = new HashSet<>();
    final Map<String, Long> versions = new TreeMap<>();

    static ExpectedViews of(Collection<EventEnvelope> events) {
        ExpectedViews views = new ExpectedViews();
        Map<String, EventEnvelope> byStreamVersion = new HashMap<>();
        for (EventEnvelope e : events) {
            byStreamVersion.put(e.aggregateType() + "/" + e.aggregateId() + "/" + e.aggregateVersion(), e);
        }
        // Each stream in version order; streams only meet in sums, so their order does not matter.
        Map<String, java.util.List<EventEnvelope>> streams = new TreeMap<>();
        byStreamVersion
                .values()
                .forEach(e -> streams.computeIfAbsent(
                                e.aggregateType() + "/" + e.aggregateId(), k -> new java.util.ArrayList<>())
                        .add(e));
        streams.values().forEach(list -> list.sort((a, b) -> Long.compare(a.aggregateVersion(), b.aggregateVersion())));
        streams.values().forEach(list -> list.forEach(views::apply));
        return views;
    }

    private void apply(EventEnvelope e) {
        versions.merge(e.aggregateType() + "/" + e.aggregateId(), e.aggregateVersion(), Math::max);
        auditEventIds.add(e.eventId().toString());
        JsonNode p = e.payload();
        String id = e.aggregateId();
        switch (e.eventType()) {
            case "TenantCreated" -> {
                Tenant t = tenants.getOrDefault(id, emptyTenant());
                tenants.put(
                        id,
                        new Tenant(
                                p.get("name").asString(),
                                "active",
                                null,
                                l(p, "quota", "cpuMillis"),
                                l(p, "quota", "memoryMib"),
                                l(p, "quota", "gpus"),
                                t.uCpu,
                                t.uMem,
                                t.uGpu,
                                t.allocations,
                                e.recordedAt(),
                                e.aggregateVersion()));
            }
            case "TenantQuotaSet" -> {
                Tenant t = tenants.get(id);
                tenants.put(
                        id,
                        new Tenant(
                                t.name,
                                t.status,
                                t.reason,
                                l(p, "quota", "cpuMillis"),
                                l(p, "quota", "memoryMib"),
                                l(p, "quota", "gpus"),
                                t.uCpu,
                                t.uMem,
                                t.uGpu,
                                t.allocations,
                                t.createdAt,
                                e.aggregateVersion()));
            }
            case "TenantSuspended" -> {
                Tenant t = tenants.get(id);
                tenants.put(
                        id,
                        new Tenant(
                                t.name,
                                "suspended",
                                p.get("reason").asString(),
                                t.qCpu,
                                t.qMem,
                                t.qGpu,
                                t.uCpu,
                                t.uMem,
                                t.uGpu,
                                t.allocations,
                                t.createdAt,
                                e.aggregateVersion()));
            }
            case "TenantReactivated" -> {
                Tenant t = tenants.get(id);
                tenants.put(
                        id,
                        new Tenant(
                                t.name,
                                "active",
                                null,
                                t.qCpu,
                                t.qMem,
                                t.qGpu,
                                t.uCpu,
                                t.uMem,
                                t.uGpu,
                                t.allocations,
                                t.createdAt,
                                e.aggregateVersion()));
            }
            case "NodeRegistered" -> {
                Node n = nodes.getOrDefault(id, new Node(null, null, 0, 0, 0, 0, 0, 0, 0, 0));
                nodes.put(
                        id,
                        new Node(
                                "ready",
                                null,
                                l(p, "capacity", "cpuMillis"),
                                l(p, "capacity", "memoryMib"),
                                l(p, "capacity", "gpus"),
                                n.aCpu,
                                n.aMem,
                                n.aGpu,
                                n.allocations,
                                e.aggregateVersion()));
            }
            case "NodeCordoned" -> {
                Node n = nodes.get(id);
                nodes.put(
                        id,
                        new Node(
                                "cordoned",
                                p.get("reason").asString(),
                                n.cCpu,
                                n.cMem,
                                n.cGpu,
                                n.aCpu,
                                n.aMem,
                                n.aGpu,
                                n.allocations,
                                e.aggregateVersion()));
            }
            case "AllocationPlaced", "AllocationReleased" -> allocation(e, p, id);
            case "ApiTokenIssued" ->
                tokens.put(
                        id,
                        new Token(
                                e.tenantId(),
                                p.get("tokenHash").asString(),
                                p.get("role").asString(),
                                false));
            case "ApiTokenRevoked" -> {
                Token t = tokens.get(id);
                tokens.put(id, new Token(t.tenant, t.hash, t.role, true));
            }
            default -> throw new IllegalArgumentException(e.eventType());
        }
    }

    private void allocation(EventEnvelope e, JsonNode p, String id) {
        boolean placed = e.eventType().equals("AllocationPlaced");
        int sign = placed ? 1 : -1;
        String tenantId = p.get("tenantId").asString();
        String nodeId = p.get("nodeId").asString();
        long cpu = l(p, "resources", "cpuMillis");
        long mem = l(p, "resources", "memoryMib");
        long gpu = l(p, "resources", "gpus");
        Tenant t = tenants.getOrDefault(tenantId, emptyTenant());
        tenants.put(
                tenantId,
                new Tenant(
                        t.name,
                        t.status,
                        t.reason,
                        t.qCpu,
                        t.qMem,
                        t.qGpu,
                        t.uCpu + sign * cpu,
                        t.uMem + sign * mem,
                        t.uGpu + sign * gpu,
                        t.allocations + sign,
                        t.createdAt,
                        t.version));
        Node n = nodes.getOrDefault(nodeId, new Node(null, null, 0, 0, 0, 0, 0, 0, 0, 0));
        nodes.put(
                nodeId,
                new Node(
                        n.status,
                        n.reason,
                        n.cCpu,
                        n.cMem,
                        n.cGpu,
                        n.aCpu + sign * cpu,
                        n.aMem + sign * mem,
                        n.aGpu + sign * gpu,
                        n.allocations + sign,
                        n.version));
        if (placed) {
            allocations.put(
                    id,
                    new Allocation(
                            tenantId,
                            nodeId,
                            p.get("workload").asString(),
                            cpu,
                            mem,
                            gpu,
                            "active",
                            e.recordedAt(),
                            null));
        } else {
            Allocation a = allocations.get(id);
            allocations.put(
                    id,
                    new Allocation(
                            a.tenant,
                            a.node,
                            a.workload,
                            a.cpu,
                            a.mem,
                            a.gpus,
                            "released",
                            a.placedAt,
                            e.recordedAt()));
            // Every hour the allocation ran in, by its overlap with the hour.
            for (Instant hour = a.placedAt.truncatedTo(ChronoUnit.HOURS);
                    hour.isBefore(e.recordedAt());
                    hour = hour.plus(1, ChronoUnit.HOURS)) {
                Instant from = a.placedAt.isAfter(hour) ? a.placedAt : hour;
                Instant end = hour.plus(1, ChronoUnit.HOURS);
                Instant to = e.recordedAt().isBefore(end) ? e.recordedAt() : end;
                BigDecimal seconds =
                        BigDecimal.valueOf(Duration.between(from, to).toNanos()).movePointLeft(9);
                Usage u = new Usage(
                        seconds.multiply(BigDecimal.valueOf(cpu)),
                        seconds.multiply(BigDecimal.valueOf(mem)),
                        seconds.multiply(BigDecimal.valueOf(gpu)));
                billing.merge(a.tenant + "@" + hour, u, Usage::plus);
            }
        }
    }

    Map<String, Usage> normalizedBilling() {
        Map<String, Usage> result = new TreeMap<>();
        billing.forEach((k, v) -> result.put(k, v.normalized()));
        return result;
    }

    private static Tenant emptyTenant() {
        return new Tenant(null, null, null, 0, 0, 0, 0, 0, 0, 0, null, 0);
    }

    private static long l(JsonNode payload, String object, String field) {
        return payload.get(object).get(field).asLong();
    }
}
