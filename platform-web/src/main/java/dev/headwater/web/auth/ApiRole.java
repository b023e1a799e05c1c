package dev.headwater.web.auth;

import java.util.Arrays;
import java.util.Optional;

/** What a token may do. The wire names appear in events, requests and responses. */
public enum ApiRole {
    /** Every tenant, and the platform's own resources (nodes). */
    PLATFORM_ADMIN("platform-admin"),
    /** Its own tenant: read and write. */
    TENANT_ADMIN("tenant-admin"),
    /** Its own tenant: read only. */
    TENANT_READER("tenant-reader");

    private final String wireName;

    ApiRole(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<ApiRole> fromWireName(String wireName) {
        return Arrays.stream(values())
                .filter(role -> role.wireName.equals(wireName))
                .findFirst();
    }
}
