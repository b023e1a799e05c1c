package dev.headwater.command;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code headwater.command.*}: the command service's own settings (the database is
 * {@code spring.datasource.*}, the body limit {@code headwater.web.max-body-size}, auth
 * {@code headwater.auth.*}).
 *
 * @param migrateOnStart apply pending migrations at start instead of only validating; for the local
 *     stack, never for production, where the migrator is a release step
 * @param migrationUsername the role that migrates when {@code migrateOnStart} is on (the schema
 *     owner); unset means the datasource's own user
 * @param migrationPassword its password
 * @param maxAttempts how often a command whose caller did not pin a version runs when it keeps
 *     losing races, before it answers 409
 * @param maxEventsPerAppend the most events one append request may carry
 * @param defaultPageSize events per page when a read does not say
 * @param maxPageSize the most events one page of a read may hold
 */
@Validated
@ConfigurationProperties("headwater.command")
public record CommandProperties(
        @DefaultValue("false") boolean migrateOnStart,
        @Nullable String migrationUsername,
        @Nullable String migrationPassword,
        @Min(1) @Max(100) @DefaultValue("10") int maxAttempts,
        @Min(1) @Max(10_000) @DefaultValue("1000") int maxEventsPerAppend,
        @Min(1) @Max(10_000) @DefaultValue("100") int defaultPageSize,
        @Min(1) @Max(10_000) @DefaultValue("1000") int maxPageSize) {

    public CommandProperties {
        if (defaultPageSize > maxPageSize) {
            throw new IllegalArgumentException("headwater.command.default-page-size (" + defaultPageSize
                    + ") must not exceed headwater.command.max-page-size (" + maxPageSize + ")");
        }
    }

    @Override
    public String toString() {
        return "CommandProperties[migrateOnStart=" + migrateOnStart + ", migrationUsername=" + migrationUsername
                + ", migrationPassword=" + (migrationPassword == null ? "unset" : "set") + ", maxAttempts="
                + maxAttempts + ", maxEventsPerAppend=" + maxEventsPerAppend + ", defaultPageSize=" + defaultPageSize
                + ", maxPageSize=" + maxPageSize + "]";
    }
}
