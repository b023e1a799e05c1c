package dev.headwater.web.auth;

import dev.headwater.web.problem.ApiProblem;

/**
 * The tenancy rules every endpoint applies. A token never learns whether another tenant's resource
 * exists: touching one is "not found". A reader that writes is "forbidden".
 */
public final class Access {

    private Access() {}

    public static void requireRead(ApiPrincipal principal, String tenantId) {
        if (!principal.mayRead(tenantId)) {
            throw ApiProblem.notFound("No such tenant or resource");
        }
    }

    public static void requireWrite(ApiPrincipal principal, String tenantId) {
        requireRead(principal, tenantId);
        if (!principal.mayWrite(tenantId)) {
            throw ApiProblem.forbidden("The token's role " + principal.role().wireName() + " may not change anything");
        }
    }

    /** Platform resources (nodes, tenants' creation) belong to platform admins. */
    public static void requirePlatformAdmin(ApiPrincipal principal) {
        if (!principal.isPlatformAdmin()) {
            throw ApiProblem.forbidden("Only a platform-admin token may do this");
        }
    }
}
