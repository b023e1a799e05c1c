package dev.headwater.web.auth;

import java.util.Optional;

/**
 * Where a service looks tokens up. The command service reads its write-side token table, the
 * projector its token view. Implementations return nothing for unknown and for revoked tokens.
 */
@FunctionalInterface
public interface TokenDirectory {

    /**
     * @param sha256Hex the SHA-256 of the presented secret, lower-case hex ({@link ApiTokens#hash})
     */
    Optional<ApiPrincipal> findByHash(String sha256Hex);
}
