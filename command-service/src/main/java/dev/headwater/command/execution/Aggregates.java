package dev.headwater.command.execution;

import dev.headwater.command.eventstore.EventStore;
import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.eventstore.StreamId;
import dev.headwater.command.eventstore.WrongExpectedVersion;
import dev.headwater.contract.EventEnvelope;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** Loading an aggregate by folding its events, the way every command starts. */
public final class Aggregates {

    private Aggregates() {}

    /**
     * Folds the stream's events into an aggregate and checks the version the caller pinned.
     *
     * @throws CommandRejected (not found) when the stream has no events
     * @throws WrongExpectedVersion when the caller pinned another version
     */
    public static <A> A load(
            EventStore events,
            StreamId stream,
            Function<List<EventEnvelope>, Optional<A>> fold,
            ToLongFunction<A> version,
            ExpectedVersion pinned) {
        A aggregate = fold.apply(events.readStream(stream, 1, Integer.MAX_VALUE))
                .orElseThrow(() -> new CommandRejected(
                        CommandRejected.Reason.NOT_FOUND, "no " + stream.aggregateType() + " " + stream.aggregateId()));
        long current = version.applyAsLong(aggregate);
        if (!pinned.matches(current)) {
            throw new WrongExpectedVersion(stream, pinned, current);
        }
        return aggregate;
    }
}
