/**
 * The database schema of the platform and the tools that install and check it: the role bootstrap,
 * the Flyway migrations and the {@link dev.headwater.migrations.Migrator} release step.
 */
@NullMarked
package dev.headwater.migrations;

import org.jspecify.annotations.NullMarked;
