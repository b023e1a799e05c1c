package dev.headwater.contract;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;

/**
 * {@link Instant#toString()} without a {@code DateTimeFormatter}: the codec prints a time for
 * every event, and the formatter's generic machinery showed in the relay's profile. Same text:
 * {@code yyyy-MM-ddTHH:mm:ss}, the fraction in groups of three digits as long as needed, {@code Z}.
 * Outside the years 1970–9999 it simply calls {@link Instant#toString()}.
 *
 * <p>{@link #parse} is the reverse for the same shape, because every consumer parses the time of
 * every record: {@link Instant#parse} was 8% of the projector's worker CPU in a profiled drain
 * (issue 8), and the relay parses the log's {@code recorded_at} with it. Any other text goes to
 * {@link Instant#parse}, which decides (and throws) as before.
 */
public final class InstantText {

    /** 10000-01-01T00:00:00Z: from here on the year has more than four digits. */
    private static final long YEAR_10000 = 253_402_300_800L;

    private InstantText() {}

    static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) {
            return instant.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
        int secondOfDay = (int) (seconds % 86_400);
        char[] text = new char[30];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, secondOfDay / 3600, 2);
        text[13] = ':';
        digits(text, 14, secondOfDay / 60 % 60, 2);
        text[16] = ':';
        digits(text, 17, secondOfDay % 60, 2);
        int length = 19;
        int nanos = instant.getNano();
        if (nanos > 0) {
            text[length++] = '.';
            if (nanos % 1_000_000 == 0) {
                digits(text, length, nanos / 1_000_000, 3);
                length += 3;
            } else if (nanos % 1_000 == 0) {
                digits(text, length, nanos / 1_000, 6);
                length += 6;
            } else {
                digits(text, length, nanos, 9);
                length += 9;
            }
        }
        text[length++] = 'Z';
        return new String(text, 0, length);
    }

    /**
     * As {@link Instant#parse}: {@code yyyy-MM-ddTHH:mm:ss}, an optional fraction of 1–9 digits and
     * {@code Z} are read here; anything else (offsets, leap seconds, other years, bad text) by
     * {@link Instant#parse}, so the result and the exceptions are the same.
     */
    public static Instant parse(String text) {
        int length = text.length();
        if (length < 20
                || length > 30
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':'
                || text.charAt(length - 1) != 'Z') {
            return Instant.parse(text);
        }
        int year = number(text, 0, 4);
        int month = number(text, 5, 2);
        int day = number(text, 8, 2);
        int hour = number(text, 11, 2);
        int minute = number(text, 14, 2);
        int second = number(text, 17, 2);
        int nanos = 0;
        if (length > 20) {
            int digits = length - 21;
            if (text.charAt(19) != '.' || digits < 1 || digits > 9) {
                return Instant.parse(text);
            }
            nanos = number(text, 20, digits);
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (year < 1970
                || month < 1
                || month > 12
                || day < 1
                || day > 28 && day > YearMonth.of(year, month).lengthOfMonth()
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59
                || nanos < 0) {
            return Instant.parse(text);
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal number of {@code width} digits at {@code at}, or -1 if any is not a digit. */
    private static int number(String text, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static void digits(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
