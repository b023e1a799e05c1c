package dev.headwater.projector.events;

/** Aggregate and event type names of docs/control-plane-events.md. */
public final class ControlPlaneEvents {

    public static final String TENANT = "tenant";
    public static final String NODE = "node";
    public static final String ALLOCATION = "allocation";
    public static final String API_TOKEN = "api-token";

    public static final String TENANT_CREATED = "TenantCreated";
    public static final String TENANT_QUOTA_SET = "TenantQuotaSet";
    public static final String TENANT_SUSPENDED = "TenantSuspended";
    public static final String TENANT_REACTIVATED = "TenantReactivated";
    public static final String NODE_REGISTERED = "NodeRegistered";
    public static final String NODE_CORDONED = "NodeCordoned";
    public static final String NODE_REMOVED = "NodeRemoved";
    public static final String ALLOCATION_PLACED = "AllocationPlaced";
    public static final String ALLOCATION_RELEASED = "AllocationReleased";
    public static final String API_TOKEN_ISSUED = "ApiTokenIssued";
    public static final String API_TOKEN_REVOKED = "ApiTokenRevoked";

    /** The tenant id of platform-owned events (nodes, platform-admin tokens). */
    public static final String PLATFORM_TENANT = "platform";

    private ControlPlaneEvents() {}
}
