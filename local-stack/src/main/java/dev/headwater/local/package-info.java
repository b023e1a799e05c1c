/**
 * The whole platform on one machine without Docker: a local Postgres from the installed binaries,
 * a KRaft Kafka broker in a child JVM, the migrations, and the three services as separate
 * processes from their executable jars. {@link dev.headwater.local.ServiceProcess} and {@link
 * dev.headwater.local.KafkaBrokerProcess} are reused by the end-to-end suite.
 */
@NullMarked
package dev.headwater.local;

import org.jspecify.annotations.NullMarked;
