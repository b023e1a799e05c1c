/** The API token view, which authenticates the query API. */
@NullMarked
package dev.headwater.projector.token;

import org.jspecify.annotations.NullMarked;
