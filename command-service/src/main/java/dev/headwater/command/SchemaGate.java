package dev.headwater.command;

import com.zaxxer.hikari.HikariDataSource;
import dev.headwater.migrations.HeadwaterSchema;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.DataSourceUnwrapper;

/**
 * Refuses to start against a schema this build does not know (Flyway validate); with
 * {@code headwater.command.migrate-on-start} it migrates first, for the local stack.
 */
final class SchemaGate {

    private static final Logger log = LoggerFactory.getLogger(SchemaGate.class);

    SchemaGate(DataSource dataSource, CommandProperties properties) {
        if (properties.migrateOnStart()) {
            DataSource migrator = migrationDataSource(dataSource, properties);
            var result = HeadwaterSchema.migrate(migrator);
            log.info("Migrated the schema on start: {} migrations applied", result.migrationsExecuted);
        }
        HeadwaterSchema.requireCurrent(dataSource);
        log.info("The database schema matches this build");
    }

    private static DataSource migrationDataSource(DataSource dataSource, CommandProperties properties) {
        if (properties.migrationUsername() == null) {
            return dataSource;
        }
        HikariDataSource hikari = DataSourceUnwrapper.unwrap(dataSource, HikariDataSource.class);
        if (hikari == null) {
            throw new IllegalStateException(
                    "headwater.command.migration-username needs a Hikari datasource to take the URL from");
        }
        PGSimpleDataSource owner = new PGSimpleDataSource();
        owner.setUrl(hikari.getJdbcUrl());
        owner.setUser(properties.migrationUsername());
        if (properties.migrationPassword() != null) {
            owner.setPassword(properties.migrationPassword());
        }
        return owner;
    }
}
