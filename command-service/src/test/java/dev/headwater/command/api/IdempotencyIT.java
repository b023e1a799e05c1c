package dev.headwater.command.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.command.idempotency.IdempotencyKeyCleanup;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class IdempotencyIT extends ServiceIT {

    @Autowired
    IdempotencyKeyCleanup cleanup;

    @Test
    void the_same_key_and_request_answer_the_stored_response_again_and_append_nothing() {
        String tenant = newId("idem");
        String key = UUID.randomUUID().toString();
        String body =
                "{\"tenantId\": \"%s\", \"name\": \"Idem\", \"quota\": {\"cpuMillis\": 1, \"memoryMib\": 1, \"gpus\": 0}}"
                        .formatted(tenant);

        Api.Response first = api.post("/v1/tenants", ADMIN, body, "Idempotency-Key", key);
        long afterFirst = eventCount();
        Api.Response again = api.post("/v1/tenants", ADMIN, body, "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.header("Headwater-Consistency")).isEqualTo(first.header("Headwater-Consistency"));
        assertThat(again.header("Idempotent-Replayed")).contains("true");
        assertThat(first.header("Idempotent-Replayed")).isEmpty();
        assertThat(eventCount()).isEqualTo(afterFirst);
    }

    @Test
    void the_same_key_with_a_different_request_is_422_and_appends_nothing() {
        String tenant = newId("idem");
        String key = UUID.randomUUID().toString();
        api.createTenant(ADMIN, tenant, 1, 1, 0);
        api.registerNode(ADMIN, newId("n"), 100_000, 100_000, 0);
        assertThat(api.place(ADMIN, tenant, 1, 1, 0, "Idempotency-Key", key).status())
                .isIn(201, 409);
        long before = eventCount();

        Api.Response different = api.place(ADMIN, tenant, 2, 1, 0, "Idempotency-Key", key);

        assertThat(different.status()).isEqualTo(422);
        assertThat(different.json().get("field").asString()).isEqualTo("Idempotency-Key");
        assertThat(eventCount()).isEqualTo(before);
    }

    @Test
    void keys_are_scoped_per_tenant() {
        String first = newId("scope-a");
        String second = newId("scope-b");
        api.createTenant(ADMIN, first, 10_000, 10_000, 0);
        api.createTenant(ADMIN, second, 10_000, 10_000, 0);
        String firstToken = api.issueToken(ADMIN, first, "tenant-admin");
        String secondToken = api.issueToken(ADMIN, second, "tenant-admin");
        String key = "shared-key-" + UUID.randomUUID();

        Api.Response a = api.post(
                "/v1/streams/order/" + newId("o") + "/events",
                firstToken,
                "{\"events\": [{\"type\": \"Placed\", \"payload\": {}}]}",
                "Idempotency-Key",
                key);
        Api.Response b = api.post(
                "/v1/streams/order/" + newId("o") + "/events",
                secondToken,
                "{\"events\": [{\"type\": \"Placed\", \"payload\": {}}]}",
                "Idempotency-Key",
                key);

        assertThat(a.status()).isEqualTo(201);
        assertThat(b.status()).as("another tenant's key does not collide").isEqualTo(201);
        assertThat(b.header("Idempotent-Replayed")).isEmpty();
    }

    @Test
    void concurrent_requests_with_one_key_append_once_and_all_get_the_same_answer() throws Exception {
        String tenant = newId("idem-c");
        api.createTenant(ADMIN, tenant, 1, 1, 0);
        String key = UUID.randomUUID().toString();
        String stream = newId("o");
        long before = eventCount();

        List<Api.Response> responses = ConcurrencyIT.concurrently(
                8,
                i -> api.post(
                        "/v1/streams/order/" + stream + "/events",
                        ADMIN,
                        "{\"tenantId\": \"%s\", \"events\": [{\"type\": \"Placed\", \"payload\": {}}]}"
                                .formatted(tenant),
                        "Idempotency-Key",
                        key));

        assertThat(responses).allMatch(response -> response.status() == 201);
        assertThat(responses)
                .extracting(Api.Response::body)
                .containsOnly(responses.get(0).body());
        assertThat(eventCount()).isEqualTo(before + 1);
    }

    @Test
    void a_replayed_token_issue_never_shows_the_secret_again() {
        String tenant = newId("idem-t");
        api.createTenant(ADMIN, tenant, 1, 1, 0);
        String key = UUID.randomUUID().toString();
        String body = "{\"tenantId\": \"%s\", \"role\": \"tenant-reader\", \"name\": \"dash\"}".formatted(tenant);

        Api.Response first = api.post("/v1/tokens", ADMIN, body, "Idempotency-Key", key);
        Api.Response again = api.post("/v1/tokens", ADMIN, body, "Idempotency-Key", key);

        assertThat(first.json().has("secret")).isTrue();
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().has("secret")).isFalse();
        assertThat(again.json().get("tokenId")).isEqualTo(first.json().get("tokenId"));
    }

    @Test
    void an_expired_key_runs_the_command_again_and_the_cleanup_job_deletes_it() {
        String tenant = newId("idem-x");
        api.createTenant(ADMIN, tenant, 1, 1, 0);
        String key = UUID.randomUUID().toString();
        String stream = "/v1/streams/order/" + newId("o") + "/events";
        String body = "{\"tenantId\": \"%s\", \"events\": [{\"type\": \"Placed\", \"payload\": {}}]}".formatted(tenant);
        assertThat(api.post(stream, ADMIN, body, "Idempotency-Key", key)
                        .json()
                        .get("version")
                        .asLong())
                .isEqualTo(1);
        expire(key);

        Api.Response again = api.post(stream, ADMIN, body, "Idempotency-Key", key);
        assertThat(again.header("Idempotent-Replayed")).isEmpty();
        assertThat(again.json().get("version").asLong()).isEqualTo(2);

        expire(key);
        assertThat(cleanup.runOnce()).isGreaterThanOrEqualTo(1);
        assertThat(owner().queryForObject(
                                "SELECT count(*) FROM command.idempotency_keys WHERE idempotency_key = ?",
                                Long.class,
                                key))
                .isZero();
    }

    private static void expire(String key) {
        owner().update(
                        "UPDATE command.idempotency_keys SET created_at = now() - interval '2 days',"
                                + " expires_at = now() - interval '1 day' WHERE idempotency_key = ?",
                        key);
    }
}
