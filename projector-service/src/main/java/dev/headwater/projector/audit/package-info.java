/** The audit trail: every event with actor, command id and time. */
@NullMarked
package dev.headwater.projector.audit;

import org.jspecify.annotations.NullMarked;
