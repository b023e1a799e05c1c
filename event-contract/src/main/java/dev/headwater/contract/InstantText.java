package dev.headwater.contract;

import java.time.Instant;
import java.time.LocalDate;

/**
 * {@link Instant#toString()} without a {@code DateTimeFormatter}: the codec prints a time for
 * every event, and the formatter's generic machinery showed in the relay's profile. Same text:
 * {@code yyyy-MM-ddTHH:mm:ss}, the fraction in groups of three digits as long as needed, {@code Z}.
 * Outside the years 1970–9999 it simply calls {@link Instant#toString()}.
 */
final class InstantText {

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

    private static void digits(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
