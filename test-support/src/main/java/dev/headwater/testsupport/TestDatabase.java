package dev.headwater.testsupport;

import javax.sql.DataSource;

/**
 * A database of its own for one test class, cloned from the migrated template, dropped on
 * {@link #close()} together with any replication slot made in it.
 */
public final class TestDatabase implements AutoCloseable {

    private final PostgresServer server;
    private final String name;

    TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public PostgresServer server() {
        return server;
    }

    /** JDBC URL without credentials; pair it with {@link #user(DbRole)} and {@link #password(DbRole)}. */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    public String user(DbRole role) {
        return role.roleName();
    }

    public String password(DbRole role) {
        return role.testPassword();
    }

    /** A non-pooling data source that logs in as the given platform role. */
    public DataSource dataSource(DbRole role) {
        return server.dataSource(name, role.roleName(), role.testPassword());
    }

    /** A non-pooling data source that logs in as the server's superuser. */
    public DataSource superuserDataSource() {
        return server.superuserDataSource(name);
    }

    @Override
    public void close() {
        TestDatabases.drop(server, name);
    }

    @Override
    public String toString() {
        return name + " on " + server.origin();
    }
}
