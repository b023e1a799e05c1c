/**
 * API tokens: issue (the secret is shown once), revoke, the directory the bearer-token filter asks,
 * and the bootstrap token generated on first start when none is configured.
 */
@NullMarked
package dev.headwater.command.token;

import org.jspecify.annotations.NullMarked;
