/**
 * Allocations: the scheduler places a workload for a tenant on a node, within the tenant's quota
 * and the node's capacity, and releases it. Both limits hold under concurrency because a placement
 * locks the tenant's row and then the chosen node's row of the write-side state, in that order.
 */
@NullMarked
package dev.headwater.command.allocation;

import org.jspecify.annotations.NullMarked;
