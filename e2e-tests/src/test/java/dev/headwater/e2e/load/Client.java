package dev.headwater.e2e.load;

import dev.headwater.e2e.load.CommandApi.Accepted;
import dev.headwater.e2e.load.CommandApi.NoAnswer;
import dev.headwater.e2e.load.CommandApi.Outcome;
import dev.headwater.e2e.load.CommandApi.Refused;
import dev.headwater.e2e.load.Ledger.Acknowledged;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One load client: it owns two tenants, their allocations, some API tokens, generic streams and
 * a node of its own, and it is the only writer of all of them. So it knows, after each of its
 * commands, exactly what version and state the command produced, and can tell a stale read from a
 * fresh one. It writes one command at a time, as a real client of one account would.
 */
final class Client {

    private static final Logger log = LoggerFactory.getLogger(Client.class);

    static final String STREAM_TYPE = "e2e-order";
    private static final int MAX_ACTIVE_PER_TENANT = 12;

    private final String name;
    private final String runId;
    private final Random random;
    private final JsonMapper json;
    private final Ledger ledger;
    private final List<TenantModel> tenants = new ArrayList<>();
    private final Map<String, Long> streams = new HashMap<>();
    private final List<TokenModel> tokens = new ArrayList<>();
    private @Nullable NodeModel node;
    private @Nullable Step pending;
    private int nodesMade;
    private long sequence;

    Client(String name, String runId, long seed, JsonMapper json, Ledger ledger) {
        this.name = name;
        this.runId = runId;
        this.random = new Random(seed);
        this.json = json;
        this.ledger = ledger;
    }

    String name() {
        return name;
    }

    private static final class TenantModel {
        final String id;
        long version;
        boolean suspended;

        @Nullable
        String reason;

        long quotaCpu = 20_000;
        long quotaMemory = 65_536;
        long quotaGpus = 2;
        final List<AllocationModel> active = new ArrayList<>();

        TenantModel(String id) {
            this.id = id;
        }
    }

    private record AllocationModel(String id, String tenantId) {}

    private record TokenModel(String id) {}

    private static final class NodeModel {
        final String id;
        long version;
        boolean cordoned;

        NodeModel(String id) {
            this.id = id;
        }
    }

    /** What one command needs to run and to be checked. */
    private record Step(
            CommandRequest request,
            Consumer<Accepted> apply,
            @Nullable Probe probe) {}

    /**
     * How to read a command's effect back with its token, and what a fresh answer must show. The
     * path is asked for after the command's answer was applied to the model (it may name an id the
     * answer gave).
     */
    record Probe(Supplier<String> path, Freshness check) {}

    @FunctionalInterface
    interface Freshness {
        /** Null when the answer shows the command's effect; otherwise what is missing. */
        @Nullable
        String problem(JsonNode answer);
    }

    /** Creates this client's tenants. */
    void setUp(CommandApi api, LoadStats stats) throws InterruptedException {
        for (int i = 1; i <= 2; i++) {
            TenantModel tenant = new TenantModel(name + "-t" + i);
            ObjectNode body = json.createObjectNode();
            body.put("tenantId", tenant.id);
            body.put("name", "Tenant " + tenant.id);
            body.set("quota", resources(tenant.quotaCpu, tenant.quotaMemory, tenant.quotaGpus));
            Step step = new Step(
                    request("tenant.create " + tenant.id, "POST", "/v1/tenants", body),
                    a -> {
                        tenant.version = a.version();
                        tenants.add(tenant);
                    },
                    null);
            if (!run(step, api, null, stats)) {
                throw new IllegalStateException("creating tenant " + tenant.id + " failed; see the log");
            }
        }
    }

    /**
     * Runs one command of the mix, or first the command that is still waiting for a definite
     * answer; false when it got none again.
     */
    boolean runOne(CommandApi api, @Nullable QueryApi reads, LoadStats stats) throws InterruptedException {
        Step step = pending != null ? pending : next();
        pending = null;
        return run(step, api, reads, stats);
    }

    /** Sends the command left without an answer again until one arrives; true when none is left. */
    boolean resolvePending(CommandApi api, LoadStats stats) throws InterruptedException {
        Step step = pending;
        if (step == null) {
            return true;
        }
        pending = null;
        return run(step, api, null, stats);
    }

    boolean hasPending() {
        return pending != null;
    }

