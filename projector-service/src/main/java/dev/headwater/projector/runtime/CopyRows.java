package dev.headwater.projector.runtime;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;

/**
 * Rows collected in memory and written by one {@code COPY ... FROM STDIN} (text format): for
 * insert-only tables, where COPY's batched heap inserts cost Postgres less per row than an {@code
 * INSERT ... SELECT FROM unnest(...)} of the same rows. COPY has no {@code ON CONFLICT}: a
 * duplicate key fails the statement and with it the batch, so use it only where the runtime's
 * version check already keeps rows unique.
 */
public final class CopyRows {

    private final String sql;
    private final int columns;
    private final StringBuilder text = new StringBuilder();
    private int size;

    /** {@code table} unqualified (the transaction's {@code search_path} picks live or shadow). */
    public CopyRows(String table, String... columns) {
        this(table, "", columns);
    }

    private CopyRows(String table, String options, String[] columns) {
        if (columns.length == 0) {
            throw new IllegalArgumentException("COPY into " + table + " needs at least one column");
        }
        this.sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN" + options;
        this.columns = columns.length;
    }

    /**
     * {@code COPY ... WITH (FREEZE)}: only into a table created (or truncated) in the same
     * transaction, where the rows may be written frozen because no other transaction can see them.
     */
    static CopyRows frozen(String table, String... columns) {
        return new CopyRows(table, " WITH (FREEZE)", columns);
    }

    /** Adds a row; values in column order, as text (Instants as ISO-8601), null as SQL NULL. */
    public CopyRows add(@Nullable Object... values) {
        if (values.length != columns) {
            throw new IllegalArgumentException(
                    "expected " + columns + " values, got " + values.length + ": " + Arrays.toString(values));
        }
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                text.append('\t');
            }
            Object value = values[i];
            if (value == null) {
                text.append("\\N");
            } else if (value instanceof Instant instant) {
                appendInstant(instant);
            } else {
                escape(value.toString());
            }
        }
        text.append('\n');
        size++;
        return this;
    }

    public int size() {
        return size;
    }

    /** The COPY text collected so far. */
    String text() {
        return text.toString();
    }

    /** Runs the COPY unless there are no rows; returns the rows written. */
    public long execute(Connection connection) throws SQLException {
        if (size == 0) {
            return 0;
        }
        try {
            return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(text.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY failed while reading rows from memory", e);
        }
    }

    /**
     * COPY text format: backslash, tab, newline and carriage return are escaped. The runs between
     * them are appended whole: a rebuild's audit rows (JSON payloads) rarely hold any, and a
     * character-by-character append was the largest item of the replay's own CPU.
     */
    private void escape(String value) {
        int length = value.length();
        int start = 0;
        for (int i = 0; i < length; i++) {
            String escaped = switch (value.charAt(i)) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> null;
            };
            if (escaped != null) {
                text.append(value, start, i).append(escaped);
                start = i + 1;
            }
        }
        text.append(value, start, length);
    }

    /**
     * The text {@link Instant#toString()} gives (ISO-8601, UTC, the fraction in groups of three
     * digits), written without {@code DateTimeFormatter}, whose per-call setup cost the replay
     * more than the rest of a row; years outside 0000–9999 take {@code toString()}'s sign form.
     */
    private void appendInstant(Instant instant) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            text.append(instant);
            return;
        }
        digits(year, 4).append('-');
        digits(time.getMonthValue(), 2).append('-');
        digits(time.getDayOfMonth(), 2).append('T');
        digits(time.getHour(), 2).append(':');
        digits(time.getMinute(), 2).append(':');
        digits(time.getSecond(), 2);
        int nano = instant.getNano();
        if (nano != 0) {
            text.append('.');
            if (nano % 1_000_000 == 0) {
                digits(nano / 1_000_000, 3);
            } else if (nano % 1_000 == 0) {
                digits(nano / 1_000, 6);
            } else {
                digits(nano, 9);
            }
        }
        text.append('Z');
    }

    private StringBuilder digits(int value, int width) {
        String number = Integer.toString(value);
        for (int i = number.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(number);
    }
}
