@NullMarked
package dev.headwater.cdc.config;

import org.jspecify.annotations.NullMarked;
