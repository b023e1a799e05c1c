/**
 * What the control-plane features share: the aggregate types and id rules of
 * docs/control-plane-events.md, and resource quantities.
 */
@NullMarked
package dev.headwater.command.controlplane;

import org.jspecify.annotations.NullMarked;
