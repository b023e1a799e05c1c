package dev.headwater.command.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Who may do what: 401 without a valid token, 404 for another tenant's resources, 403 for readers. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthMatrixIT extends ServiceIT {

    String mine;
    String theirs;
    String admin;
    String reader;
    String otherAdmin;
    String theirAllocation;
    String theirToken;
    String theirStream;

    @BeforeAll
    void tenantsAndTokens() {
        api = new Api(port);
        Scheduling.cordonEveryNode(api);
        api.registerNode(ADMIN, newId("auth-node"), 1_000_000, 1_000_000, 0);
        mine = newId("mine");
        theirs = newId("theirs");
        api.createTenant(ADMIN, mine, 100_000, 100_000, 0);
        api.createTenant(ADMIN, theirs, 100_000, 100_000, 0);
        admin = api.issueToken(ADMIN, mine, "tenant-admin");
        reader = api.issueToken(ADMIN, mine, "tenant-reader");
        otherAdmin = api.issueToken(ADMIN, theirs, "tenant-admin");
        theirAllocation = api.place(otherAdmin, theirs, 100, 100, 0)
                .json()
                .get("allocationId")
                .asString();
        theirToken = api.post("/v1/tokens", otherAdmin, "{\"role\": \"tenant-reader\", \"name\": \"theirs\"}")
                .json()
                .get("tokenId")
                .asString();
        theirStream = "/v1/streams/order/" + newId("theirs") + "/events";
        assertThat(api.post(theirStream, otherAdmin, "{\"events\": [{\"type\": \"Placed\", \"payload\": {}}]}")
                        .status())
                .isEqualTo(201);
    }

    @BeforeEach
    void countBefore() {
        before = eventCount();
    }

    long before;

    @Test
    void a_request_without_a_valid_token_is_401_and_changes_nothing() {
        String quota = "{\"cpuMillis\": 1, \"memoryMib\": 1, \"gpus\": 0}";
        assertThat(api.put("/v1/tenants/" + mine + "/quota", null, quota).status())
                .isEqualTo(401);
        assertThat(api.put("/v1/tenants/" + mine + "/quota", "hw_" + "B".repeat(43), quota)
                        .status())
                .isEqualTo(401);
        assertThat(api.put("/v1/tenants/" + mine + "/quota", "not-a-token", quota)
                        .status())
                .isEqualTo(401);
        Api.Response basic = api.send("GET", "/v1/events", null, null, "Authorization", "Basic dXNlcjpwYXNz");
        assertThat(basic.status()).isEqualTo(401);
        assertThat(basic.header("WWW-Authenticate")).contains("Bearer");
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void a_tenant_token_touching_another_tenants_resources_gets_404() {
        assertThat(api.place(admin, theirs, 1, 1, 0).status()).isEqualTo(404);
        assertThat(api.delete("/v1/allocations/" + theirAllocation, admin).status())
                .isEqualTo(404);
        assertThat(api.post("/v1/tokens/" + theirToken + "/revoke", admin, "{\"reason\": \"x\"}")
                        .status())
                .isEqualTo(404);
        assertThat(api.post(
                                "/v1/tokens",
                                admin,
                                "{\"tenantId\": \"%s\", \"role\": \"tenant-admin\", \"name\": \"x\"}".formatted(theirs))
                        .status())
                .isEqualTo(404);
        assertThat(api.get(theirStream, admin).status()).isEqualTo(404);
        assertThat(api.post(theirStream, admin, "{\"events\": [{\"type\": \"Hijacked\", \"payload\": {}}]}")
                        .status())
                .isEqualTo(404);
        assertThat(api.post("/v1/tenants/" + theirs + "/suspend", admin, "{\"reason\": \"x\"}")
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/v1/events?tenantId=" + theirs, admin).status()).isEqualTo(404);
        assertThat(api.delete("/v1/allocations/" + UUID.randomUUID(), admin).status())
                .as("a missing allocation looks the same as another tenant's")
                .isEqualTo(404);
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void a_reader_that_writes_gets_403_and_may_read() {
        assertThat(api.place(reader, mine, 1, 1, 0).status()).isEqualTo(403);
        assertThat(api.post(
                                "/v1/streams/order/" + newId("r") + "/events",
                                reader,
                                "{\"events\": [{\"type\": \"Placed\", \"payload\": {}}]}")
                        .status())
                .isEqualTo(403);
        assertThat(api.post("/v1/tokens", reader, "{\"role\": \"tenant-admin\", \"name\": \"x\"}")
                        .status())
                .isEqualTo(403);
        assertThat(eventCount()).isEqualTo(before);
        assertThat(api.get("/v1/events", reader).status()).isEqualTo(200);
        assertThat(api.get("/v1/streams/tenant/" + mine + "/events", reader).status())
                .isEqualTo(200);
    }

    @Test
    void platform_operations_are_403_for_tenant_admins() {
        assertThat(api.createTenant(admin, newId("new"), 1, 1, 0).status()).isEqualTo(403);
        assertThat(api.registerNode(admin, newId("node"), 1, 1, 0).status()).isEqualTo(403);
        assertThat(api.put("/v1/tenants/" + mine + "/quota", admin, "{\"cpuMillis\": 1, \"memoryMib\": 1, \"gpus\": 0}")
                        .status())
                .as("a tenant may not raise its own quota")
                .isEqualTo(403);
        assertThat(api.post("/v1/tokens", admin, "{\"role\": \"platform-admin\", \"name\": \"x\"}")
                        .status())
                .isEqualTo(403);
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void a_tenant_admin_acts_within_its_tenant_and_sees_only_its_events_in_the_feed() {
        assertThat(api.place(admin, mine, 1, 1, 0).status()).isEqualTo(201);
        Api.Response feed = api.get("/v1/events?limit=1000", admin);
        assertThat(feed.status()).isEqualTo(200);
        feed.json()
                .get("events")
                .forEach(event -> assertThat(event.get("tenantId").asString()).isEqualTo(mine));
    }

    @Test
    void public_paths_need_no_token() {
        assertThat(api.get("/actuator/health/liveness", null).status()).isEqualTo(200);
        assertThat(api.get("/v3/api-docs", null).status()).isEqualTo(200);
    }
}
