package dev.headwater.command.controlplane;

import java.util.Set;
import java.util.regex.Pattern;

/** The control plane's streams, as fixed by docs/control-plane-events.md. */
public final class ControlPlane {

    public static final String TENANT = "tenant";
    public static final String NODE = "node";
    public static final String ALLOCATION = "allocation";
    public static final String API_TOKEN = "api-token";

    /** Written only by the control-plane commands, never through the generic stream API. */
    public static final Set<String> AGGREGATE_TYPES = Set.of(TENANT, NODE, ALLOCATION, API_TOKEN);

    /** The tenant that nodes and platform-admin tokens belong to; no customer tenant may take it. */
    public static final String PLATFORM_TENANT = "platform";

    /** Tenant and node ids: 1–64 characters of {@code [a-z0-9-]}, starting with a letter or digit. */
    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    private ControlPlane() {}
}
