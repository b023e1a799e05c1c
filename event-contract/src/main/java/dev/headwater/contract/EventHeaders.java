package dev.headwater.contract;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kafka record headers that repeat the routing essentials of each event, so a consumer can filter
 * or route without parsing the value. Values are UTF-8 text; numbers are decimal.
 */
public final class EventHeaders {

    /** Marks the value as a structured-mode CloudEvent (the CloudEvents Kafka binding). */
    public static final String CONTENT_TYPE = "content-type";

    public static final String CONTENT_TYPE_VALUE = "application/cloudevents+json; charset=UTF-8";
    public static final String EVENT_ID = "hw-event-id";
    public static final String EVENT_TYPE = "hw-event-type";
    public static final String TENANT_ID = "hw-tenant-id";
    public static final String AGGREGATE_TYPE = "hw-aggregate-type";
    public static final String AGGREGATE_VERSION = "hw-aggregate-version";
    public static final String GLOBAL_POSITION = "hw-global-position";
    /** The commit LSN as Postgres prints it, for example {@code 0/16B3748}. */
    public static final String COMMIT_LSN = "hw-commit-lsn";

    private EventHeaders() {}

    /**
     * The headers of the record that carries {@code event}, in a stable order, as UTF-8 bytes:
     * {@link #CONTENT_TYPE} and every {@code hw-} header; {@link #COMMIT_LSN} only where the
     * commit LSN is known.
     */
    public static Map<String, byte[]> of(EventAttributes event) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        put(headers, CONTENT_TYPE, CONTENT_TYPE_VALUE);
        put(headers, EVENT_ID, event.eventId().toString());
        put(headers, EVENT_TYPE, event.eventType());
        put(headers, TENANT_ID, event.tenantId());
        put(headers, AGGREGATE_TYPE, event.aggregateType());
        put(headers, AGGREGATE_VERSION, Long.toString(event.aggregateVersion()));
        put(headers, GLOBAL_POSITION, Long.toString(event.globalPosition()));
        Long commitLsn = event.commitLsn();
        if (commitLsn != null) {
            put(headers, COMMIT_LSN, formatLsn(commitLsn));
        }
        return Collections.unmodifiableMap(headers);
    }

    private static void put(Map<String, byte[]> headers, String name, String value) {
        headers.put(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Postgres' text form of an LSN: high and low 32 bits in hex, separated by a slash. */
    public static String formatLsn(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/"
                + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    public static long parseLsn(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new ContractViolation(COMMIT_LSN, "'" + text + "' is not an LSN");
        }
        try {
            return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
        } catch (NumberFormatException e) {
            throw new ContractViolation(COMMIT_LSN, "'" + text + "' is not an LSN");
        }
    }
}