    /** Registers nodes the platform keeps for the whole suite (never cordoned), for placements. */
    void registerBaseNodes(int count, CommandApi api, LoadStats stats) throws InterruptedException {
        for (int i = 1; i <= count; i++) {
            ObjectNode body = json.createObjectNode();
            body.put("nodeId", "base-" + i);
            body.set("capacity", resources(8_000, 32_768, 2));
            body.putObject("labels").put("zone", "base-" + (i % 3));
            if (!run(
                    new Step(request("node.register base-" + i, "POST", "/v1/nodes", body), a -> {}, null),
                    api,
                    null,
                    stats)) {
                throw new IllegalStateException("registering node base-" + i + " failed; see the log");
            }
        }
    }

    private boolean run(Step step, CommandApi api, @Nullable QueryApi reads, LoadStats stats)
            throws InterruptedException {
        Outcome outcome = api.send(step.request(), stats);
        if (outcome instanceof Accepted accepted) {
            record(step.request(), accepted, stats);
            step.apply().accept(accepted);
            if (reads != null) {
                checkReadYourWrite(step, accepted, reads, stats);
            }
            return true;
        }
        if (outcome instanceof Refused refused) {
            stats.rejected(refused.status(), refused.type());
            if (refused.type().endsWith(":wrong-expected-version")
                    || refused.status() == 412
                    || refused.status() == 401
                    || refused.status() == 403) {
                // This client is the only writer of its streams and its token is an admin's: a
                // version conflict or an auth refusal means its picture of the world is wrong.
                // Other refusals (quota, capacity, a node still in use) are the domain saying no.
                stats.anomaly("unexpected " + refused.status() + " to "
                        + step.request().label() + ": " + refused.detail());
            }
            return true;
        }
        NoAnswer none = (NoAnswer) outcome;
        log.warn(
                "{}: no answer to {} ({}); it stays pending",
                name,
                step.request().label(),
                none.lastError());
        pending = step;
        return false;
    }

    private void record(CommandRequest request, Accepted accepted, LoadStats stats) {
        JsonNode body = accepted.body();
        List<Long> positions = new ArrayList<>();
        body.path("globalPositions").forEach(p -> positions.add(p.asLong()));
        ledger.acknowledged(new Acknowledged(
                request.label(),
                body.path("aggregateType").asString(""),
                body.path("aggregateId").asString(""),
                body.path("version").asLong(0),
                positions));
        stats.acknowledged(positions.size(), accepted.replayed());
    }

    private void checkReadYourWrite(Step step, Accepted accepted, QueryApi reads, LoadStats stats)
            throws InterruptedException {
        Probe probe = step.probe();
        if (probe == null) {
            stats.nothingToCheck();
            return;
        }
        String path = probe.path().get();
        QueryApi.Answer answer = reads.get(path, accepted.consistencyToken());
        if (answer.unavailable()) {
            stats.unavailable();
            return;
        }
        if (!answer.ok()) {
            stats.stale(step.request().label() + ": GET " + path + " with its token answered " + answer.status() + " "
                    + abbreviate(answer.text()));
            return;
        }
        String problem = probe.check().problem(answer.body());
        if (problem == null) {
            stats.fresh();
        } else {
            stats.stale(step.request().label() + ": GET " + path + " with its token answered 200 but " + problem);
        }
    }

    /** Picks the next command from the mix, given what this client owns. */
    private Step next() {
        int roll = random.nextInt(100);
        TenantModel tenant = tenants.get(random.nextInt(tenants.size()));
        if (roll < 34) {
            return tenant.suspended || tenant.active.size() >= MAX_ACTIVE_PER_TENANT ? releaseOrPlace() : place(tenant);
        }
        if (roll < 60) {
            return releaseOrPlace();
        }
        if (roll < 74) {
            return append(tenant);
        }
        if (roll < 79) {
            return quota(tenant);
        }
        if (roll < 84) {
            return tenant.suspended ? reactivate(tenant) : suspend(tenant);
        }
        if (roll < 90) {
            return issueToken(tenant);
        }
        if (roll < 94) {
            return tokens.isEmpty() ? issueToken(tenant) : revokeToken();
        }
        return nodeStep();
    }

    private Step releaseOrPlace() {
        for (TenantModel tenant : tenants) {
            if (!tenant.active.isEmpty() && (tenant.suspended || random.nextBoolean())) {
                return release(tenant.active.get(random.nextInt(tenant.active.size())));
            }
        }
        for (TenantModel tenant : tenants) {
            if (!tenant.active.isEmpty()) {
                return release(tenant.active.get(random.nextInt(tenant.active.size())));
            }
        }
        TenantModel active =
                tenants.stream().filter(t -> !t.suspended).findFirst().orElse(null);
        return active == null ? reactivate(tenants.get(0)) : place(active);
    }

