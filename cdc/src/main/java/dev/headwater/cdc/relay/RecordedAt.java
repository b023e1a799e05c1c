package dev.headwater.cdc.relay;

import java.time.Instant;
import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

/**
 * Parses the log's {@code recorded_at} as Debezium delivers a {@code timestamptz}: ISO-8601 in UTC
 * with the column's fraction, {@code 2026-11-30T07:00:00.123456Z}. {@link Instant#parse} goes
 * through a {@code DateTimeFormatter} and was a tenth of the relay's per-batch work in a profile;
 * this reads the digits directly. Any other shape (an offset other than {@code Z}, a year beyond
 * four digits, no seconds) goes to {@link Instant#parse}, so nothing it accepted is refused now.
 */
final class RecordedAt {

    private static final int SECONDS_END = 19; // yyyy-MM-ddTHH:mm:ss

    private RecordedAt() {}

    static Instant parse(@Nullable String text) {
        if (text == null) {
            throw new IllegalArgumentException("recorded_at is missing");
        }
        Instant fast = parseUtc(text);
        return fast != null ? fast : Instant.parse(text);
    }

    /** The instant, or {@code null} if the text is not in the shape read here. */
    private static @Nullable Instant parseUtc(String text) {
        int length = text.length();
        if (length < SECONDS_END + 1
                || text.charAt(length - 1) != 'Z'
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        // -1 where a character is not a digit; out of range or not digits: let Instant.parse say why.
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > 31
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return null;
        }
        int nanos = 0;
        int fractionDigits = length - 1 - SECONDS_END - 1;
        if (length - 1 > SECONDS_END) {
            if (text.charAt(SECONDS_END) != '.' || fractionDigits < 1 || fractionDigits > 9) {
                return null;
            }
            int fraction = digits(text, SECONDS_END + 1, fractionDigits);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = fractionDigits; i < 9; i++) {
                nanos *= 10;
            }
        }
        // A day the month does not have throws DateTimeException, as Instant.parse would.
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal value of {@code count} digits from {@code start}, or -1 if one is not a digit. */
    private static int digits(String text, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
