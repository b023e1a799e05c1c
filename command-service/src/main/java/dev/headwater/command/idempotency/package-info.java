/**
 * Idempotency keys: per caller scope, the hash of the request and the response sent, stored in the
 * same transaction as the command's append, and deleted after the retention by a cleanup job.
 */
@NullMarked
package dev.headwater.command.idempotency;

import org.jspecify.annotations.NullMarked;
