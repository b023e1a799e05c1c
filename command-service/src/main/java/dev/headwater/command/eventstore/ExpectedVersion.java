package dev.headwater.command.eventstore;

/**
 * What the appender believes the stream's version to be: {@link #any()} (no belief, append at the
 * end), {@link #noStream()} (the stream must not exist yet) or {@link #exactly(long)}.
 */
public final class ExpectedVersion {

    private static final long ANY = -1;
    private static final ExpectedVersion ANY_VERSION = new ExpectedVersion(ANY);
    private static final ExpectedVersion NO_STREAM = new ExpectedVersion(0);

    private final long value;

    private ExpectedVersion(long value) {
        this.value = value;
    }

    public static ExpectedVersion any() {
        return ANY_VERSION;
    }

    public static ExpectedVersion noStream() {
        return NO_STREAM;
    }

    /** The stream's current version must be {@code version}; 0 means the stream must not exist. */
    public static ExpectedVersion exactly(long version) {
        if (version < 0) {
            throw new IllegalArgumentException("an expected version is at least 0, was " + version);
        }
        return version == 0 ? NO_STREAM : new ExpectedVersion(version);
    }

    public boolean isAny() {
        return value == ANY;
    }

    /** Whether the caller pinned a version, so a lost race must be reported, not retried. */
    public boolean isPinned() {
        return value != ANY;
    }

    /** The expected current version; only for pinned expectations. */
    public long version() {
        if (isAny()) {
            throw new IllegalStateException("'any' has no version");
        }
        return value;
    }

    public boolean matches(long currentVersion) {
        return isAny() || value == currentVersion;
    }

    /** -1 for any, else the version; the form the append statement takes. */
    long sqlValue() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ExpectedVersion that && that.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return isAny() ? "any" : value == 0 ? "no stream" : Long.toString(value);
    }
}
