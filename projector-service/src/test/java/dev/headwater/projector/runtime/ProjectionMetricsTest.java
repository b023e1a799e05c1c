package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ProjectionMetricsTest {

    private static final TopicPartition P0 = new TopicPartition("headwater.tenant.events", 0);
    private static final TopicPartition P1 = new TopicPartition("headwater.tenant.events", 1);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProjectionMetrics metrics = new ProjectionMetrics(registry, "tenant-overview");

    @Test
    void the_lag_gauge_follows_every_poll_while_the_assignment_stays_the_same() {
        metrics.progress(Map.of(P0, progress(10, 15), P1, progress(0, 3)));
        assertThat(lag(P0)).isEqualTo(5);
        assertThat(lag(P1)).isEqualTo(3);

        metrics.progress(Map.of(P0, progress(14, 15), P1, progress(3, 3)));
        assertThat(lag(P0)).isEqualTo(1);
        assertThat(lag(P1)).isZero();
    }

    @Test
    void a_partition_no_longer_assigned_loses_its_gauge() {
        metrics.progress(Map.of(P0, progress(0, 2), P1, progress(0, 4)));
        metrics.progress(Map.of(P0, progress(1, 2)));

        assertThat(registry.find("headwater.projector.lag").gauges()).hasSize(1);
        assertThat(lag(P0)).isEqualTo(1);
    }

    private double lag(TopicPartition partition) {
        Gauge gauge = registry.find("headwater.projector.lag")
                .tag("topic", partition.topic())
                .tag("partition", Integer.toString(partition.partition()))
                .gauge();
        assertThat(gauge).as("lag gauge of %s", partition).isNotNull();
        return gauge.value();
    }

    private static ProjectionWorker.PartitionProgress progress(long checkpoint, long endOffset) {
        return new ProjectionWorker.PartitionProgress(checkpoint, endOffset);
    }
}
