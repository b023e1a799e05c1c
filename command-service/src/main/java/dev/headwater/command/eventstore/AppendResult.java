package dev.headwater.command.eventstore;

import dev.headwater.contract.ConsistencyToken;
import java.util.List;

/**
 * What an append did: the stream's new version and the global positions of the events, in stream
 * order.
 */
public record AppendResult(StreamId stream, long newVersion, List<Long> globalPositions) {

    public AppendResult {
        if (newVersion < 1) {
            throw new IllegalArgumentException("a new version is at least 1, was " + newVersion);
        }
        globalPositions = List.copyOf(globalPositions);
        if (globalPositions.isEmpty()) {
            throw new IllegalArgumentException("an append writes at least one event");
        }
    }

    /** The token a query passes to wait until the views have applied this append. */
    public ConsistencyToken consistencyToken() {
        return new ConsistencyToken(stream.aggregateType(), stream.aggregateId(), newVersion);
    }
}
