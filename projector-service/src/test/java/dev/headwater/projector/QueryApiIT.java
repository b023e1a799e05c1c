package dev.headwater.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.contract.ConsistencyToken;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.projector.EventFeed.NewEvent;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class QueryApiIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    static final String ADMIN = ProjectorInstance.ADMIN_TOKEN;
    static final Instant START = Instant.parse("2026-04-01T06:00:00Z");

    static EventFeed feed;
    static ProjectorInstance instance;
    static Scenario scenario;
    static final List<EventEnvelope> all = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void platformWithHistory() {
        EventFeed.createTopics(kafka.broker(), 3);
        feed = new EventFeed(postgres.dataSource(DbRole.APP), kafka.bootstrapServers());
        instance = ProjectorInstance.start(postgres, kafka, Map.of("headwater.projector.consistency.timeout", "2s"));
        scenario = new Scenario(11, START);
        all.addAll(feed.appendAndPublish(scenario.setUp(3, 3)));
        all.addAll(feed.appendAndPublish(scenario.next(400)));
        caughtUp();
    }

    @AfterAll
    static void stop() {
        instance.close();
        feed.close();
    }

    static ExpectedViews caughtUp() {
        ExpectedViews expected = ExpectedViews.of(List.copyOf(all));
        DataSource projector = postgres.dataSource(DbRole.PROJECTOR);
        await("views caught up")
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> Convergence.assertVersions(projector, expected));
        return expected;
    }

    @Test
    void two_hundred_command_query_round_trips_with_the_consistency_token_all_see_their_write() {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String tenant = scenario.tenants().get(i % 3);
            long started = System.nanoTime();
            if (i % 2 == 0) {
                ObjectNode payload = JsonNodeFactory.instance.objectNode();
                payload.set("quota", Scenario.resources(100_000 + i, 4_096, 2));
                EventEnvelope written = write(scenario.event(tenant, "tenant", tenant, "TenantQuotaSet", payload));
                String token = new ConsistencyToken("tenant", tenant, written.aggregateVersion()).encode();
                HttpResponse<String> response = i % 4 == 0
                        ? instance.get("/v1/tenants/" + tenant, ADMIN, ConsistencyToken.HEADER, token)
                        : instance.get("/v1/tenants/" + tenant + "?minVersion=" + token, ADMIN);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(json(response).get("quota").get("cpuMillis").asLong())
                        .as("round trip %d sees its quota", i)
                        .isEqualTo(100_000 + i);
            } else {
                String allocation = UUID.randomUUID().toString();
                ObjectNode payload = JsonNodeFactory.instance
                        .objectNode()
                        .put("tenantId", tenant)
                        .put("nodeId", "node-1")
                        .put("workload", "round-trip-" + i);
                payload.set("resources", Scenario.resources(10, 16, 0));
                write(scenario.event(tenant, "allocation", allocation, "AllocationPlaced", payload));
                String token = new ConsistencyToken("allocation", allocation, 1).encode();
                HttpResponse<String> response = instance.get(
                        "/v1/tenants/" + tenant + "/allocations?status=active&limit=1",
                        ADMIN,
                        ConsistencyToken.HEADER,
                        token);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(json(response).get("items").get(0).get("id").asString())
                        .as("round trip %d sees its allocation", i)
                        .isEqualTo(allocation);
            }
            millis.add((System.nanoTime() - started) / 1_000_000);
        }
        Collections.sort(millis);
        System.out.printf(
                "read-your-writes round trips: p50 %d ms, p99 %d ms, max %d ms%n",
                millis.get(100), millis.get(197), millis.get(199));
    }

    @Test
    void a_token_the_views_do_not_reach_within_the_timeout_is_a_503_with_retry_after() {
        String token = new ConsistencyToken("tenant", "tenant-1", 1_000_000).encode();
        long started = System.nanoTime();
        HttpResponse<String> response = instance.get("/v1/tenants/tenant-1", ADMIN, ConsistencyToken.HEADER, token);
        long waited = (System.nanoTime() - started) / 1_000_000;
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(waited).isGreaterThanOrEqualTo(1_900);

        HttpResponse<String> malformed =
                instance.get("/v1/tenants/tenant-1", ADMIN, ConsistencyToken.HEADER, "not-a-token");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("field").asString()).isEqualTo(ConsistencyToken.HEADER);
    }

    @Test
    void tenant_tokens_see_their_own_tenant_only_and_revoked_tokens_nothing() {
        ExpectedViews expected = caughtUp();
        Map<String, String> secrets = scenario.secrets();
        var active = expected.tokens.entrySet().stream()
                .filter(e -> !e.getValue().revoked() && e.getValue().tenant().equals("tenant-1"))
                .findFirst()
                .orElseThrow();
        String secret = secrets.get(active.getKey());
        assertThat(instance.get("/v1/tenants/tenant-1", secret).statusCode()).isEqualTo(200);
        assertThat(instance.get("/v1/tenants/tenant-2", secret).statusCode()).isEqualTo(404);
        assertThat(instance.get("/v1/tenants/tenant-2/allocations", secret).statusCode())
                .isEqualTo(404);
        assertThat(instance.get("/v1/nodes", secret).statusCode()).isEqualTo(403);
        assertThat(instance.get("/v1/audit?tenantId=tenant-2", secret).statusCode())
                .isEqualTo(404);
        assertThat(instance.get("/admin/projections", secret).statusCode()).isEqualTo(403);
        JsonNode audit = json(instance.get("/v1/audit?limit=500", secret));
        assertThat(audit.get("items"))
                .isNotEmpty()
                .allSatisfy(
                        entry -> assertThat(entry.get("tenantId").asString()).isEqualTo("tenant-1"));
        assertThat(instance.get("/v1/tenants/tenant-1", "hw_" + "x".repeat(43)).statusCode())
                .isEqualTo(401);
        assertThat(instance.get("/v1/tenants/tenant-1", "").statusCode()).isEqualTo(401);
        expected.tokens.entrySet().stream()
                .filter(e -> e.getValue().revoked())
                .findFirst()
                .ifPresent(revoked -> assertThat(instance.get(
                                        "/v1/tenants/" + revoked.getValue().tenant(), secrets.get(revoked.getKey()))
                                .statusCode())
                        .isEqualTo(401));
    }

    @Test
    void keyset_pages_list_every_allocation_of_a_tenant_once_newest_first() {
        ExpectedViews expected = caughtUp();
        List<String> wanted = expected.allocations.entrySet().stream()
                .filter(e -> e.getValue().tenant().equals("tenant-2"))
                .sorted(Comparator.comparing((Map.Entry<String, ExpectedViews.Allocation> e) ->
                                e.getValue().placedAt())
                        .thenComparing(Map.Entry::getKey)
                        .reversed())
                .map(Map.Entry::getKey)
                .toList();
        List<String> seen = new ArrayList<>();
        String next = null;
        do {
            String path = "/v1/tenants/tenant-2/allocations?limit=7"
                    + (next == null ? "" : "&after=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
            JsonNode page = json(instance.get(path, ADMIN));
            page.get("items").forEach(item -> seen.add(item.get("id").asString()));
            next = page.get("next").isNull() ? null : page.get("next").asString();
        } while (next != null);
        assertThat(seen).isEqualTo(wanted);

        JsonNode released = json(instance.get("/v1/tenants/tenant-2/allocations?status=released&limit=500", ADMIN));
        assertThat(released.get("items"))
                .allSatisfy(item -> assertThat(item.get("status").asString()).isEqualTo("released"));
        assertThat(instance.get("/v1/tenants/tenant-2/allocations?after=garbage", ADMIN)
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void nodes_show_capacity_allocated_free_and_whether_they_take_new_work() {
        ExpectedViews expected = caughtUp();
        JsonNode nodes = json(instance.get("/v1/nodes", ADMIN)).get("items");
        assertThat(nodes).hasSize(expected.nodes.size());
        for (JsonNode node : nodes) {
            ExpectedViews.Node want = expected.nodes.get(node.get("id").asString());
            assertThat(node.get("free").get("cpuMillis").asLong()).isEqualTo(want.cCpu() - want.aCpu());
            assertThat(node.get("free").get("memoryMib").asLong()).isEqualTo(want.cMem() - want.aMem());
            assertThat(node.get("schedulable").asBoolean())
                    .isEqualTo(want.status().equals("ready"));
            assertThat(node.get("activeAllocations").asLong()).isEqualTo(want.allocations());
        }
    }

    @Test
    void the_audit_trail_filters_by_aggregate_with_actor_and_command() {
        ExpectedViews expected = caughtUp();
        JsonNode page = json(instance.get("/v1/audit?aggregateType=tenant&aggregateId=tenant-3&limit=500", ADMIN));
        assertThat(page.get("items")).hasSize((int) (long) expected.versions.get("tenant/tenant-3"));
        assertThat(page.get("items")).allSatisfy(entry -> {
            assertThat(entry.get("aggregateId").asString()).isEqualTo("tenant-3");
            assertThat(entry.get("actor").asString()).isEqualTo("token:scenario");
            assertThat(entry.get("commandId").asString()).startsWith("cmd-");
        });
        HttpResponse<String> badLimit = instance.get("/v1/audit?limit=0", ADMIN);
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(json(badLimit).get("field").asString()).isEqualTo("limit");
    }

    @Test
    void usage_is_resource_seconds_per_hour_including_allocations_still_running() {
        ExpectedViews expected = caughtUp();
        Instant from = START;
        Instant to = START.plus(3, ChronoUnit.HOURS);
        BigDecimal cpu = BigDecimal.ZERO;
        for (ExpectedViews.Allocation a : expected.allocations.values()) {
            if (!a.tenant().equals("tenant-1")) {
                continue;
            }
            Instant begin = a.placedAt().isAfter(from) ? a.placedAt() : from;
            Instant end = a.releasedAt() == null || a.releasedAt().isAfter(to) ? to : a.releasedAt();
            if (begin.isBefore(end)) {
                cpu = cpu.add(BigDecimal.valueOf(Duration.between(begin, end).toNanos())
                        .movePointLeft(9)
                        .multiply(BigDecimal.valueOf(a.cpu())));
            }
        }
        JsonNode usage = json(instance.get("/v1/tenants/tenant-1/usage?from=" + from + "&to=" + to, ADMIN));
        assertThat(usage.get("hours")).hasSize(3);
        assertThat(new BigDecimal(usage.get("cpuMillicoreSeconds").asString()))
                .isEqualByComparingTo(cpu)
                .isPositive();
        HttpResponse<String> missing = instance.get("/v1/tenants/tenant-1/usage?to=" + to, ADMIN);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).get("field").asString()).isEqualTo("from");
    }

    @Test
    void metrics_show_lag_throughput_latency_and_dead_letters_per_projection() {
        caughtUp();
        HttpResponse<String> metrics = instance.get("/actuator/prometheus", ADMIN);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains(
                        "headwater_projector_lag{partition=\"0\",projection=\"audit-trail\",topic=\"headwater.tenant.events\"} 0")
                .contains("headwater_projector_events_total{outcome=\"applied\",projection=\"allocations\"}")
                .contains("headwater_projector_batch_duration_seconds_count{projection=\"tenant-overview\"}")
                .contains("headwater_projector_applied_latency_seconds_count{projection=\"node-utilisation\"}")
                .contains("headwater_projector_dead_letters{projection=\"api-tokens\"} 0")
                .contains("headwater_projector_halted{projection=\"audit-trail\"} 0");
        JsonNode status =
                json(instance.get("/admin/projections/audit-trail", ADMIN)).get("status");
        assertThat(status.get("state").asString()).isEqualTo("RUNNING");
        assertThat(status.get("eventsApplied").asLong()).isPositive();
        assertThat(status.get("partitions"))
                .hasSize(12)
                .allSatisfy(p -> assertThat(p.get("lag").asLong()).isZero());
    }

    private static EventEnvelope write(NewEvent event) {
        EventEnvelope written = feed.appendAndPublish(List.of(event)).get(0);
        all.add(written);
        return written;
    }

    private static JsonNode json(HttpResponse<String> response) {
        return EventFeed.JSON.readTree(response.body());
    }
}
