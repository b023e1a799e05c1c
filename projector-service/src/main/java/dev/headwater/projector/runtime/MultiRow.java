package dev.headwater.projector.runtime;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Rows collected in memory and written by ONE statement that takes each column as an array
 * parameter, typically {@code INSERT ... SELECT * FROM unnest(?::text[], ?::bigint[], ...) ON
 * CONFLICT ... DO UPDATE}. One execution per table per batch is what makes projections fast;
 * an upsert must not see the same key twice in one statement, so fold rows by key first.
 *
 * <p>Column kinds fix how values travel: {@link Kind#TEXT} (also timestamps as ISO-8601 text and
 * JSON as text: cast them in SQL, {@code ?::timestamptz[]}, {@code ?::jsonb[]}), {@link
 * Kind#BIGINT}, {@link Kind#NUMERIC}, {@link Kind#BOOLEAN}.
 */
public final class MultiRow {

    /** How a column is bound. */
    public enum Kind {
        TEXT("text"),
        BIGINT("int8"),
        NUMERIC("numeric"),
        BOOLEAN("bool");

        private final String pgType;

        Kind(String pgType) {
            this.pgType = pgType;
        }
    }

    private final Kind[] kinds;
    private final List<@Nullable Object>[] columns;

    @SuppressWarnings("unchecked")
    public MultiRow(Kind... kinds) {
        if (kinds.length == 0) {
            throw new IllegalArgumentException("a MultiRow needs at least one column");
        }
        this.kinds = kinds.clone();
        this.columns = new List[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            columns[i] = new ArrayList<>();
        }
    }

    /** Adds a row; values in column order. Instants become ISO-8601 text. */
    public MultiRow add(@Nullable Object... values) {
        if (values.length != kinds.length) {
            throw new IllegalArgumentException(
                    "expected " + kinds.length + " values, got " + values.length + ": " + Arrays.toString(values));
        }
        for (int i = 0; i < values.length; i++) {
            columns[i].add(convert(kinds[i], values[i]));
        }
        return this;
    }

    public int size() {
        return columns[0].size();
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /**
     * Runs {@code sql}, binding column {@code i} as parameter {@code i + 1} and then {@code
     * extraParameters}, unless there are no rows. Returns the update count.
     */
    public int execute(Connection connection, String sql, Object... extraParameters) throws SQLException {
        if (isEmpty()) {
            return 0;
        }
        List<Array> arrays = new ArrayList<>(kinds.length);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(connection, statement, 1, arrays, extraParameters);
            return statement.executeUpdate();
        } finally {
            for (Array array : arrays) {
                array.free();
            }
        }
    }

    /**
     * Binds the columns from parameter {@code first} on, then {@code extraParameters}; the arrays
     * created go to {@code arrays} for the caller to free. Returns the next parameter's index.
     */
    int bind(
            Connection connection,
            PreparedStatement statement,
            int first,
            List<Array> arrays,
            @Nullable Object... extraParameters)
            throws SQLException {
        int parameter = first;
        for (int i = 0; i < kinds.length; i++) {
            Array array = connection.createArrayOf(kinds[i].pgType, columns[i].toArray());
            arrays.add(array);
            statement.setArray(parameter++, array);
        }
        for (Object value : extraParameters) {
            statement.setObject(parameter++, value);
        }
        return parameter;
    }

    private static @Nullable Object convert(Kind kind, @Nullable Object value) {
        if (value == null) {
            return null;
        }
        return switch (kind) {
            case TEXT -> value instanceof Instant instant ? instant.toString() : value.toString();
            case BIGINT -> {
                if (value instanceof Long || value instanceof Integer || value instanceof Short) {
                    yield ((Number) value).longValue();
                }
                throw new IllegalArgumentException("not a whole number: " + value);
            }
            case NUMERIC -> value instanceof BigDecimal ? value : new BigDecimal(Objects.toString(value));
            case BOOLEAN -> {
                if (value instanceof Boolean) {
                    yield value;
                }
                throw new IllegalArgumentException("not a boolean: " + value);
            }
        };
    }
}
