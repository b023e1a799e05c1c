/** What the query endpoints share: read-your-writes waits, keyset cursors, query parameters. */
@NullMarked
package dev.headwater.projector.web;

import org.jspecify.annotations.NullMarked;
