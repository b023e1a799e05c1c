package dev.headwater.command.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConcurrencyIT extends ServiceIT {

    @BeforeEach
    void isolateScheduling() {
        Scheduling.cordonEveryNode(api);
    }

    /** Runs {@code count} requests at once (released together by a latch) and returns their responses. */
    static List<Api.Response> concurrently(int count, IntFunction<Api.Response> request) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Api.Response>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(threads.submit((Callable<Api.Response>) () -> {
                    start.await();
                    return request.apply(n);
                }));
            }
            start.countDown();
            List<Api.Response> responses = new ArrayList<>();
            for (Future<Api.Response> future : futures) {
                responses.add(future.get(120, TimeUnit.SECONDS));
            }
            return responses;
        } finally {
            threads.shutdownNow();
        }
    }

    static long count(List<Api.Response> responses, int status) {
        return responses.stream()
                .filter(response -> response.status() == status)
                .count();
    }

    @Test
    void fifty_concurrent_placements_against_a_quota_that_fits_ten_place_exactly_ten() throws Exception {
        String tenant = newId("quota");
        api.createTenant(ADMIN, tenant, 10_000, 100_000, 0);
        api.registerNode(ADMIN, newId("wide"), 1_000_000, 1_000_000, 0);

        List<Api.Response> responses = concurrently(50, i -> api.place(ADMIN, tenant, 1000, 1024, 0));

        assertThat(responses).noneMatch(response -> response.status() >= 500);
        assertThat(count(responses, 201)).isEqualTo(10);
        assertThat(count(responses, 409)).isEqualTo(40);
        assertThat(responses.stream().filter(response -> response.status() == 409))
                .allMatch(response -> response.body().contains("urn:headwater:problem:quota-exceeded"));
        assertThat(owner().queryForObject(
                                "SELECT used_cpu_millis FROM command.tenants WHERE tenant_id = ?", Long.class, tenant))
                .isEqualTo(10_000);
        assertThat(owner().queryForObject(
                                "SELECT count(*) FROM event_log.events WHERE tenant_id = ? AND event_type = 'AllocationPlaced'",
                                Long.class,
                                tenant))
                .isEqualTo(10);
    }

    @Test
    void fifty_concurrent_placements_never_overcommit_a_node() throws Exception {
        String first = newId("cap-a");
        String second = newId("cap-b");
        api.createTenant(ADMIN, first, 1_000_000, 1_000_000, 0);
        api.createTenant(ADMIN, second, 1_000_000, 1_000_000, 0);
        String nodeA = newId("five-a");
        String nodeB = newId("five-b");
        api.registerNode(ADMIN, nodeA, 5000, 5 * 1024, 0);
        api.registerNode(ADMIN, nodeB, 5000, 5 * 1024, 0);

        List<Api.Response> responses =
                concurrently(50, i -> api.place(ADMIN, i % 2 == 0 ? first : second, 1000, 1024, 0));

        assertThat(responses).noneMatch(response -> response.status() >= 500);
        assertThat(count(responses, 201)).isEqualTo(10);
        assertThat(count(responses, 409)).isEqualTo(40);
        for (String node : List.of(nodeA, nodeB)) {
            Map<String, Object> row = owner().queryForMap(
                            "SELECT used_cpu_millis, capacity_cpu_millis FROM command.nodes WHERE node_id = ?", node);
            assertThat(row).containsEntry("used_cpu_millis", 5000L);
            Long fromEvents = owner().queryForObject(
                            "SELECT coalesce(sum((payload -> 'resources' ->> 'cpuMillis')::bigint), 0) FROM event_log.events"
                                    + " WHERE event_type = 'AllocationPlaced' AND payload ->> 'nodeId' = ?",
                            Long.class,
                            node);
            assertThat(fromEvents)
                    .as("the log agrees with the write-side state")
                    .isEqualTo(5000L);
        }
    }

    @Test
    void concurrent_appends_that_pin_the_same_version_have_exactly_one_winner_and_the_rest_get_409() throws Exception {
        String tenant = newId("race");
        api.createTenant(ADMIN, tenant, 1, 1, 0);
        String stream = "/v1/streams/order/" + newId("o") + "/events";
        String body =
                "{\"tenantId\": \"%s\", \"expectedVersion\": 0, \"events\": [{\"type\": \"Placed\", \"payload\": {}}]}"
                        .formatted(tenant);

        List<Api.Response> responses = concurrently(10, i -> api.post(stream, ADMIN, body));

        assertThat(count(responses, 201)).isEqualTo(1);
        assertThat(count(responses, 409)).isEqualTo(9);
        assertThat(responses.stream().filter(response -> response.status() == 409))
                .allMatch(response -> response.json().get("actualVersion").asLong() == 1);
    }

    @Test
    void concurrent_appends_without_a_pinned_version_are_retried_until_each_gets_its_own_version() throws Exception {
        String tenant = newId("retry");
        api.createTenant(ADMIN, tenant, 1, 1, 0);
        String aggregate = newId("o");
        String stream = "/v1/streams/order/" + aggregate + "/events";
        String body =
                "{\"tenantId\": \"%s\", \"events\": [{\"type\": \"Placed\", \"payload\": {}}, {\"type\": \"Paid\", \"payload\": {}}]}"
                        .formatted(tenant);

        List<Api.Response> responses = concurrently(8, i -> api.post(stream, ADMIN, body));

        assertThat(count(responses, 201)).isEqualTo(8);
        List<Long> versions = owner().queryForList(
                        "SELECT aggregate_version FROM event_log.events WHERE aggregate_type = 'order' AND aggregate_id = ?"
                                + " ORDER BY aggregate_version",
                        Long.class,
                        aggregate);
        assertThat(versions)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 16).boxed().toList());
    }

    @Test
    void concurrent_commands_pinned_with_if_match_have_one_winner_and_the_rest_get_412() throws Exception {
        String tenant = newId("pin");
        api.createTenant(ADMIN, tenant, 1, 1, 0);

        List<Api.Response> responses = concurrently(
                6,
                i -> api.put(
                        "/v1/tenants/" + tenant + "/quota",
                        ADMIN,
                        "{\"cpuMillis\": %d, \"memoryMib\": 1, \"gpus\": 0}".formatted(i + 10),
                        "If-Match",
                        "\"1\""));

        assertThat(count(responses, 200)).isEqualTo(1);
        assertThat(count(responses, 412)).isEqualTo(5);
        assertThat(owner().queryForObject(
                                "SELECT max(aggregate_version) FROM event_log.events WHERE aggregate_type = 'tenant'"
                                        + " AND aggregate_id = ?",
                                Long.class,
                                tenant))
                .isEqualTo(2);
    }
}
