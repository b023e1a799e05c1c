/** Node utilisation: capacity, allocated, free and schedulable per node. */
@NullMarked
package dev.headwater.projector.node;

import org.jspecify.annotations.NullMarked;
