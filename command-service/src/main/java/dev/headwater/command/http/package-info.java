/**
 * What every command endpoint shares: reading the idempotency key, the precondition and the trace
 * headers, validating input with problems that name the field, running the command through the
 * executor and turning its outcome or refusal into the HTTP answer.
 */
@NullMarked
package dev.headwater.command.http;

import org.jspecify.annotations.NullMarked;
