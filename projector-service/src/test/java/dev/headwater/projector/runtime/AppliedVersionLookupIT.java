package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The applied-version lookup of every batch probes the primary key once per aggregate, even with
 * the generic plan a prepared statement keeps from before the table had statistics; a plan that
 * reads the whole generation made a drain slower the longer it ran.
 */
class AppliedVersionLookupIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @Test
    void the_lookup_probes_the_primary_key_per_aggregate_even_with_a_generic_plan_made_without_statistics()
            throws Exception {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            long generation = GenerationStore.ensureLive(connection, "lookup", Instant.now());
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET plan_cache_mode = force_generic_plan");
            }
            StringBuilder plan = new StringBuilder();
            Array types = connection.createArrayOf("text", new String[] {"node", "node"});
            Array ids = connection.createArrayOf("text", new String[] {"n1", "n2"});
            try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + AppliedVersionStore.FETCH)) {
                explain.setArray(1, types);
                explain.setArray(2, ids);
                explain.setString(3, "lookup");
                explain.setLong(4, generation);
                try (ResultSet rows = explain.executeQuery()) {
                    while (rows.next()) {
                        plan.append(rows.getString(1)).append('\n');
                    }
                }
            }

            assertThat(plan.toString())
                    .as("every key is an index condition, not a filter over the generation's rows")
                    .containsPattern("Index Cond: .*aggregate_id = k\\.aggregate_id")
                    .doesNotContain("Hash Join")
                    .doesNotContain("Join Filter");

            AppliedVersionStore.store(connection, "lookup", generation, Map.of(new AggregateKey("node", "n1"), 3L));
            assertThat(AppliedVersionStore.fetch(
                            connection,
                            "lookup",
                            generation,
                            List.of(new AggregateKey("node", "n1"), new AggregateKey("node", "n2"))))
                    .containsExactly(Map.entry(new AggregateKey("node", "n1"), 3L));
        }
    }
}
