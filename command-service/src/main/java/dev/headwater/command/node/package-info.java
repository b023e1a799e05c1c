/** Nodes: register with capacity and labels, cordon, remove. Nodes belong to the platform. */
@NullMarked
package dev.headwater.command.node;

import org.jspecify.annotations.NullMarked;
