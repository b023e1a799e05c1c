package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupOffsetMirrorTest {

    private static final TopicPartition P0 = new TopicPartition("headwater.tenant.events", 0);
    private static final TopicPartition P1 = new TopicPartition("headwater.tenant.events", 1);

    private final SteppingClock clock = new SteppingClock();
    private final GroupOffsetMirror mirror = new GroupOffsetMirror(clock, Duration.ofSeconds(1));

    @Test
    void the_first_batch_is_copied_at_once_and_later_ones_wait_for_the_interval() {
        assertThat(mirror.committed(Map.of(P0, 10L), List.of(P0, P1))).isEqualTo(Map.of(P0, new OffsetAndMetadata(10)));

        clock.advance(Duration.ofMillis(400));
        assertThat(mirror.committed(Map.of(P0, 20L), List.of(P0, P1))).isEmpty();
        clock.advance(Duration.ofMillis(400));
        assertThat(mirror.committed(Map.of(P0, 30L, P1, 5L), List.of(P0, P1))).isEmpty();

        clock.advance(Duration.ofMillis(200));
        assertThat(mirror.committed(Map.of(P1, 7L), List.of(P0, P1)))
                .as("the latest offset of every partition since the last copy")
                .isEqualTo(Map.of(P0, new OffsetAndMetadata(30), P1, new OffsetAndMetadata(7)));
    }

    @Test
    void nothing_is_copied_when_no_batch_moved_a_checkpoint() {
        assertThat(mirror.committed(Map.of(), List.of(P0))).isEmpty();
        assertThat(mirror.committed(Map.of(P0, 3L), List.of(P0))).containsOnlyKeys(P0);
    }

    @Test
    void offsets_of_partitions_no_longer_owned_are_not_copied() {
        mirror.committed(Map.of(P0, 1L), List.of(P0, P1));
        mirror.committed(Map.of(P0, 2L, P1, 9L), List.of(P0, P1));
        mirror.forget(List.of(P1));
        clock.advance(Duration.ofSeconds(1));

        assertThat(mirror.committed(Map.of(), List.of(P0))).isEqualTo(Map.of(P0, new OffsetAndMetadata(2)));
    }

    @Test
    void a_partition_revoked_without_a_listener_call_is_still_left_out() {
        clock.advance(Duration.ofSeconds(1));
        assertThat(mirror.committed(Map.of(P0, 4L, P1, 8L), List.of(P0)))
                .isEqualTo(Map.of(P0, new OffsetAndMetadata(4)));
    }

    private static final class SteppingClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T00:00:00Z");

        void advance(Duration step) {
            now = now.plus(step);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
