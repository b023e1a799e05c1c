/**
 * The command service: REST commands checked against their invariants, appended to the event log
 * with an expected version, one transaction each. Features: {@code eventstore}, {@code execution}
 * (the command transaction), {@code idempotency}, {@code tenant}, {@code node}, {@code allocation},
 * {@code token}, {@code stream} (the generic API).
 */
@NullMarked
package dev.headwater.command;

import org.jspecify.annotations.NullMarked;
