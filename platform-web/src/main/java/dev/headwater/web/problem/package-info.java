@NullMarked
package dev.headwater.web.problem;

import org.jspecify.annotations.NullMarked;
