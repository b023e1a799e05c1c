package dev.headwater.command.token;

import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.auth.ApiRole;
import dev.headwater.web.auth.TokenDirectory;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/** Finds live tokens in the write-side token table, which the issuing transaction fills. */
final class JdbcTokenDirectory implements TokenDirectory {

    static final String FIND = """
            SELECT token_id, tenant_id, role FROM command.api_tokens WHERE token_hash = ? AND NOT revoked
            """;

    private final JdbcTemplate jdbc;

    JdbcTokenDirectory(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<ApiPrincipal> findByHash(String sha256Hex) {
        return jdbc
                .query(
                        FIND,
                        (rows, index) -> {
                            String roleName = rows.getString("role");
                            ApiRole role = ApiRole.fromWireName(roleName)
                                    .orElseThrow(
                                            () -> new IllegalStateException("token with unknown role " + roleName));
                            String tenant = rows.getString("tenant_id");
                            return new ApiPrincipal(
                                    rows.getString("token_id"),
                                    role == ApiRole.PLATFORM_ADMIN || ControlPlane.PLATFORM_TENANT.equals(tenant)
                                            ? null
                                            : tenant,
                                    role);
                        },
                        sha256Hex)
                .stream()
                .findFirst();
    }
}
