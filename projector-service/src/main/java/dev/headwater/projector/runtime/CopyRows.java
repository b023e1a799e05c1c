package dev.headwater.projector.runtime;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
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
        if (columns.length == 0) {
            throw new IllegalArgumentException("COPY into " + table + " needs at least one column");
        }
        this.sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN";
        this.columns = columns.length;
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
            } else {
                escape(value instanceof Instant instant ? instant.toString() : value.toString());
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

    /** COPY text format: backslash, tab, newline and carriage return are escaped. */
    private void escape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> text.append("\\\\");
                case '\t' -> text.append("\\t");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                default -> text.append(c);
            }
        }
    }
}
