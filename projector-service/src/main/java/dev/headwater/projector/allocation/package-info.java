/** Allocations by tenant and by node, and billing usage (resource-seconds per tenant per hour). */
@NullMarked
package dev.headwater.projector.allocation;

import org.jspecify.annotations.NullMarked;
