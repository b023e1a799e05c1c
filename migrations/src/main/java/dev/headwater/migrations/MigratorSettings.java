package dev.headwater.migrations;

import dev.headwater.migrations.HeadwaterSchema.Role;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What the migrator needs, from {@code --name=value} arguments or else environment variables.
 * Every setting and its default is listed once, in {@link #USAGE}.
 */
record MigratorSettings(
        String databaseUrl,
        String user,
        @Nullable String password,
        @Nullable String adminUrl,
        String adminUser,
        @Nullable String adminPassword,
        Map<Role, String> rolePasswords,
        boolean allowNonLogicalWal) {

    static final String USAGE = """
            Usage: migrator <init|migrate|validate|info> [--name=value ...]

            Commands
              init      as a superuser: create the Headwater roles (passwords from the settings below)
                        and the database, owned by headwater_owner, if missing. Idempotent.
              migrate   as headwater_owner: apply pending migrations. Refuses unless wal_level=logical.
              validate  fail unless the database holds exactly the migrations of this build.
              info      print the migrations and their state.

            Settings (argument, environment variable, default)
              --url                  HEADWATER_DB_URL                 jdbc:postgresql://localhost:5432/headwater
              --user                 HEADWATER_DB_USER                headwater_owner
              --password             HEADWATER_DB_PASSWORD            (none)
              --admin-url            HEADWATER_DB_ADMIN_URL           the --url server's "postgres" database (init)
              --admin-user           HEADWATER_DB_ADMIN_USER          postgres (init)
              --admin-password       HEADWATER_DB_ADMIN_PASSWORD      (none) (init)
              --owner-password       HEADWATER_OWNER_PASSWORD         (unchanged) (init)
              --app-password         HEADWATER_APP_PASSWORD           (unchanged) (init)
              --cdc-password         HEADWATER_CDC_PASSWORD           (unchanged) (init)
              --projector-password   HEADWATER_PROJECTOR_PASSWORD     (unchanged) (init)
              --allow-non-logical-wal HEADWATER_ALLOW_NON_LOGICAL_WAL false
            """;

    static MigratorSettings from(Map<String, String> arguments, Map<String, String> environment) {
        Lookup lookup = new Lookup(arguments, environment);
        Map<Role, String> rolePasswords = new EnumMap<>(Role.class);
        putIfPresent(rolePasswords, Role.OWNER, lookup.get("owner-password", "HEADWATER_OWNER_PASSWORD"));
        putIfPresent(rolePasswords, Role.APP, lookup.get("app-password", "HEADWATER_APP_PASSWORD"));
        putIfPresent(rolePasswords, Role.CDC, lookup.get("cdc-password", "HEADWATER_CDC_PASSWORD"));
        putIfPresent(rolePasswords, Role.PROJECTOR, lookup.get("projector-password", "HEADWATER_PROJECTOR_PASSWORD"));
        String allow = lookup.get("allow-non-logical-wal", "HEADWATER_ALLOW_NON_LOGICAL_WAL");
        return new MigratorSettings(
                orDefault(lookup.get("url", "HEADWATER_DB_URL"), "jdbc:postgresql://localhost:5432/headwater"),
                orDefault(lookup.get("user", "HEADWATER_DB_USER"), Role.OWNER.roleName()),
                lookup.get("password", "HEADWATER_DB_PASSWORD"),
                lookup.get("admin-url", "HEADWATER_DB_ADMIN_URL"),
                orDefault(lookup.get("admin-user", "HEADWATER_DB_ADMIN_USER"), "postgres"),
                lookup.get("admin-password", "HEADWATER_DB_ADMIN_PASSWORD"),
                Map.copyOf(rolePasswords),
                allow != null && (allow.isEmpty() || Boolean.parseBoolean(allow)));
    }

    PGSimpleDataSource database() {
        return dataSource(databaseUrl, user, password);
    }

    /** The superuser's connection: the admin URL, else the maintenance database of the same server. */
    PGSimpleDataSource admin() {
        String url = adminUrl;
        if (url == null) {
            PGSimpleDataSource target = database();
            url = "jdbc:postgresql://" + String.join(",", hostsAndPorts(target)) + "/postgres";
        }
        return dataSource(url, adminUser, adminPassword);
    }

    String databaseName() {
        return database().getDatabaseName();
    }

    private static String[] hostsAndPorts(PGSimpleDataSource source) {
        String[] hosts = source.getServerNames();
        int[] ports = source.getPortNumbers();
        String[] result = new String[hosts.length];
        for (int i = 0; i < hosts.length; i++) {
            int port = ports.length > i && ports[i] > 0 ? ports[i] : 5432;
            result[i] = hosts[i] + ":" + port;
        }
        return result;
    }

    private static PGSimpleDataSource dataSource(String url, String user, @Nullable String password) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(url);
        source.setUser(user);
        if (password != null) {
            source.setPassword(password);
        }
        source.setApplicationName("headwater-migrator");
        return source;
    }

    private static void putIfPresent(Map<Role, String> map, Role role, @Nullable String value) {
        if (value != null && !value.isEmpty()) {
            map.put(role, value);
        }
    }

    private static String orDefault(@Nullable String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }

    private record Lookup(Map<String, String> arguments, Map<String, String> environment) {
        @Nullable
        String get(String argument, String variable) {
            String value = arguments.get(argument);
            return value != null ? value : environment.get(variable);
        }
    }
}
