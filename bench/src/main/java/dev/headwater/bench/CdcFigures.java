package dev.headwater.bench;

import dev.headwater.local.ChildProcess;
import dev.headwater.local.ServiceProcess;
import dev.headwater.migrations.HeadwaterSchema.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CDC relay draining a backlog of the log to Kafka. Every reader gets a replication slot of its
 * own, created before the backlog is written, so each round decodes the very same WAL: the
 * baseline {@code pg_recvlogical} (pgoutput, the same publication, output discarded), our relay,
 * and, for the peer figure, Kafka Connect standalone with the Debezium connector and its outbox
 * event router.
 */
final class CdcFigures {

    private CdcFigures() {}

    /** CDC drain of a 1M-event backlog to Kafka, acknowledged; target at least a quarter of pg_recvlogical. */
    static void drain(BenchStack stack, Options options) {
        run(stack, options, false);
    }

    /** Our relay against Kafka Connect on the same backlog; target ours at least 1.5 times the peer. */
    static void peer(BenchStack stack, Options options) {
        run(stack, options, true);
    }

    private static void run(BenchStack stack, Options options, boolean peer) {
        int rounds = options.rounds(peer ? 2 : 3);
        long events = options.integer("events", 1_000_000);
        stack.startPostgres();
        Report.note("# %s", Machine.describe(stack.postgresVersion()));
        String bootstrap = stack.startKafka();
        Report.heading((peer ? "cdc-peer" : "cdc-drain") + ": a backlog of " + events + " events drained to Kafka; "
                + rounds + " rounds, each reader on its own slot over the same WAL");
        prepareRelaySlots(stack, rounds);
        for (int round = 1; round <= rounds; round++) {
            stack.execute(
                    BenchStack.DATABASE,
                    "SELECT pg_create_logical_replication_slot('" + (peer ? "connect_" : "recv_") + round
                            + "', 'pgoutput')");
        }
        long total = Backlog.fill(stack, events);
        String endLsn = java.util.Objects.requireNonNull(
                stack.queryText(BenchStack.DATABASE, "SELECT pg_current_wal_lsn()::text"), "pg_current_wal_lsn()");
        Samples baseline = new Samples();
        Samples ours = new Samples();
        Samples oursCpu = new Samples();
        Samples peerCpu = new Samples();
        Samples oursPostgres = new Samples();
        Samples oursBroker = new Samples();
        Samples baselinePostgres = new Samples();
        Samples peerBroker = new Samples();
        try (Topics topics = new Topics(bootstrap)) {
            for (int round = 1; round <= rounds; round++) {
                if (peer) {
                    Topics.Drain connect = KafkaConnect.drain(stack, topics, round, total);
                    baseline.add(connect.recordsPerSecond(), Machine.load());
                    peerCpu.add(connect.cpuMicrosPerRecord(), Machine.load());
                    baselinePostgres.add(connect.postgresMicrosPerRecord(), Machine.load());
                    peerBroker.add(connect.brokerMicrosPerRecord(), Machine.load());
                    Report.round(
                            "Kafka Connect + Debezium",
                            round,
                            connect.recordsPerSecond(),
                            "events/s",
                            connect.cpuDetail("Connect"));
                } else {
                    Topics.Drain decoded = recvlogical(stack, round, endLsn, total);
                    baseline.add(decoded.recordsPerSecond(), Machine.load());
                    baselinePostgres.add(decoded.postgresMicrosPerRecord(), Machine.load());
                    Report.round(
                            "pg_recvlogical (pgoutput)",
                            round,
                            decoded.recordsPerSecond(),
                            "events/s",
                            String.format(
                                    java.util.Locale.ROOT,
                                    "CPU per event: Postgres %.0f µs",
                                    decoded.postgresMicrosPerRecord()));
                }
                Topics.Drain relay = relay(stack, topics, round, total);
                ours.add(relay.recordsPerSecond(), Machine.load());
                oursCpu.add(relay.cpuMicrosPerRecord(), Machine.load());
                oursPostgres.add(relay.postgresMicrosPerRecord(), Machine.load());
                oursBroker.add(relay.brokerMicrosPerRecord(), Machine.load());
                Report.round(
                        "headwater cdc relay", round, relay.recordsPerSecond(), "events/s", relay.cpuDetail("relay"));
            }
        }
        Report.heading((peer ? "cdc-peer" : "cdc-drain") + " result");
        Report.summary("figure: relay drain, acknowledged", ours, "events/s");
        Report.summary("  relay CPU per event", oursCpu, "µs");
        Report.summary("  Postgres CPU per event", oursPostgres, "µs");
        Report.summary("  Kafka broker CPU per event", oursBroker, "µs");
        if (peer) {
            Report.summary("peer: Kafka Connect + Debezium outbox", baseline, "events/s");
            Report.summary("  Kafka Connect CPU per event", peerCpu, "µs");
            Report.summary("  Postgres CPU per event", baselinePostgres, "µs");
            Report.summary("  Kafka broker CPU per event", peerBroker, "µs");
            Report.ratio("ours / peer", ours.median(), baseline.median(), 1.5);
        } else {
            Report.summary("baseline: pg_recvlogical decode", baseline, "events/s");
            Report.summary("  Postgres CPU per event", baselinePostgres, "µs");
            Report.ratio("ratio to baseline", ours.median(), baseline.median(), 0.25);
        }
    }

