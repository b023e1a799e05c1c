package dev.headwater.cdc.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Checks on what a topic holds, as a consumer relying on the contract sees it. */
public final class Streams {

    private Streams() {}

    /**
     * Per key, in topic order, versions never go backwards and never skip one: each record is
     * either the next version or a repeat of one already seen (a duplicate of at-least-once).
     * Returns the number of repeats.
     */
    public static int assertOrderedWithoutGaps(List<TopicReader.Read> read) {
        Map<String, Long> lastVersion = new HashMap<>();
        int repeats = 0;
        for (TopicReader.Read record : read) {
            String stream = record.topic() + "/" + record.key();
            long version = record.event().aggregateVersion();
            long last = lastVersion.getOrDefault(stream, 0L);
            if (version <= last) {
                repeats++;
                continue;
            }
            assertThat(version)
                    .as("version after %d on %s (offset %d)", last, stream, record.offset())
                    .isEqualTo(last + 1);
            assertThat(record.key()).isEqualTo(record.event().aggregateId());
            lastVersion.put(stream, version);
        }
        return repeats;
    }

    public static Set<UUID> eventIds(List<TopicReader.Read> read) {
        return read.stream().map(r -> r.event().eventId()).collect(Collectors.toSet());
    }
}
