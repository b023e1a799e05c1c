package dev.headwater.projector.runtime;

import java.sql.Connection;

/**
 * The transaction one batch is applied in. The connection's {@code search_path} resolves the
 * projection's unqualified table names to the live or the shadow tables; the runtime commits.
 */
public final class ProjectionTransaction {

    /** Where the tables of the transaction live. */
    public enum Target {
        /** The tables queries read: schema {@code projection}. */
        LIVE("projection"),
        /** The tables a rebuild fills: schema {@code projection_shadow}. */
        SHADOW("projection_shadow");

        private final String schema;

        Target(String schema) {
            this.schema = schema;
        }

        public String schema() {
            return schema;
        }
    }

    private final Connection connection;
    private final Target target;

    ProjectionTransaction(Connection connection, Target target) {
        this.connection = connection;
        this.target = target;
    }

    /** The transaction-bound connection; do not commit, roll back or close it. */
    public Connection connection() {
        return connection;
    }

    public Target target() {
        return target;
    }
}
