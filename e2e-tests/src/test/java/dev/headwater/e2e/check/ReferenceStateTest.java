package dev.headwater.e2e.check;

import static dev.headwater.e2e.check.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReferenceStateTest {

    private static final String PLACED = """
            {"tenantId":"acme","nodeId":"n1","workload":"web","resources":{"cpuMillis":500,"memoryMib":1024,"gpus":1}}""";
    private static final String RELEASED = """
            {"tenantId":"acme","nodeId":"n1","resources":{"cpuMillis":500,"memoryMib":1024,"gpus":1}}""";

    private final List<LoggedEvent> log = List.of(
            event(1, "tenant", "acme", 1, "TenantCreated", """
                    {"name":"Acme","quota":{"cpuMillis":8000,"memoryMib":16384,"gpus":2}}""", Instant.parse("2026-06-01T10:00:00Z"), "t1"),
            event(2, "allocation", "a1", 1, "AllocationPlaced", PLACED, Instant.parse("2026-06-01T10:30:00Z"), "t2"),
            event(3, "allocation", "a2", 1, "AllocationPlaced", PLACED, Instant.parse("2026-06-01T10:31:00Z"), "t3"),
            event(
                    4,
                    "allocation",
                    "a1",
                    2,
                    "AllocationReleased",
                    RELEASED,
                    Instant.parse("2026-06-01T12:15:00.5Z"),
                    "t4"));

    @Test
    void usage_counts_each_allocation_once_and_bills_released_ones_split_at_hours() {
        var views = ReferenceState.of(log).views();

        assertThat(views.get(Tables.TENANT_OVERVIEW).byKey().get("'acme'"))
                .contains("used_cpu_millis=500 used_memory_mib=1024 used_gpus=1 active_allocations=1")
                .contains("tenant_version=1")
                .contains("updated_at=2026-06-01T12:15:00.500Z");
        assertThat(views.get(Tables.BILLING_USAGE).byKey().values())
                .containsExactly(
                        "tenant_id='acme' hour=2026-06-01T10:00:00Z cpu_millicore_seconds=900000"
                                + " memory_mib_seconds=1843200 gpu_seconds=1800",
                        "tenant_id='acme' hour=2026-06-01T11:00:00Z cpu_millicore_seconds=1800000"
                                + " memory_mib_seconds=3686400 gpu_seconds=3600",
                        "tenant_id='acme' hour=2026-06-01T12:00:00Z cpu_millicore_seconds=450250"
                                + " memory_mib_seconds=922112 gpu_seconds=900.5");
    }

    @Test
    void a_view_that_applied_an_allocation_twice_differs_from_the_log() {
        var expected = ReferenceState.of(log).views().get(Tables.TENANT_OVERVIEW);
        Rows actual = new Rows(Tables.TENANT_OVERVIEW);
        actual.put(
                "acme",
                "Acme",
                "active",
                null,
                8000L,
                16384L,
                2L,
                1000L,
                2048L,
                2L,
                2L,
                Instant.parse("2026-06-01T10:00:00Z"),
                Instant.parse("2026-06-01T12:15:00.5Z"),
                1L);
        Anomalies anomalies = new Anomalies();

        expected.compareWith(actual, "view", anomalies);

        assertThat(anomalies.counts()).containsEntry("view.tenant_overview", 1);
    }

    @Test
    void a_row_the_log_does_not_explain_is_reported() {
        var expected = ReferenceState.of(log).views().get(Tables.ALLOCATIONS);
        Rows actual = new Rows(Tables.ALLOCATIONS);
        actual.put("zz", "acme", "n1", "web", 1L, 1L, 0L, "active", Instant.EPOCH, null);
        Anomalies anomalies = new Anomalies();

        expected.compareWith(actual, "view", anomalies);

        assertThat(anomalies.all())
                .anyMatch(a -> a.contains("has no ground in the log"))
                .anyMatch(a -> a.contains("missing row"));
    }
}
