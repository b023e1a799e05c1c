package dev.headwater.command.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.contract.ConsistencyToken;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ControlPlaneCommandsIT extends ServiceIT {

    static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @BeforeEach
    void isolateScheduling() {
        Scheduling.cordonEveryNode(api);
    }

    @Test
    void creating_a_tenant_appends_tenant_created_and_answers_with_version_position_and_consistency_token() {
        String tenant = newId("acme");

        Api.Response created = api.post(
                "/v1/tenants", ADMIN, """
                {"tenantId": "%s", "name": "Acme Corp", "quota": {"cpuMillis": 8000, "memoryMib": 16384, "gpus": 1}}
                """.formatted(tenant), "traceparent", TRACEPARENT, "X-Correlation-Id", "corr-42");

        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.get("aggregateType").asString()).isEqualTo("tenant");
        assertThat(body.get("aggregateId").asString()).isEqualTo(tenant);
        assertThat(body.get("version").asLong()).isEqualTo(1);
        long position = body.get("globalPositions").get(0).asLong();
        assertThat(created.header(ConsistencyToken.HEADER))
                .contains(body.get("consistencyToken").asString());
        assertThat(ConsistencyToken.decode(body.get("consistencyToken").asString()))
                .isEqualTo(new ConsistencyToken("tenant", tenant, 1));
        assertThat(created.header("Location")).contains("/v1/streams/tenant/" + tenant + "/events");

        Map<String, Object> row = owner().queryForMap(
                        "SELECT tenant_id, event_type, payload::text AS payload, metadata::text AS metadata"
                                + " FROM event_log.events WHERE global_position = ?",
                        position);
        assertThat(row).containsEntry("tenant_id", tenant).containsEntry("event_type", "TenantCreated");
        assertThat(Api.json.readTree((String) row.get("payload")))
                .isEqualTo(
                        Api.json.readTree(
                                "{\"name\": \"Acme Corp\", \"quota\": {\"cpuMillis\": 8000, \"memoryMib\": 16384, \"gpus\": 1}}"));
        JsonNode metadata = Api.json.readTree((String) row.get("metadata"));
        assertThat(metadata.get("actor").asString()).isEqualTo("token:bootstrap");
        assertThat(metadata.get("correlationId").asString()).isEqualTo("corr-42");
        assertThat(metadata.get("traceparent").asString()).isEqualTo(TRACEPARENT);
        assertThat(metadata.get("commandId").asString()).isNotBlank();
        assertThat(metadata.get("causationId").asString())
                .isEqualTo(metadata.get("commandId").asString());
    }

    @Test
    void a_tenant_goes_through_its_lifecycle_and_refuses_transitions_that_do_not_apply() {
        String tenant = newId("life");
        assertThat(api.createTenant(ADMIN, tenant, 4000, 4096, 0).status()).isEqualTo(201);
        assertThat(api.createTenant(ADMIN, tenant, 4000, 4096, 0).status()).isEqualTo(409);

        Api.Response suspended =
                api.post("/v1/tenants/" + tenant + "/suspend", ADMIN, "{\"reason\": \"unpaid invoice\"}");
        assertThat(suspended.status()).isEqualTo(200);
        assertThat(suspended.json().get("version").asLong()).isEqualTo(2);
        assertThat(api.post("/v1/tenants/" + tenant + "/suspend", ADMIN, "{\"reason\": \"again\"}")
                        .status())
                .isEqualTo(409);
        Api.Response refused = api.place(ADMIN, tenant, 100, 100, 0);
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("type").asString()).isEqualTo("urn:headwater:problem:invalid-state");

        assertThat(api.post("/v1/tenants/" + tenant + "/reactivate", ADMIN, "").status())
                .isEqualTo(200);
        Api.Response quota = api.put(
                "/v1/tenants/" + tenant + "/quota",
                ADMIN,
                "{\"cpuMillis\": 1, \"memoryMib\": 2, \"gpus\": 3}",
                "If-Match",
                "\"3\"");
        assertThat(quota.status()).isEqualTo(200);
        assertThat(quota.json().get("version").asLong()).isEqualTo(4);
        assertThat(owner().queryForMap(
                                "SELECT quota_cpu_millis, quota_memory_mib, quota_gpus, status FROM command.tenants WHERE tenant_id = ?",
                                tenant))
                .containsEntry("quota_cpu_millis", 1L)
                .containsEntry("quota_gpus", 3L)
                .containsEntry("status", "active");
    }

    @Test
    void a_stale_if_match_is_412_with_the_actual_version_and_appends_nothing() {
        String tenant = newId("stale");
        api.createTenant(ADMIN, tenant, 1000, 1000, 0);
        long before = eventCount();

        Api.Response response = api.put(
                "/v1/tenants/" + tenant + "/quota",
                ADMIN,
                "{\"cpuMillis\": 1, \"memoryMib\": 2, \"gpus\": 3}",
                "If-Match",
                "\"7\"");

        assertThat(response.status()).isEqualTo(412);
        assertThat(response.json().get("actualVersion").asLong()).isEqualTo(1);
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void a_platform_admins_append_for_a_tenant_not_yet_created_is_refused_then_accepted_once_it_exists() {
        String tenant = newId("later");
        String append =
                "{\"tenantId\": \"%s\", \"events\": [{\"type\": \"OrderPlaced\", \"payload\": {}}]}".formatted(tenant);
        long before = eventCount();

        Api.Response refused = api.post("/v1/streams/order/" + newId("o") + "/events", ADMIN, append);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(eventCount()).isEqualTo(before);

        api.createTenant(ADMIN, tenant, 1000, 1000, 0);
        for (int i = 0; i < 2; i++) {
            Api.Response accepted = api.post("/v1/streams/order/" + newId("o") + "/events", ADMIN, append);
            assertThat(accepted.status()).as(accepted.toString()).isEqualTo(201);
        }
    }

    @Test
    void the_platform_tenant_id_is_reserved() {
        assertThat(api.createTenant(ADMIN, "platform", 1, 1, 0).status()).isEqualTo(422);
    }

    @Test
    void the_scheduler_places_on_the_best_fitting_node_and_keeps_gpu_nodes_for_gpu_work() {
        String tenant = newId("fit");
        api.createTenant(ADMIN, tenant, 100_000, 100_000, 8);
        String big = newId("big");
        String small = newId("small");
        String gpu = newId("gpu");
        api.registerNode(ADMIN, big, 16_000, 32_768, 0);
        api.registerNode(ADMIN, small, 2_000, 4_096, 0);
        api.registerNode(ADMIN, gpu, 2_000, 4_096, 2);

        assertThat(api.place(ADMIN, tenant, 1000, 1024, 0).json().get("nodeId").asString())
                .isEqualTo(small);
        assertThat(api.place(ADMIN, tenant, 1000, 1024, 1).json().get("nodeId").asString())
                .isEqualTo(gpu);
        assertThat(api.place(ADMIN, tenant, 500, 1024, 0).json().get("nodeId").asString())
                .as("the small node has 1000m left: still the best fit without GPUs")
                .isEqualTo(small);
        assertThat(api.place(ADMIN, tenant, 1500, 1024, 0).json().get("nodeId").asString())
                .as("no longer fits the small or the GPU node")
                .isEqualTo(big);
        Api.Response tooBig = api.place(ADMIN, tenant, 64_000, 1024, 0);
        assertThat(tooBig.status()).isEqualTo(409);
        assertThat(tooBig.json().get("type").asString()).isEqualTo("urn:headwater:problem:insufficient-capacity");
    }

    @Test
    void a_cordoned_node_takes_nothing_new_and_a_node_with_allocations_cannot_be_removed_until_released() {
        String tenant = newId("cord");
        api.createTenant(ADMIN, tenant, 100_000, 100_000, 0);
        String node = newId("node");
        api.registerNode(ADMIN, node, 4000, 4096, 0);
        Api.Response placed = api.place(ADMIN, tenant, 1000, 1024, 0);
        assertThat(placed.status()).isEqualTo(201);
        String allocation = placed.json().get("allocationId").asString();

        assertThat(api.post("/v1/nodes/" + node + "/cordon", ADMIN, "{\"reason\": \"kernel upgrade\"}")
                        .status())
                .isEqualTo(200);
        assertThat(api.place(ADMIN, tenant, 1000, 1024, 0).status()).isEqualTo(409);
        assertThat(api.delete("/v1/nodes/" + node, ADMIN).status()).isEqualTo(409);

        Api.Response released = api.delete("/v1/allocations/" + allocation, ADMIN);
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.json().get("version").asLong()).isEqualTo(2);
        assertThat(api.delete("/v1/allocations/" + allocation, ADMIN).status()).isEqualTo(409);
        assertThat(api.delete("/v1/nodes/" + node, ADMIN).status()).isEqualTo(200);
        assertThat(owner().queryForMap("SELECT used_cpu_millis, status FROM command.nodes WHERE node_id = ?", node))
                .containsEntry("used_cpu_millis", 0L)
                .containsEntry("status", "removed");
        assertThat(owner().queryForObject(
                                "SELECT used_cpu_millis FROM command.tenants WHERE tenant_id = ?", Long.class, tenant))
                .isZero();
        String releasedPayload = owner().queryForObject(
                        "SELECT payload::text FROM event_log.events WHERE aggregate_id = ? AND event_type = 'AllocationReleased'",
                        String.class,
                        allocation);
        assertThat(Api.json.readTree(releasedPayload))
                .isEqualTo(Api.json.readTree(
                        "{\"tenantId\": \"%s\", \"nodeId\": \"%s\", \"resources\":".formatted(tenant, node)
                                + " {\"cpuMillis\": 1000, \"memoryMib\": 1024, \"gpus\": 0}}"));
    }

    @Test
    void an_issued_token_works_at_once_is_stored_only_as_its_hash_and_stops_working_when_revoked() {
        String tenant = newId("tok");
        api.createTenant(ADMIN, tenant, 1000, 1000, 0);
        Api.Response issued = api.post(
                "/v1/tokens",
                ADMIN,
                "{\"tenantId\": \"%s\", \"role\": \"tenant-admin\", \"name\": \"ci\"}".formatted(tenant));
        assertThat(issued.status()).isEqualTo(201);
        String secret = issued.json().get("secret").asString();
        String tokenId = issued.json().get("tokenId").asString();
        assertThat(secret).matches("hw_[A-Za-z0-9_-]{43}");

        assertThat(owner().queryForObject(
                                "SELECT count(*) FROM event_log.events WHERE payload::text LIKE ?",
                                Long.class,
                                "%" + secret + "%"))
                .isZero();
        assertThat(owner().queryForObject(
                                "SELECT count(*) FROM command.idempotency_keys WHERE response_body LIKE ?",
                                Long.class,
                                "%" + secret + "%"))
                .isZero();
        assertThat(api.place(secret, tenant, 100, 100, 0).status()).isIn(201, 409);

        Api.Response revoked = api.post("/v1/tokens/" + tokenId + "/revoke", secret, "{\"reason\": \"leaked\"}");
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(api.place(secret, tenant, 100, 100, 0).status()).isEqualTo(401);
    }
}
