/**
 * A generic, checkpointed projection runtime: Kafka records of the Headwater topic contract in,
 * Postgres views out, with exactly-once effects. Knows nothing about any particular view: a team
 * writes a {@link dev.headwater.projector.runtime.Projection} bean and the runtime does the rest
 * (consumer group, checkpoints, dedupe by aggregate version, poison handling, rebuilds from the
 * log, read-your-writes waits, metrics and the admin API).
 */
@NullMarked
package dev.headwater.projector.runtime;

import org.jspecify.annotations.NullMarked;
