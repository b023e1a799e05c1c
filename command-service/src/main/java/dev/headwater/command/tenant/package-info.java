/** Tenants: create, set quota, suspend, reactivate. */
@NullMarked
package dev.headwater.command.tenant;

import org.jspecify.annotations.NullMarked;
