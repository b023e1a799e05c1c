package dev.headwater.projector.runtime;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Statements of one transaction sent to Postgres together, as one round trip: the driver sends
 * every statement of a multi-statement string with one sync, and Postgres runs them in order, each
 * with its own snapshot, stopping at the first error. At a steady load a batch holds a few dozen
 * events, and the round trips of its bookkeeping statements, each waiting for a busy backend to be
 * scheduled, were most of its time.
 */
final class Pipeline {

    private interface Binder {
        int bind(Connection connection, PreparedStatement statement, int first, List<Array> arrays) throws SQLException;
    }

    private final List<String> statements = new ArrayList<>();
    private final List<Binder> binders = new ArrayList<>();

    /**
     * Adds {@code sql} with {@code rows}' columns as its first parameters and then {@code extra};
     * nothing when there are no rows. Returns the statement's index in {@link #execute}'s counts,
     * or -1 when it was not added.
     */
    int add(MultiRow rows, String sql, @Nullable Object... extra) {
        if (rows.isEmpty()) {
            return -1;
        }
        return add(
                sql, (connection, statement, first, arrays) -> rows.bind(connection, statement, first, arrays, extra));
    }

    /** Adds {@code sql} with these parameters; returns its index in {@link #execute}'s counts. */
    int add(String sql, @Nullable Object... parameters) {
        return add(sql, (connection, statement, first, arrays) -> {
            int parameter = first;
            for (Object value : parameters) {
                statement.setObject(parameter++, value);
            }
            return parameter;
        });
    }

    private int add(String sql, Binder binder) {
        if (sql.indexOf(';') >= 0) {
            throw new IllegalArgumentException("one statement at a time: " + sql);
        }
        statements.add(sql);
        binders.add(binder);
        return statements.size() - 1;
    }

    boolean isEmpty() {
        return statements.isEmpty();
    }

    /**
     * Runs every statement in one round trip; returns each one's update count, -1 for a statement
     * that returned rows (they are not read).
     */
    int[] execute(Connection connection) throws SQLException {
        int[] counts = new int[statements.size()];
        if (statements.isEmpty()) {
            return counts;
        }
        List<Array> arrays = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(String.join(";\n", statements))) {
            int parameter = 1;
            for (Binder binder : binders) {
                parameter = binder.bind(connection, statement, parameter, arrays);
            }
            boolean rows = statement.execute();
            for (int i = 0; i < counts.length; i++) {
                if (i > 0) {
                    rows = statement.getMoreResults();
                }
                if (rows) {
                    ResultSet result = statement.getResultSet();
                    if (result != null) {
                        result.close();
                    }
                    counts[i] = -1;
                } else {
                    counts[i] = statement.getUpdateCount();
                }
            }
            return counts;
        } finally {
            for (Array array : arrays) {
                array.free();
            }
        }
    }
}
