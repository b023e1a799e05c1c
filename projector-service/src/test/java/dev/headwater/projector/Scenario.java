package dev.headwater.projector;

import dev.headwater.projector.EventFeed.NewEvent;
import dev.headwater.web.auth.ApiTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A deterministic stream of valid control-plane events (docs/control-plane-events.md): tenants with
 * quota changes and suspensions, nodes registered and cordoned, allocations placed and released,
 * tokens issued and revoked. Times advance by seconds to minutes, so usage spans hours.
 */
final class Scenario {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Random random;
    private final Map<String, Long> versions = new HashMap<>();
    private final List<String> tenants = new ArrayList<>();
    private final List<String> nodes = new ArrayList<>();
    private final Map<String, String[]> active = new LinkedHashMap<>(); // allocation -> tenant, node, cpu, mem, gpu
    private final List<String[]> tokens = new ArrayList<>(); // id, tenant
    private final Map<String, String> secrets = new HashMap<>();
    private Instant clock;

    Scenario(long seed, Instant start) {
        this.random = new Random(seed);
        this.clock = start;
    }

    /** Tenants and nodes to start with. */
    List<NewEvent> setUp(int tenantCount, int nodeCount) {
        List<NewEvent> events = new ArrayList<>();
        for (int i = 0; i < tenantCount; i++) {
            String tenant = "tenant-" + (tenants.size() + 1);
            tenants.add(tenant);
            ObjectNode payload = NODES.objectNode().put("name", "Tenant " + tenant);
            payload.set("quota", resources(64_000, 262_144, 8));
            events.add(event(tenant, "tenant", tenant, "TenantCreated", payload));
        }
        for (int i = 0; i < nodeCount; i++) {
            String node = "node-" + (nodes.size() + 1);
            nodes.add(node);
            ObjectNode payload = NODES.objectNode();
            payload.set("capacity", resources(128_000, 524_288, 4));
            payload.set("labels", NODES.objectNode().put("zone", "eu-1" + (char) ('a' + i % 3)));
            events.add(event("platform", "node", node, "NodeRegistered", payload));
        }
        return events;
    }

    /** {@code count} more events of every kind, weighted towards allocations. */
    List<NewEvent> next(int count) {
        List<NewEvent> events = new ArrayList<>(count);
        while (events.size() < count) {
            int dice = random.nextInt(100);
            if (dice < 45 || active.isEmpty()) {
                events.add(place());
            } else if (dice < 80) {
                events.add(release());
            } else if (dice < 86) {
                events.add(quota());
            } else if (dice < 90) {
                events.add(suspendOrReactivate());
            } else if (dice < 93) {
                events.add(cordon());
            } else if (dice < 98 || tokens.isEmpty()) {
                events.add(issueToken());
            } else {
                events.add(revokeToken());
            }
        }
        return events;
    }

    List<String> tenants() {
        return List.copyOf(tenants);
    }

    /** Secrets of the tokens issued so far, by token id. */
    Map<String, String> secrets() {
        return Map.copyOf(secrets);
    }

    long version(String aggregateType, String aggregateId) {
        return versions.getOrDefault(aggregateType + "/" + aggregateId, 0L);
    }

    NewEvent event(String tenant, String type, String id, String eventType, ObjectNode payload) {
        clock = clock.plus(Duration.ofMillis(500 + random.nextInt(90_000))).plusNanos(random.nextInt(1000) * 1000L);
        long version = versions.merge(type + "/" + id, 1L, Long::sum);
        return new NewEvent(tenant, type, id, version, eventType, payload, clock, "token:scenario");
    }

    private NewEvent place() {
        String id = UUID.randomUUID().toString();
        String tenant = tenants.get(random.nextInt(tenants.size()));
        String node = nodes.get(random.nextInt(nodes.size()));
        int cpu = 100 * (1 + random.nextInt(20));
        int mem = 256 * (1 + random.nextInt(16));
        int gpus = random.nextInt(10) == 0 ? 1 : 0;
        active.put(id, new String[] {tenant, node, "" + cpu, "" + mem, "" + gpus});
        ObjectNode payload = NODES.objectNode()
                .put("tenantId", tenant)
                .put("nodeId", node)
                .put("workload", "workload-" + random.nextInt(50));
        payload.set("resources", resources(cpu, mem, gpus));
        return event(tenant, "allocation", id, "AllocationPlaced", payload);
    }

    private NewEvent release() {
        String id = active.keySet().stream()
                .skip(random.nextInt(active.size()))
                .findFirst()
                .orElseThrow();
        String[] a = active.remove(id);
        ObjectNode payload = NODES.objectNode().put("tenantId", a[0]).put("nodeId", a[1]);
        payload.set("resources", resources(Integer.parseInt(a[2]), Integer.parseInt(a[3]), Integer.parseInt(a[4])));
        return event(a[0], "allocation", id, "AllocationReleased", payload);
    }

    private NewEvent quota() {
        String tenant = tenants.get(random.nextInt(tenants.size()));
        ObjectNode payload = NODES.objectNode();
        payload.set(
                "quota",
                resources(1_000 * (1 + random.nextInt(100)), 1_024 * (1 + random.nextInt(300)), random.nextInt(9)));
        return event(tenant, "tenant", tenant, "TenantQuotaSet", payload);
    }

    private final Map<String, Boolean> suspended = new HashMap<>();

    private NewEvent suspendOrReactivate() {
        String tenant = tenants.get(random.nextInt(tenants.size()));
        if (suspended.getOrDefault(tenant, false)) {
            suspended.put(tenant, false);
            return event(tenant, "tenant", tenant, "TenantReactivated", NODES.objectNode());
        }
        suspended.put(tenant, true);
        return event(
                tenant,
                "tenant",
                tenant,
                "TenantSuspended",
                NODES.objectNode().put("reason", "unpaid invoice " + random.nextInt(1000)));
    }

    private NewEvent cordon() {
        String node = nodes.get(random.nextInt(nodes.size()));
        return event(
                "platform", "node", node, "NodeCordoned", NODES.objectNode().put("reason", "kernel upgrade"));
    }

    private NewEvent issueToken() {
        String id = UUID.randomUUID().toString();
        String tenant = tenants.get(random.nextInt(tenants.size()));
        String secret = ApiTokens.newSecret();
        secrets.put(id, secret);
        tokens.add(new String[] {id, tenant});
        ObjectNode payload = NODES.objectNode()
                .put("tokenHash", ApiTokens.hash(secret))
                .put("role", random.nextBoolean() ? "tenant-admin" : "tenant-reader")
                .put("name", "key " + tokens.size());
        return event(tenant, "api-token", id, "ApiTokenIssued", payload);
    }

    private NewEvent revokeToken() {
        String[] token = tokens.remove(random.nextInt(tokens.size()));
        return event(
                token[1],
                "api-token",
                token[0],
                "ApiTokenRevoked",
                NODES.objectNode().put("reason", "rotated"));
    }

    static ObjectNode resources(long cpu, long memory, long gpus) {
        return NODES.objectNode().put("cpuMillis", cpu).put("memoryMib", memory).put("gpus", gpus);
    }
}
