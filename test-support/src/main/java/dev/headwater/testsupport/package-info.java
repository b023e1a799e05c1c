/**
 * Real infrastructure for integration tests: {@link dev.headwater.testsupport.PostgresExtension}
 * gives each test class a fresh, migrated database, {@link dev.headwater.testsupport.KafkaExtension}
 * a real KRaft broker. Postgres comes from {@code HEADWATER_TEST_DB_URL}, else from the installed
 * binaries ({@link dev.headwater.testsupport.LocalPostgres}), else from Testcontainers.
 */
@NullMarked
package dev.headwater.testsupport;

import org.jspecify.annotations.NullMarked;
