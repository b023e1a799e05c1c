package dev.headwater.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A running Postgres server reachable over TCP, with a superuser login.
 *
 * @param host host name or address
 * @param port TCP port
 * @param superuser a superuser's name
 * @param superuserPassword its password, or null where the server trusts local logins
 * @param origin where the server came from, for log lines and failure messages
 */
public record PostgresServer(
        String host, int port, String superuser, @Nullable String superuserPassword, String origin) {

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public DataSource dataSource(String database, String user, @Nullable String password) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(jdbcUrl(database));
        source.setUser(user);
        if (password != null) {
            source.setPassword(password);
        }
        return source;
    }

    public DataSource superuserDataSource(String database) {
        return dataSource(database, superuser, superuserPassword);
    }

    /** Opens a superuser connection to the maintenance database. */
    Connection connectAsSuperuser() throws SQLException {
        return superuserDataSource("postgres").getConnection();
    }
}
