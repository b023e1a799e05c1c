package dev.headwater.command.eventstore;

/**
 * The stream's events belong to another tenant than the append named: every event of a stream
 * belongs to one tenant. Nothing was appended, and the transaction the append ran in must roll back.
 */
public final class StreamOfAnotherTenant extends RuntimeException {

    private final StreamId stream;
    private final String owner;

    public StreamOfAnotherTenant(StreamId stream, String owner) {
        super("stream " + stream + " belongs to tenant " + owner);
        this.stream = stream;
        this.owner = owner;
    }

    public StreamId stream() {
        return stream;
    }

    /** The tenant of the stream's first event. */
    public String owner() {
        return owner;
    }
}
