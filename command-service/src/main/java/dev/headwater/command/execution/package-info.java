/**
 * How every command runs: one transaction that checks the idempotency key, runs the command (load,
 * check invariants, append, maintain write-side state), records the response under the key and
 * commits; a lost race is retried when the caller did not pin a version.
 */
@NullMarked
package dev.headwater.command.execution;

import org.jspecify.annotations.NullMarked;
