@NullMarked
package dev.headwater.cdc.leader;

import org.jspecify.annotations.NullMarked;
