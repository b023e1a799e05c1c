package dev.headwater.projector.token;

import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.auth.ApiRole;
import dev.headwater.web.auth.TokenDirectory;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Authenticates the query API from the {@code api-tokens} view. A token issued a moment ago works
 * here once the projector has applied its event; a revocation bites once applied (plus the
 * platform's cache TTL).
 */
@Component
class ApiTokenDirectory implements TokenDirectory {

    static final String FIND = """
            SELECT token_id, tenant_id, role FROM projection.api_tokens WHERE token_hash = ? AND NOT revoked
            """;

    private final JdbcClient jdbc;

    ApiTokenDirectory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<ApiPrincipal> findByHash(String sha256Hex) {
        List<Optional<ApiPrincipal>> found = jdbc.sql(FIND)
                .param(sha256Hex)
                .query((rows, n) -> {
                    String tokenId = rows.getString(1);
                    String tenantId = rows.getString(2);
                    return ApiRole.fromWireName(rows.getString(3))
                            .map(role ->
                                    new ApiPrincipal(tokenId, role == ApiRole.PLATFORM_ADMIN ? null : tenantId, role));
                })
                .list();
        return found.isEmpty() ? Optional.empty() : found.get(0);
    }
}
