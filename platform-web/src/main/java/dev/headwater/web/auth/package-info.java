@NullMarked
package dev.headwater.web.auth;

import org.jspecify.annotations.NullMarked;
