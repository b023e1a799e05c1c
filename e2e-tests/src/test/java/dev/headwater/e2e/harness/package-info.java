/**
 * The platform under test: a throw-away Postgres that can be stopped and started, a real Kafka
 * broker in a child JVM that can be stopped and restarted with its data, and the three services
 * started from their executable jars as OS processes that a scenario may SIGKILL.
 */
@NullMarked
package dev.headwater.e2e.harness;

import org.jspecify.annotations.NullMarked;
