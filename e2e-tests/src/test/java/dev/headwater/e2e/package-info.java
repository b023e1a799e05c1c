/** The end-to-end and fault scenarios (issue 7). */
@NullMarked
package dev.headwater.e2e;

import org.jspecify.annotations.NullMarked;
