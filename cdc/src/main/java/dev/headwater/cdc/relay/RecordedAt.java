package dev.headwater.cdc.relay;

import dev.headwater.contract.InstantText;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Parses the log's {@code recorded_at} as Debezium delivers a {@code timestamptz}: ISO-8601 in UTC
 * with the column's fraction, {@code 2026-11-30T07:00:00.123456Z}. {@link Instant#parse} goes
 * through a {@code DateTimeFormatter} and was a tenth of the relay's per-batch work in a profile;
 * {@link InstantText#parse} reads the digits directly. Any other shape (an offset other than {@code Z}, a year beyond
 * four digits, no seconds) goes to {@link Instant#parse}, so nothing it accepted is refused now.
 */
final class RecordedAt {

    private RecordedAt() {}

    static Instant parse(@Nullable String text) {
        if (text == null) {
            throw new IllegalArgumentException("recorded_at is missing");
        }
        return InstantText.parse(text);
    }
}
