package dev.headwater.testsupport;

/**
 * The platform's database roles as tests log in with them. Each gets a fixed test password,
 * set on the server when the template database is created.
 */
public enum DbRole {
    OWNER("headwater_owner"),
    APP("headwater_app"),
    CDC("headwater_cdc"),
    PROJECTOR("headwater_projector");

    private final String roleName;

    DbRole(String roleName) {
        this.roleName = roleName;
    }

    public String roleName() {
        return roleName;
    }

    /** The password tests use; never a production secret. */
    public String testPassword() {
        return "test-" + roleName;
    }
}
