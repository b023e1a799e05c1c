package dev.headwater.testsupport;

import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a fresh database holding the current schema. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension postgres = new PostgresExtension();
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {

    private @Nullable TestDatabase database;

    @Override
    public void beforeAll(ExtensionContext context) {
        database = TestDatabases.create();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (database != null) {
            database.close();
            database = null;
        }
    }

    public TestDatabase database() {
        if (database == null) {
            throw new IllegalStateException(
                    "No database yet: register PostgresExtension on a static field with @RegisterExtension");
        }
        return database;
    }

    public String jdbcUrl() {
        return database().jdbcUrl();
    }

    public DataSource dataSource(DbRole role) {
        return database().dataSource(role);
    }
}
