/** The control-plane event catalogue (docs/control-plane-events.md) as the views read it. */
@NullMarked
package dev.headwater.projector.events;

import org.jspecify.annotations.NullMarked;
