@NullMarked
package dev.headwater.cdc.offset;

import org.jspecify.annotations.NullMarked;
