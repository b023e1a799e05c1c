/** The tenant overview: status, quota, usage and allocation count per tenant. */
@NullMarked
package dev.headwater.projector.tenant;

import org.jspecify.annotations.NullMarked;
