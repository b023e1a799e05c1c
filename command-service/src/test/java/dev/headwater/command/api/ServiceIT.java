package dev.headwater.command.api;

import dev.headwater.command.CommandServiceApplication;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.TestDatabase;
import dev.headwater.testsupport.TestDatabases;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service as it runs: a real HTTP port, a real database. Every subclass shares one
 * application context and one database (made once per test JVM), so tests use fresh ids and
 * compare counts before and after rather than expecting an empty log.
 */
@SpringBootTest(classes = CommandServiceApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ServiceIT {

    /** The configured bootstrap secret: platform-admin without a lookup. */
    static final String ADMIN = "hw_" + "A".repeat(43);

    static final TestDatabase database = SharedDatabase.INSTANCE;

    @LocalServerPort
    int port;

    Api api;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", database::jdbcUrl);
        registry.add("spring.datasource.username", () -> DbRole.APP.roleName());
        registry.add("spring.datasource.password", () -> DbRole.APP.testPassword());
        registry.add("headwater.auth.bootstrap-token", () -> ADMIN);
        // Revocations bite at once in tests.
        registry.add("headwater.auth.cache-ttl", () -> "0s");
        registry.add("spring.datasource.hikari.connection-timeout", () -> "5000");
    }

    @BeforeEach
    void client() {
        api = new Api(port);
    }

    static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Reads as the schema owner, to check what the service wrote. */
    static JdbcTemplate owner() {
        return new JdbcTemplate(database.dataSource(DbRole.OWNER));
    }

    static long eventCount() {
        Long count = owner().queryForObject("SELECT count(*) FROM event_log.events", Long.class);
        return count == null ? 0 : count;
    }

    /** One database for the whole test JVM, dropped when it exits. */
    static final class SharedDatabase {
        static final TestDatabase INSTANCE = create();

        private static TestDatabase create() {
            TestDatabase database = TestDatabases.create();
            Runtime.getRuntime().addShutdownHook(new Thread(database::close, "command-service-test-db-drop"));
            return database;
        }
    }
}
