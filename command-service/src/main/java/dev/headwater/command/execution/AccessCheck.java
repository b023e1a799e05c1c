package dev.headwater.command.execution;

/**
 * The caller's right to touch a tenant's resources, asked by a command once it knows which tenant
 * a resource belongs to (a released allocation's owner is known only after loading it). Throws
 * when the caller may not.
 */
@FunctionalInterface
public interface AccessCheck {

    void requireWrite(String tenantId);

    /** For callers checked before the command ran, such as platform admins. */
    static AccessCheck granted() {
        return tenantId -> {};
    }
}