    private Step place(TenantModel tenant) {
        long cpu = 100 + 50L * random.nextInt(19);
        long memory = 128L * (1 + random.nextInt(16));
        long gpus = random.nextInt(100) < 5 ? 1 : 0;
        ObjectNode body = json.createObjectNode();
        body.put("workload", "w-" + name + "-" + sequence);
        body.set("resources", resources(cpu, memory, gpus));
        String[] placed = new String[1];
        Probe probe = new Probe(
                () -> "/v1/tenants/" + tenant.id + "/allocations?status=active&limit=500",
                answer -> containsItem(answer, placed[0], "active"));
        return new Step(
                request("allocation.place " + tenant.id, "POST", "/v1/tenants/" + tenant.id + "/allocations", body),
                a -> {
                    placed[0] = a.body().path("allocationId").asString("");
                    tenant.active.add(new AllocationModel(placed[0], tenant.id));
                },
                probe);
    }

    private Step release(AllocationModel allocation) {
        return new Step(
                request("allocation.release " + allocation.id(), "DELETE", "/v1/allocations/" + allocation.id(), null),
                a -> tenants.stream()
                        .filter(t -> t.id.equals(allocation.tenantId()))
                        .forEach(t -> t.active.remove(allocation)),
                auditProbe("allocation", allocation.id(), 2));
    }

    private Step append(TenantModel tenant) {
        String stream = name + "-s" + (1 + random.nextInt(4));
        long version = streams.getOrDefault(stream, 0L);
        int count = 1 + random.nextInt(4);
        ObjectNode body = json.createObjectNode();
        body.put("tenantId", tenants.get(0).id);
        if (version == 0) {
            body.put("expectedVersion", "no-stream");
        } else {
            body.put("expectedVersion", version);
        }
        ArrayNode events = body.putArray("events");
        for (int i = 0; i < count; i++) {
            ObjectNode event = events.addObject();
            event.put("type", "OrderLineAdded");
            event.put("schemaVersion", 1);
            event.putObject("payload").put("line", version + i + 1).put("client", name);
        }
        return new Step(
                request(
                        "stream.append " + stream + " x" + count,
                        "POST",
                        "/v1/streams/" + STREAM_TYPE + "/" + stream + "/events",
                        body),
                a -> streams.put(stream, a.version()),
                null);
    }

    private Step quota(TenantModel tenant) {
        long cpu = 12_000 + 1_000L * random.nextInt(13);
        long memory = 49_152 + 4_096L * random.nextInt(13);
        long gpus = 1 + random.nextInt(3);
        return new Step(
                request(
                        "tenant.set-quota " + tenant.id,
                        "PUT",
                        "/v1/tenants/" + tenant.id + "/quota",
                        resources(cpu, memory, gpus)),
                a -> {
                    tenant.version = a.version();
                    tenant.quotaCpu = cpu;
                    tenant.quotaMemory = memory;
                    tenant.quotaGpus = gpus;
                },
                tenantProbe(tenant));
    }

    private Step suspend(TenantModel tenant) {
        String reason = "e2e pause " + sequence;
        ObjectNode body = json.createObjectNode().put("reason", reason);
        return new Step(
                request("tenant.suspend " + tenant.id, "POST", "/v1/tenants/" + tenant.id + "/suspend", body),
                a -> {
                    tenant.version = a.version();
                    tenant.suspended = true;
                    tenant.reason = reason;
                },
                tenantProbe(tenant));
    }

    private Step reactivate(TenantModel tenant) {
        return new Step(
                request("tenant.reactivate " + tenant.id, "POST", "/v1/tenants/" + tenant.id + "/reactivate", null),
                a -> {
                    tenant.version = a.version();
                    tenant.suspended = false;
                    tenant.reason = null;
                },
                tenantProbe(tenant));
    }

    private Step issueToken(TenantModel tenant) {
        ObjectNode body = json.createObjectNode();
        body.put("tenantId", tenant.id);
        body.put("role", random.nextBoolean() ? "tenant-reader" : "tenant-admin");
        body.put("name", "key " + sequence);
        String[] issued = new String[1];
        return new Step(
                request("token.issue " + tenant.id, "POST", "/v1/tokens", body),
                a -> {
                    issued[0] = a.body().path("aggregateId").asString("");
                    tokens.add(new TokenModel(issued[0]));
                },
                new Probe(() -> auditPath("api-token", issued[0]), answer -> newestVersion(answer, 1)));
    }

