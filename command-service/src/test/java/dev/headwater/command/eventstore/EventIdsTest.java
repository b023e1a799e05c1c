package dev.headwater.command.eventstore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.contract.EventMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EventIdsTest {

    @Test
    void new_events_get_version_7_ids_that_sort_in_the_order_they_were_handed_out() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            UUID id = NewEvent.of("tenant.created", JsonMapper.shared().createObjectNode(), EventMetadata.empty())
                    .eventId();
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
            // Postgres orders uuid values bytewise, which is the order of their lower-case text.
            ids.add(id.toString());
        }
        assertThat(ids).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void ids_handed_out_on_many_threads_at_once_are_all_distinct() {
        ConcurrentLinkedQueue<UUID> ids = new ConcurrentLinkedQueue<>();
        IntStream.range(0, 8).parallel().forEach(thread -> {
            for (int i = 0; i < 5_000; i++) {
                ids.add(EventIds.next());
            }
        });
        assertThat(new HashSet<>(ids)).hasSize(40_000);
    }

    @Test
    void the_leading_bits_are_the_time_of_day_in_milliseconds() {
        long before = System.currentTimeMillis();
        UUID id = EventIds.next();
        long after = System.currentTimeMillis();
        assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after);
    }
}
