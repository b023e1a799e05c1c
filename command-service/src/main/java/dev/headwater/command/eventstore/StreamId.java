package dev.headwater.command.eventstore;

import dev.headwater.contract.EventEnvelope;
import java.util.regex.Pattern;

/**
 * A stream of the log: one aggregate. Aggregate types follow {@link EventEnvelope#AGGREGATE_TYPE}
 * because they name topics; ids are 1–128 characters that are safe in a URL path segment.
 */
public record StreamId(String aggregateType, String aggregateId) {

    /** Letters, digits and {@code . _ : @ -}, starting with a letter or digit. */
    public static final Pattern AGGREGATE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");

    public StreamId {
        if (!EventEnvelope.AGGREGATE_TYPE.matcher(aggregateType).matches()) {
            throw new IllegalArgumentException(
                    "aggregate type '" + aggregateType + "' does not match " + EventEnvelope.AGGREGATE_TYPE.pattern());
        }
        if (!AGGREGATE_ID.matcher(aggregateId).matches()) {
            throw new IllegalArgumentException(
                    "aggregate id '" + aggregateId + "' does not match " + AGGREGATE_ID.pattern());
        }
    }

    @Override
    public String toString() {
        return aggregateType + "/" + aggregateId;
    }
}
