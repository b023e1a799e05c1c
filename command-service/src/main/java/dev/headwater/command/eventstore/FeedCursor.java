package dev.headwater.command.eventstore;

/**
 * A position in the catch-up feed: the commit-visibility order key {@code (transaction_id,
 * global_position)} of the last event a reader has seen. Text form: {@code <transaction id>-<global
 * position>}, both decimal.
 */
public record FeedCursor(long transactionId, long globalPosition) {

    /** Before every event. */
    public static final FeedCursor START = new FeedCursor(0, 0);

    public FeedCursor {
        if (transactionId < 0 || globalPosition < 0) {
            throw new IllegalArgumentException("a cursor's parts are not negative");
        }
    }

    public String encode() {
        return transactionId + "-" + globalPosition;
    }

    /** Parses the text form; anything else is an {@link IllegalArgumentException}. */
    public static FeedCursor parse(String text) {
        int dash = text.indexOf('-');
        if (dash <= 0 || dash == text.length() - 1 || text.length() > 41) {
            throw new IllegalArgumentException("'" + text + "' is not a feed cursor");
        }
        try {
            return new FeedCursor(
                    Long.parseUnsignedLong(text.substring(0, dash)), Long.parseUnsignedLong(text.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a feed cursor");
        }
    }

    @Override
    public String toString() {
        return encode();
    }
}
