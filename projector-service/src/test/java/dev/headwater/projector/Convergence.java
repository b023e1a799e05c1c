package dev.headwater.projector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;

/** Assertions that the views equal what the events imply. */
final class Convergence {

    static final Map<String, Set<String>> TYPES_OF = Map.of(
            "tenant-overview", Set.of("tenant", "allocation"),
            "node-utilisation", Set.of("node", "allocation"),
            "allocations", Set.of("allocation"),
            "audit-trail", Set.of("tenant", "node", "allocation", "api-token"),
            "api-tokens", Set.of("api-token"));

    private Convergence() {}

    /** Every projection's applied versions are exactly the last version of every stream it consumes. */
    static void assertVersions(DataSource projector, ExpectedViews expected) {
        TYPES_OF.forEach((projection, types) -> {
            Map<String, Long> wanted = new TreeMap<>();
            expected.versions.forEach((stream, version) -> {
                if (types.contains(stream.substring(0, stream.indexOf('/')))) {
                    wanted.put(stream, version);
                }
            });
            assertThat(ActualViews.appliedVersions(projector, projection))
                    .as("applied versions of %s", projection)
                    .isEqualTo(wanted);
        });
    }

    static void assertViews(DataSource projector, ExpectedViews expected) {
        ActualViews actual = ActualViews.read(projector);
        assertThat(actual.tenants).as("tenant overview").isEqualTo(expected.tenants);
        assertThat(actual.nodes).as("node utilisation").isEqualTo(expected.nodes);
        assertThat(actual.allocations).as("allocations").isEqualTo(expected.allocations);
        assertThat(actual.billing).as("billing usage").isEqualTo(expected.normalizedBilling());
        assertThat(actual.tokens).as("api tokens").isEqualTo(expected.tokens);
        assertThat(actual.auditEventIds).as("audit trail").isEqualTo(expected.auditEventIds);
    }
}
