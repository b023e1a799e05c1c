package dev.headwater.projector.tenant;

/** The values of {@code tenant_overview.status}. */
final class TenantStatus {
    static final String ACTIVE = "active";
    static final String SUSPENDED = "suspended";

    private TenantStatus() {}
}
