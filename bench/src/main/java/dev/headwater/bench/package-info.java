/**
 * The benchmark drivers behind {@code bench/run}: each figure of docs/benchmarks.md measured beside
 * its physical baseline (pgbench, pg_recvlogical, Kafka Connect, a plain Kafka client, COPY) on the
 * same Postgres and Kafka, in interleaved rounds, reported as median and spread.
 */
@NullMarked
package dev.headwater.bench;

import org.jspecify.annotations.NullMarked;
