package dev.headwater.web.auth;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The caller of a request, as its bearer token says.
 *
 * @param tokenId the token's id (never its secret); {@value #BOOTSTRAP_TOKEN_ID} for the configured
 *     bootstrap token
 * @param tenantId the one tenant the token may act for, or null for a platform admin (all tenants)
 * @param role what it may do there
 */
public record ApiPrincipal(String tokenId, @Nullable String tenantId, ApiRole role) {

    public static final String BOOTSTRAP_TOKEN_ID = "bootstrap";

    public ApiPrincipal {
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(role, "role");
        if ((role == ApiRole.PLATFORM_ADMIN) != (tenantId == null)) {
            throw new IllegalArgumentException(
                    "a platform admin has no tenant and every other role has one; got " + role + " for " + tenantId);
        }
    }

    /** How events record this caller in their metadata ({@code actor}). */
    public String actor() {
        return "token:" + tokenId;
    }

    public boolean isPlatformAdmin() {
        return role == ApiRole.PLATFORM_ADMIN;
    }

    public boolean mayRead(String tenant) {
        return isPlatformAdmin() || tenant.equals(tenantId);
    }

    public boolean mayWrite(String tenant) {
        return mayRead(tenant) && role != ApiRole.TENANT_READER;
    }
}
