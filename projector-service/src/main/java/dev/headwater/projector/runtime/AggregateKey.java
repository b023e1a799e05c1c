package dev.headwater.projector.runtime;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;

/** One event stream: aggregate type and id. */
record AggregateKey(String type, String id) {

    @Override
    public String toString() {
        return type + "/" + id;
    }

    /** Keys as two parallel text arrays, for {@code unnest(?::text[], ?::text[])}; freed on close. */
    record Arrays(Array types, Array ids) implements AutoCloseable {

        static Arrays of(Connection connection, Collection<AggregateKey> keys) throws SQLException {
            String[] types = new String[keys.size()];
            String[] ids = new String[keys.size()];
            int i = 0;
            for (AggregateKey key : keys) {
                types[i] = key.type();
                ids[i++] = key.id();
            }
            return new Arrays(connection.createArrayOf("text", types), connection.createArrayOf("text", ids));
        }

        @Override
        public void close() throws SQLException {
            types.free();
            ids.free();
        }
    }
}
