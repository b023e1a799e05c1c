@NullMarked
package dev.headwater.cdc.slot;

import org.jspecify.annotations.NullMarked;
