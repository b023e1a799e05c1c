/**
 * The generic stream API for platform users who bring their own aggregates: append a batch to a
 * stream with an expected version, read a stream, and follow the catch-up feed of the whole log.
 */
@NullMarked
package dev.headwater.command.stream;

import org.jspecify.annotations.NullMarked;
