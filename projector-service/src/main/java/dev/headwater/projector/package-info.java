/**
 * The projector service: the projection runtime ({@code runtime}) running the control-plane
 * views ({@code tenant}, {@code node}, {@code allocation}, {@code audit}, {@code token}) and their
 * query API.
 */
@NullMarked
package dev.headwater.projector;

import org.jspecify.annotations.NullMarked;
