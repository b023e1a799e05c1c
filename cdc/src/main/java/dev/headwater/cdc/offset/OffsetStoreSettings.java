package dev.headwater.cdc.offset;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link PostgresOffsetStore} needs, passed through the Debezium engine configuration under
 * {@value #PREFIX} because Debezium creates the store itself.
 *
 * @param url JDBC URL of the Headwater database
 * @param user login (the relay's role)
 * @param password its password
 * @param store the slot name, which keys the rows in {@code cdc.offsets}
 * @param leaderPid backend pid of the session that holds the leader lock
 * @param lockNamespace first key of the leader lock; the second is {@code hashtext(store)}
 */
public record OffsetStoreSettings(
        String url, String user, String password, String store, int leaderPid, int lockNamespace) {

    public static final String PREFIX = "offset.storage.headwater.";

    public OffsetStoreSettings {
        if (url.isBlank() || user.isBlank() || store.isBlank()) {
            throw new IllegalArgumentException("url, user and store of the offset store are required");
        }
        if (leaderPid <= 0) {
            throw new IllegalArgumentException("the leader's backend pid must be positive, was " + leaderPid);
        }
    }

    /** The engine properties that carry these settings. */
    public Map<String, String> asEngineProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(PREFIX + "url", url);
        properties.put(PREFIX + "user", user);
        properties.put(PREFIX + "password", password);
        properties.put(PREFIX + "store", store);
        properties.put(PREFIX + "leader-pid", Integer.toString(leaderPid));
        properties.put(PREFIX + "lock-namespace", Integer.toString(lockNamespace));
        return properties;
    }

    static OffsetStoreSettings from(Map<String, String> engineProperties) {
        return new OffsetStoreSettings(
                required(engineProperties, "url"),
                required(engineProperties, "user"),
                engineProperties.getOrDefault(PREFIX + "password", ""),
                required(engineProperties, "store"),
                Integer.parseInt(required(engineProperties, "leader-pid")),
                Integer.parseInt(required(engineProperties, "lock-namespace")));
    }

    private static String required(Map<String, String> properties, String name) {
        String value = properties.get(PREFIX + name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("The engine configuration lacks " + PREFIX + name);
        }
        return value;
    }

    @Override
    public String toString() {
        return "OffsetStoreSettings[url=" + url + ", user=" + user + ", store=" + store + ", leaderPid=" + leaderPid
                + "]";
    }
}
