package dev.headwater.e2e.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every command the command API acknowledged over the whole suite, with the stream, version and
 * global positions its answer named. The checker holds the log against it: an acknowledged event missing from the log is a lost write, an event in
 * the log that no answer named is a write nobody was told about.
 */
public final class Ledger {

    /**
     * One acknowledged command.
     *
     * @param version the stream version after the command
     * @param globalPositions the positions of its events, in version order
     */
    public record Acknowledged(
            String command, String aggregateType, String aggregateId, long version, List<Long> globalPositions) {

        public Acknowledged {
            globalPositions = List.copyOf(globalPositions);
        }

        /** The version of the event at {@code index} of {@link #globalPositions}. */
        public long versionAt(int index) {
            return version - globalPositions.size() + 1 + index;
        }
    }

    private final ConcurrentLinkedQueue<Acknowledged> acknowledged = new ConcurrentLinkedQueue<>();

    void acknowledged(Acknowledged entry) {
        acknowledged.add(entry);
    }

    public List<Acknowledged> acknowledged() {
        return new ArrayList<>(acknowledged);
    }
}