    private Step revokeToken() {
        TokenModel token = tokens.get(random.nextInt(tokens.size()));
        ObjectNode body = json.createObjectNode().put("reason", "rotated " + sequence);
        return new Step(
                request("token.revoke " + token.id(), "POST", "/v1/tokens/" + token.id() + "/revoke", body),
                a -> tokens.remove(token),
                auditProbe("api-token", token.id(), 2));
    }

    /** The client's own node goes through its life: registered, cordoned, removed, then a new one. */
    private Step nodeStep() {
        NodeModel current = node;
        if (current == null) {
            NodeModel made = new NodeModel(name + "-n" + (++nodesMade));
            ObjectNode body = json.createObjectNode();
            body.put("nodeId", made.id);
            body.set("capacity", resources(8_000, 32_768, 1));
            body.putObject("labels").put("zone", "e2e-" + (nodesMade % 3)).put("owner", name);
            return new Step(
                    request("node.register " + made.id, "POST", "/v1/nodes", body),
                    a -> {
                        made.version = a.version();
                        node = made;
                    },
                    auditProbe("node", made.id, 1));
        }
        if (!current.cordoned) {
            ObjectNode body = json.createObjectNode().put("reason", "e2e drain " + sequence);
            return new Step(
                    request("node.cordon " + current.id, "POST", "/v1/nodes/" + current.id + "/cordon", body),
                    a -> {
                        current.version = a.version();
                        current.cordoned = true;
                    },
                    auditProbe("node", current.id, current.version + 1));
        }
        // Refused (409) while allocations still run there; tried again on a later turn.
        return new Step(
                request("node.remove " + current.id, "DELETE", "/v1/nodes/" + current.id, null),
                a -> node = null,
                auditProbe("node", current.id, current.version + 1));
    }

    private Probe tenantProbe(TenantModel tenant) {
        return new Probe(() -> "/v1/tenants/" + tenant.id, answer -> {
            List<String> wrong = new ArrayList<>();
            long expectedVersion = tenant.version;
            if (answer.path("version").asLong(-1) != expectedVersion) {
                wrong.add("version " + answer.path("version") + " (expected " + expectedVersion + ")");
            }
            String status = tenant.suspended ? "suspended" : "active";
            if (!status.equals(answer.path("status").asString(""))) {
                wrong.add("status " + answer.path("status") + " (expected " + status + ")");
            }
            JsonNode quota = answer.path("quota");
            if (quota.path("cpuMillis").asLong(-1) != tenant.quotaCpu
                    || quota.path("memoryMib").asLong(-1) != tenant.quotaMemory
                    || quota.path("gpus").asLong(-1) != tenant.quotaGpus) {
                wrong.add("quota " + quota + " (expected " + tenant.quotaCpu + "/" + tenant.quotaMemory + "/"
                        + tenant.quotaGpus + ")");
            }
            return wrong.isEmpty() ? null : String.join(", ", wrong);
        });
    }

    private Probe auditProbe(String type, String id, long version) {
        return new Probe(() -> auditPath(type, id), answer -> newestVersion(answer, version));
    }

    private static String auditPath(String type, String id) {
        return "/v1/audit?aggregateType=" + type + "&aggregateId=" + QueryApi.encode(id) + "&limit=5";
    }

    private static @Nullable String newestVersion(JsonNode answer, long version) {
        JsonNode items = answer.path("items");
        long newest =
                items.isEmpty() ? 0 : items.get(0).path("aggregateVersion").asLong(0);
        return newest >= version ? null : "the audit trail's newest version is " + newest + ", not " + version;
    }

    private static @Nullable String containsItem(JsonNode answer, String id, String status) {
        for (JsonNode item : answer.path("items")) {
            if (id.equals(item.path("id").asString(""))) {
                return status.equals(item.path("status").asString(""))
                        ? null
                        : "allocation " + id + " has status " + item.path("status");
            }
        }
        return "allocation " + id + " is not listed";
    }

    private ObjectNode resources(long cpu, long memory, long gpus) {
        ObjectNode resources = json.createObjectNode();
        resources.put("cpuMillis", cpu);
        resources.put("memoryMib", memory);
        resources.put("gpus", gpus);
        return resources;
    }

    private CommandRequest request(String label, String method, String path, @Nullable JsonNode body) {
        sequence++;
        return new CommandRequest(
                label,
                method,
                path,
                body == null ? null : json.writeValueAsString(body),
                runId + "-" + name + "-" + sequence);
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
