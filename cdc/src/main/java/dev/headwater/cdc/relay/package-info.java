@NullMarked
package dev.headwater.cdc.relay;

import org.jspecify.annotations.NullMarked;
