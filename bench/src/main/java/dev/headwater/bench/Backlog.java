package dev.headwater.bench;

import java.util.Locale;

/**
 * Fills the log with a valid control-plane history straight in SQL (one server-side loop, small
 * transactions), much faster than through the command service: 50 tenants and 40 nodes, then
 * allocations placed and, one transaction later, released. Every projection has work to do, and
 * versions follow each other as the log's trigger demands.
 */
final class Backlog {

    /** Events per transaction: small, as commands write them, so decoding pays per-transaction costs. */
    static final int EVENTS_PER_TRANSACTION = 10;

    private static final String FILL = """
            DO $fill$
            DECLARE
              total  bigint := %d;
              half   int    := %d;
              done   bigint := 90;
              nxt    bigint := 1;
            BEGIN
              INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                            event_type, schema_version, payload, metadata)
              SELECT gen_random_uuid(), 'tenant-' || t, 'tenant', 'tenant-' || t, 1, 'TenantCreated', 1,
                     jsonb_build_object('name', 'Tenant ' || t,
                         'quota', jsonb_build_object('cpuMillis', 640000, 'memoryMib', 2621440, 'gpus', 80)),
                     jsonb_build_object('actor', 'token:bench', 'commandId', gen_random_uuid())
                FROM generate_series(1, 50) AS t;
              INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                            event_type, schema_version, payload, metadata)
              SELECT gen_random_uuid(), 'platform', 'node', 'node-' || n, 1, 'NodeRegistered', 1,
                     jsonb_build_object(
                         'capacity', jsonb_build_object('cpuMillis', 1280000, 'memoryMib', 5242880, 'gpus', 40),
                         'labels', jsonb_build_object('zone', 'eu-1' || chr(97 + n %% 3))),
                     jsonb_build_object('actor', 'token:bench', 'commandId', gen_random_uuid())
                FROM generate_series(1, 40) AS n;
              COMMIT;
              WHILE done < total LOOP
                -- Release what the previous transaction placed, then place as many new ones.
                IF nxt > 1 THEN
                  INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                                event_type, schema_version, payload, metadata)
                  SELECT gen_random_uuid(), 'tenant-' || (a %% 50 + 1), 'allocation',
                         '00000000-0000-4000-8000-' || lpad(to_hex(a), 12, '0'), 2, 'AllocationReleased', 1,
                         jsonb_build_object('tenantId', 'tenant-' || (a %% 50 + 1), 'nodeId', 'node-' || (a %% 40 + 1),
                             'resources', jsonb_build_object('cpuMillis', 100 * (a %% 20 + 1),
                                 'memoryMib', 256 * (a %% 16 + 1), 'gpus', (a %% 10 = 0)::int)),
                         jsonb_build_object('actor', 'token:bench', 'commandId', gen_random_uuid())
                    FROM generate_series(nxt - half, nxt - 1) AS a;
                  done := done + half;
                END IF;
                INSERT INTO event_log.events (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version,
                                              event_type, schema_version, payload, metadata)
                SELECT gen_random_uuid(), 'tenant-' || (a %% 50 + 1), 'allocation',
                       '00000000-0000-4000-8000-' || lpad(to_hex(a), 12, '0'), 1, 'AllocationPlaced', 1,
                       jsonb_build_object('tenantId', 'tenant-' || (a %% 50 + 1), 'nodeId', 'node-' || (a %% 40 + 1),
                           'workload', 'workload-' || (a %% 50),
                           'resources', jsonb_build_object('cpuMillis', 100 * (a %% 20 + 1),
                               'memoryMib', 256 * (a %% 16 + 1), 'gpus', (a %% 10 = 0)::int)),
                       jsonb_build_object('actor', 'token:bench', 'commandId', gen_random_uuid())
                  FROM generate_series(nxt, nxt + half - 1) AS a;
                nxt := nxt + half;
                done := done + half;
                COMMIT;
              END LOOP;
            END
            $fill$;
            """;

    private Backlog() {}

    /**
     * Appends about {@code events} events (at least 90) to the log of the main database; returns
     * how many the log then holds.
     */
    static long fill(BenchStack stack, long events) {
        long started = System.nanoTime();
        stack.execute(BenchStack.DATABASE, String.format(Locale.ROOT, FILL, events, EVENTS_PER_TRANSACTION / 2));
        long count = stack.queryLong(BenchStack.DATABASE, "SELECT count(*) FROM event_log.events");
        Report.note(
                "  backlog: %,d events in the log (%d per transaction), written in %.0f s",
                count, EVENTS_PER_TRANSACTION, (System.nanoTime() - started) / 1e9);
        return count;
    }
}
