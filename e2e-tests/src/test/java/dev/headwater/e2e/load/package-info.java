/**
 * The load driver: concurrent HTTP clients that write control-plane commands and generic stream
 * appends through the command API, each with an idempotency key so that a lost answer can be asked
 * for again, and that check every consistency token against the query API where asked to.
 */
@NullMarked
package dev.headwater.e2e.load;

import org.jspecify.annotations.NullMarked;
