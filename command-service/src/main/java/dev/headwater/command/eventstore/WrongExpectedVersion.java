package dev.headwater.command.eventstore;

import org.jspecify.annotations.Nullable;

/**
 * The stream was not at the expected version: the caller lost a race or acted on stale state.
 * Nothing was appended, and the transaction the append ran in must roll back.
 */
public final class WrongExpectedVersion extends RuntimeException {

    private final StreamId stream;
    private final ExpectedVersion expected;
    private final @Nullable Long actualVersion;

    public WrongExpectedVersion(StreamId stream, ExpectedVersion expected, @Nullable Long actualVersion) {
        super("stream " + stream + " is at version "
                + (actualVersion == null ? "(moved on concurrently)" : actualVersion) + ", expected " + expected);
        this.stream = stream;
        this.expected = expected;
        this.actualVersion = actualVersion;
    }

    public StreamId stream() {
        return stream;
    }

    public ExpectedVersion expected() {
        return expected;
    }

    /**
     * The version the stream had when the append looked, or null when a concurrent transaction
     * took the version while this one was inserting: the database then aborts the transaction, and
     * it cannot look again. {@link EventStore#currentVersion} tells it afterwards.
     */
    public @Nullable Long actualVersion() {
        return actualVersion;
    }

    /** The same failure with the version read after the aborted transaction ended. */
    public WrongExpectedVersion withActualVersion(long version) {
        return new WrongExpectedVersion(stream, expected, version);
    }
}
