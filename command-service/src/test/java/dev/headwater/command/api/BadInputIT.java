package dev.headwater.command.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of bad requests. Each must get a 4xx problem document that names the field at fault,
 * and must write nothing: not an event, not a row of write-side state, not an idempotency key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT extends ServiceIT {

    static final String TENANT = "corpus-" + Long.toHexString(System.nanoTime());
    static final String QUOTA = "{\"cpuMillis\": 1000, \"memoryMib\": 1024, \"gpus\": 0}";
    static final String STREAM = "/v1/streams/order/corpus-1/events";

    @BeforeAll
    void aTenant() {
        new Api(port).createTenant(ADMIN, TENANT, 1000, 1024, 0);
    }

    record Case(
            String name,
            String method,
            String path,
            byte @Nullable [] body,
            int status,
            @Nullable String field,
            String... headers) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Case json(
            String name,
            String method,
            String path,
            String body,
            int status,
            @Nullable String field,
            String... headers) {
        return new Case(name, method, path, body.getBytes(StandardCharsets.UTF_8), status, field, headers);
    }

    static String tenant(String id, String name, String quota) {
        return "{\"tenantId\": " + id + ", \"name\": " + name + ", \"quota\": " + quota + "}";
    }

    static String append(String events) {
        return "{\"tenantId\": \"" + TENANT + "\", \"events\": " + events + "}";
    }

    static Stream<Arguments> corpus() {
        String nested = "[".repeat(3000) + "]".repeat(3000);
        List<Case> cases = List.of(
                // Malformed JSON
                json("truncated JSON", "POST", "/v1/tenants", "{\"tenantId\": \"a\",", 400, null),
                json("not JSON at all", "POST", "/v1/tenants", "tenantId=a&name=b", 400, null),
                json("a JSON array instead of an object", "POST", "/v1/tenants", "[1, 2]", 400, null),
                json("trailing garbage", "POST", "/v1/tenants", tenant("\"a1\"", "\"n\"", QUOTA) + " {}", 400, null),
                json("empty body", "POST", "/v1/tenants", "", 400, "body"),
                json("single-quoted JSON", "POST", "/v1/tenants", "{'tenantId': 'a'}", 400, null),
                new Case(
                        "a raw NUL byte in the JSON",
                        "POST",
                        "/v1/tenants",
                        ("{\"tenantId\": \"a\u0000b\", \"name\": \"n\", \"quota\": " + QUOTA + "}")
                                .getBytes(StandardCharsets.UTF_8),
                        400,
                        null),
                new Case(
                        "invalid UTF-8",
                        "POST",
                        "/v1/tenants",
                        new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
                        400,
                        null),
                json(
                        "JSON nested 3000 deep",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"Deep\", \"payload\": {\"x\": " + nested + "}}]"),
                        400,
                        null),
                // Unknown or reserved types and fields
                json(
                        "an event for a control-plane stream",
                        "POST",
                        "/v1/streams/tenant/" + TENANT + "/events",
                        append("[{\"type\": \"TenantDeleted\", \"payload\": {}}]"),
                        422,
                        "aggregateType"),
                json(
                        "an invented ApiTokenIssued",
                        "POST",
                        "/v1/streams/api-token/forged/events",
                        append(
                                "[{\"type\": \"ApiTokenIssued\", \"payload\": {\"tokenHash\": \"00\", \"role\": \"platform-admin\"}}]"),
                        422,
                        "aggregateType"),
                json(
                        "an event type with spaces",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"Order Placed\", \"payload\": {}}]"),
                        400,
                        "events[0].type"),
                json(
                        "an event type that breaks out of JSON",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"A\\\",\\\"role\\\":\\\"x\", \"payload\": {}}]"),
                        400,
                        "events[0].type"),
                json(
                        "an empty event type",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"\", \"payload\": {}}]"),
                        400,
                        "events[0].type"),
                json(
                        "an unknown field",
                        "POST",
                        "/v1/tenants",
                        "{\"tenantId\": \"a1\", \"name\": \"n\", \"quota\": " + QUOTA + ", \"admin\": true}",
                        400,
                        "admin"),
                json(
                        "an unknown nested field",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", "{\"cpuMillis\": 1, \"memoryMib\": 1, \"gpus\": 0, \"tpus\": 4}"),
                        400,
                        "quota.tpus"),
                json(
                        "a client-chosen event id",
                        "POST",
                        STREAM,
                        append(
                                "[{\"type\": \"Placed\", \"payload\": {}, \"eventId\": \"00000000-0000-0000-0000-000000000001\"}]"),
                        400,
                        "events[0].eventId"),
                json(
                        "a duplicate key",
                        "POST",
                        "/v1/tenants",
                        "{\"tenantId\": \"a1\", \"tenantId\": \"platform\", \"name\": \"n\", \"quota\": " + QUOTA + "}",
                        400,
                        null),
                // Wrong field types
                json(
                        "a quantity as a string",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", "{\"cpuMillis\": \"1000\", \"memoryMib\": 1, \"gpus\": 0}"),
                        400,
                        "quota.cpuMillis"),
                json(
                        "a fractional quantity",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", "{\"cpuMillis\": 1.5, \"memoryMib\": 1, \"gpus\": 0}"),
                        400,
                        "quota.cpuMillis"),
                json(
                        "a boolean quantity",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", "{\"cpuMillis\": true, \"memoryMib\": 1, \"gpus\": 0}"),
                        400,
                        "quota.cpuMillis"),
                json("a number as a name", "POST", "/v1/tenants", tenant("\"a1\"", "42", QUOTA), 400, "name"),
                json(
                        "an object as an id",
                        "POST",
                        "/v1/tenants",
                        tenant("{\"$ne\": null}", "\"n\"", QUOTA),
                        400,
                        "tenantId"),
                json(
                        "quota as an array",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", "[1000, 1024, 0]"),
                        400,
                        "quota"),
                json("events as a string", "POST", STREAM, append("\"Placed\""), 400, "events"),
                json(
                        "a payload that is an array",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"Placed\", \"payload\": [1]}]"),
                        400,
                        "events[0].payload"),
                json("a missing payload", "POST", STREAM, append("[{\"type\": \"Placed\"}]"), 400, "events[0].payload"),
                json(
                        "a boolean expected version",
                        "POST",
                        STREAM,
                        "{\"tenantId\": \"" + TENANT
                                + "\", \"expectedVersion\": true, \"events\": [{\"type\": \"A\", \"payload\": {}}]}",
                        400,
                        "expectedVersion"),
                json(
                        "a negative expected version",
                        "POST",
                        STREAM,
                        "{\"tenantId\": \"" + TENANT
                                + "\", \"expectedVersion\": -3, \"events\": [{\"type\": \"A\", \"payload\": {}}]}",
                        400,
                        "expectedVersion"),
                json(
                        "a schema version of zero",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"A\", \"schemaVersion\": 0, \"payload\": {}}]"),
                        400,
                        "events[0].schemaVersion"),
                json(
                        "labels with a number value",
                        "POST",
                        "/v1/nodes",
                        "{\"nodeId\": \"n1\", \"capacity\": " + QUOTA + ", \"labels\": {\"zone\": 5}}",
                        400,
                        "labels.zone"),
                // Negative and absurd quantities
                json(
                        "a negative quantity",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", "{\"cpuMillis\": -1, \"memoryMib\": 1, \"gpus\": 0}"),
                        400,
                        "quota.cpuMillis"),
                json(
                        "an absurd quantity",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", "{\"cpuMillis\": 1000000000001, \"memoryMib\": 1, \"gpus\": 0}"),
                        400,
                        "quota.cpuMillis"),
                json(
                        "a quantity beyond 64 bits",
                        "POST",
                        "/v1/tenants",
                        tenant(
                                "\"a1\"",
                                "\"n\"",
                                "{\"cpuMillis\": 99999999999999999999999, \"memoryMib\": 1, \"gpus\": 0}"),
                        400,
                        "quota.cpuMillis"),
                json(
                        "a quantity in exponent form",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", "{\"cpuMillis\": 1e30, \"memoryMib\": 1, \"gpus\": 0}"),
                        400,
                        "quota.cpuMillis"),
                json(
                        "a missing quantity",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", "{\"cpuMillis\": 1, \"gpus\": 0}"),
                        400,
                        "quota.memoryMib"),
                json(
                        "a negative placement",
                        "POST",
                        "/v1/tenants/" + TENANT + "/allocations",
                        "{\"workload\": \"w\", \"resources\": {\"cpuMillis\": -500, \"memoryMib\": 1, \"gpus\": 0}}",
                        400,
                        "resources.cpuMillis"),
                json(
                        "a negative node capacity",
                        "POST",
                        "/v1/nodes",
                        "{\"nodeId\": \"n1\", \"capacity\": {\"cpuMillis\": 1, \"memoryMib\": 1, \"gpus\": -2}}",
                        400,
                        "capacity.gpus"),
                json(
                        "a negative quota update",
                        "PUT",
                        "/v1/tenants/" + TENANT + "/quota",
                        "{\"cpuMillis\": 1, \"memoryMib\": -1, \"gpus\": 0}",
                        400,
                        "quota.memoryMib"),
                // Invalid ids
                json(
                        "an upper-case tenant id",
                        "POST",
                        "/v1/tenants",
                        tenant("\"Acme\"", "\"n\"", QUOTA),
                        400,
                        "tenantId"),
                json("an empty tenant id", "POST", "/v1/tenants", tenant("\"\"", "\"n\"", QUOTA), 400, "tenantId"),
                json(
                        "a 65-character tenant id",
                        "POST",
                        "/v1/tenants",
                        tenant("\"" + "a".repeat(65) + "\"", "\"n\"", QUOTA),
                        400,
                        "tenantId"),
                json(
                        "a tenant id starting with a dash",
                        "POST",
                        "/v1/tenants",
                        tenant("\"-a\"", "\"n\"", QUOTA),
                        400,
                        "tenantId"),
                json(
                        "SQL in a tenant id",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a'; DROP TABLE command.tenants; --\"", "\"n\"", QUOTA),
                        400,
                        "tenantId"),
                json("SQL in a path id", "PUT", "/v1/tenants/a'%20OR%20'1'='1/quota", QUOTA, 400, "tenantId"),
                json(
                        "an allocation id that is not a UUID",
                        "DELETE",
                        "/v1/allocations/1%20OR%201=1",
                        "",
                        400,
                        "allocationId"),
                json(
                        "a token id that is not a UUID",
                        "POST",
                        "/v1/tokens/abc/revoke",
                        "{\"reason\": \"r\"}",
                        400,
                        "tokenId"),
                json(
                        "an upper-case aggregate type",
                        "POST",
                        "/v1/streams/Order/o1/events",
                        append("[{\"type\": \"A\", \"payload\": {}}]"),
                        400,
                        "aggregateType"),
                json(
                        "an aggregate id with a quote",
                        "POST",
                        "/v1/streams/order/o'1/events",
                        append("[{\"type\": \"A\", \"payload\": {}}]"),
                        400,
                        "aggregateId"),
                json(
                        "an unknown role",
                        "POST",
                        "/v1/tokens",
                        "{\"tenantId\": \"" + TENANT + "\", \"role\": \"root\", \"name\": \"x\"}",
                        400,
                        "role"),
                json(
                        "a node id with a slash",
                        "POST",
                        "/v1/nodes",
                        "{\"nodeId\": \"a/b\", \"capacity\": " + QUOTA + "}",
                        400,
                        "nodeId"),
                json(
                        "a label key with SQL",
                        "POST",
                        "/v1/nodes",
                        "{\"nodeId\": \"n1\", \"capacity\": " + QUOTA + ", \"labels\": {\"x'; --\": \"v\"}}",
                        400,
                        "labels"),
                // NUL bytes and control characters
                json(
                        "a NUL in a name",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"Acme\\u0000Corp\"", QUOTA),
                        400,
                        "name"),
                json(
                        "a NUL in a payload string",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"A\", \"payload\": {\"note\": \"x\\u0000y\"}}]"),
                        400,
                        "events[0].payload.note"),
                json(
                        "a NUL in a payload key",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"A\", \"payload\": {\"a\\u0000b\": 1}}]"),
                        400,
                        "events[0].payload"),
                json(
                        "a NUL deep in a payload array",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"A\", \"payload\": {\"list\": [\"ok\", {\"k\": \"\\u0000\"}]}}]"),
                        400,
                        "events[0].payload.list[1].k"),
                json(
                        "a control character in a reason",
                        "POST",
                        "/v1/tenants/" + TENANT + "/suspend",
                        "{\"reason\": \"line\\u0007bell\"}",
                        400,
                        "reason"),
                json(
                        "a NUL in a workload",
                        "POST",
                        "/v1/tenants/" + TENANT + "/allocations",
                        "{\"workload\": \"w\\u0000\", \"resources\": " + QUOTA + "}",
                        400,
                        "workload"),
                // Sizes and limits
                new Case(
                        "a body over the size limit",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"A\", \"payload\": {\"blob\": \"" + "x".repeat(1_100_000) + "\"}}]")
                                .getBytes(StandardCharsets.UTF_8),
                        413,
                        "body"),
                json("no events", "POST", STREAM, append("[]"), 400, "events"),
                json(
                        "more events than one append may carry",
                        "POST",
                        STREAM,
                        append("["
                                + String.join(
                                        ",", java.util.Collections.nCopies(1001, "{\"type\": \"A\", \"payload\": {}}"))
                                + "]"),
                        400,
                        "events"),
                json(
                        "a name over 200 characters",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"" + "n".repeat(201) + "\"", QUOTA),
                        400,
                        "name"),
                // Headers and query parameters
                json(
                        "a malformed If-Match",
                        "PUT",
                        "/v1/tenants/" + TENANT + "/quota",
                        QUOTA,
                        400,
                        "If-Match",
                        "If-Match",
                        "version-3"),
                json(
                        "an Idempotency-Key with spaces",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"A\", \"payload\": {}}]"),
                        400,
                        "Idempotency-Key",
                        "Idempotency-Key",
                        "a key with spaces"),
                json(
                        "an Idempotency-Key too long",
                        "POST",
                        STREAM,
                        append("[{\"type\": \"A\", \"payload\": {}}]"),
                        400,
                        "Idempotency-Key",
                        "Idempotency-Key",
                        "k".repeat(256)),
                json(
                        "expectedVersion and If-Match disagree",
                        "POST",
                        STREAM,
                        "{\"tenantId\": \"" + TENANT
                                + "\", \"expectedVersion\": 2, \"events\": [{\"type\": \"A\", \"payload\": {}}]}",
                        400,
                        "expectedVersion",
                        "If-Match",
                        "\"3\""),
                json(
                        "a platform admin append without a tenant",
                        "POST",
                        STREAM,
                        "{\"events\": [{\"type\": \"A\", \"payload\": {}}]}",
                        400,
                        "tenantId"),
                json(
                        "an append for a tenant that does not exist",
                        "POST",
                        STREAM,
                        "{\"tenantId\": \"no-such-tenant-x\", \"events\": [{\"type\": \"A\", \"payload\": {}}]}",
                        422,
                        "tenantId"),
                json(
                        "a text/plain body",
                        "POST",
                        "/v1/tenants",
                        tenant("\"a1\"", "\"n\"", QUOTA),
                        415,
                        null,
                        "Content-Type",
                        "text/plain"),
                json("a feed cursor with SQL", "GET", "/v1/events?after=1-1%20OR%201=1", "", 400, "after"),
                json("a zero page size", "GET", "/v1/events?limit=0", "", 400, "limit"),
                json("a huge page size", "GET", "/v1/events?limit=100000", "", 400, "limit"),
                json("a page size that is not a number", "GET", "/v1/events?limit=1;DROP", "", 400, "limit"),
                json(
                        "a version below one",
                        "GET",
                        "/v1/streams/order/o1/events?fromVersion=0",
                        "",
                        400,
                        "fromVersion"));
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void bad_input_is_a_4xx_problem_naming_the_field_and_writes_nothing(Case bad) {
        Map<String, Object> before = counts();

        Api.Response response = api.send(
                bad.method(),
                bad.path(),
                ADMIN,
                bad.body() == null || bad.body().length == 0 && bad.method().equals("GET") ? null : bad.body(),
                bad.headers());

        assertThat(response.status()).as(response.toString()).isEqualTo(bad.status());
        assertThat(response.header("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        if (bad.field() != null) {
            assertThat(response.json().path("field").asString())
                    .as(response.toString())
                    .isEqualTo(bad.field());
        } else if (response.status() == 400) {
            assertThat(response.json().path("field").asString())
                    .as(response.toString())
                    .isNotEmpty();
        }
        assertThat(counts()).as("nothing written").isEqualTo(before);
    }

    /** Rows of every table the service writes. */
    static Map<String, Object> counts() {
        return owner().queryForMap("""
                SELECT (SELECT count(*) FROM event_log.events) AS events,
                       (SELECT count(*) FROM command.tenants) AS tenants,
                       (SELECT count(*) FROM command.nodes) AS nodes,
                       (SELECT count(*) FROM command.allocations) AS allocations,
                       (SELECT count(*) FROM command.api_tokens) AS tokens,
                       (SELECT count(*) FROM command.idempotency_keys) AS keys,
                       (SELECT sum(used_cpu_millis + quota_cpu_millis) FROM command.tenants) AS tenant_quantities
                """);
    }
}