    /**
     * Starts one relay per round on its own slot and topic prefix, against the empty log, so each
     * creates its slot and stores an offset; stops them. Restarted later, each streams the backlog
     * from its slot, as a relay does after an outage.
     */
    private static void prepareRelaySlots(BenchStack stack, int rounds) {
        List<ServiceProcess> relays = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            relays.add(stack.startCdc("cdc-" + round, relaySettings(round, "1s")));
        }
        for (int round = 1; round <= rounds; round++) {
            String slot = slot(round);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (stack.queryLong(BenchStack.DATABASE, "SELECT count(*) FROM cdc.offsets WHERE store = '" + slot + "'")
                    == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The relay on slot " + slot + " stored no offset within 2 minutes");
                }
                Pause.millis(200);
            }
        }
        relays.forEach(relay -> relay.process().stop(Duration.ofSeconds(30)));
    }

    private static Topics.Drain relay(BenchStack stack, Topics topics, int round, long total) {
        ServiceProcess relay = stack.launchCdc("cdc-" + round, relaySettings(round, "10s"));
        try {
            return topics.awaitRecords(
                    prefix(round) + ".",
                    total,
                    relay.process()::isAlive,
                    Topics.Cpu.of(stack, relay.process().pid()),
                    "The relay");
        } finally {
            relay.process().stop(Duration.ofSeconds(30));
        }
    }

    private static Map<String, String> relaySettings(int round, String heartbeat) {
        return Map.of(
                "headwater.cdc.slot-name", slot(round),
                "headwater.cdc.topics.prefix", prefix(round),
                "headwater.cdc.engine.heartbeat-interval", heartbeat);
    }

    private static String slot(int round) {
        return "bench_" + round;
    }

    private static String prefix(int round) {
        return "r" + round;
    }

    /**
     * Decodes the backlog through pgoutput up to {@code endLsn}, discarding it: events per second,
     * and Postgres's CPU per event over the whole run (mostly the walsender's decoding).
     */
    private static Topics.Drain recvlogical(BenchStack stack, int round, String endLsn, long total) {
        long postmaster = stack.postmasterPid();
        double postgresBefore = Machine.treeCpuSeconds(postmaster);
        long started = System.nanoTime();
        String output = stack.runTool(
                "pg_recvlogical",
                List.of(
                        stack.postgresTool("pg_recvlogical"),
                        "-d",
                        stack.libpq(BenchStack.DATABASE, Role.CDC),
                        "--slot=recv_" + round,
                        "--start",
                        "-o",
                        "proto_version=1",
                        "-o",
                        "publication_names=headwater_events",
                        "-E",
                        endLsn,
                        "--no-loop",
                        "-f",
                        "/dev/null"),
                Duration.ofMinutes(10));
        double seconds = (System.nanoTime() - started) / 1e9;
        // The walsender outlives pg_recvlogical for a moment; its CPU time reaches the postmaster's
        // children fields only once it exited and was reaped. Read after its slot is released.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stack.queryLong(
                                BenchStack.DATABASE,
                                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'recv_" + round
                                        + "' AND active")
                        > 0
                && System.nanoTime() < deadline) {
            Pause.millis(100);
        }
        Pause.millis(500);
        double postgresMicros = (Machine.treeCpuSeconds(postmaster) - postgresBefore) * 1e6 / total;
        long confirmed = stack.queryLong(
                BenchStack.DATABASE,
                "SELECT (confirmed_flush_lsn >= '" + endLsn + "'::pg_lsn)::int FROM pg_replication_slots"
                        + " WHERE slot_name = 'recv_" + round + "'");
        if (confirmed != 1) {
            throw new IllegalStateException("pg_recvlogical did not reach " + endLsn + ":\n" + output);
        }
        return new Topics.Drain(total / seconds, Double.NaN, postgresMicros, Double.NaN);
    }

    static List<String> java(String mainClass, String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                ChildProcess.javaExecutable(), "-Xmx512m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(arguments));
        return command;
    }
}
