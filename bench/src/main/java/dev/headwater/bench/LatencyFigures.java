package dev.headwater.bench;

import dev.headwater.contract.EventHeaders;
import dev.headwater.local.ChildProcess;
import dev.headwater.local.LocalStack;
import dev.headwater.local.ServiceProcess;
import dev.headwater.migrations.HeadwaterSchema.Role;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Latency at a steady 1,000 events/s: from a commit in Postgres to the event in Kafka, and to the
 * event visible in a view. Times are taken in this JVM (one clock): when the writer's commit
 * returned, when a consumer received the record, when a projector's batch commit became visible
 * (its NOTIFY, then its applied versions). The baseline is a Kafka producer-to-consumer round trip
 * on the same broker with the relay's producer settings, measured the same way.
 */
final class LatencyFigures {

    private static final String RTT_TOPIC = "bench.round-trip";

    private LatencyFigures() {}

    /** commit → Kafka at 1k events/s; target p99 ≤ 25 ms. */
    static void commitToAck(BenchStack stack, Options options) {
        run(stack, options, false);
    }

    /** commit → view visible at 1k events/s; target p99 ≤ 100 ms. */
    static void commitToView(BenchStack stack, Options options) {
        run(stack, options, true);
    }

    private static void run(BenchStack stack, Options options, boolean view) {
        int rounds = options.rounds(3);
        Duration window = options.seconds("seconds", 20);
        int rate = options.integer("rate", 1000);
        Duration warmUp = options.seconds("warmup", 120);
        // --relay=floor (cdc-latency only): the least a relay can do in place of ours (FloorRelay).
        boolean floor = options.choice("relay", "headwater", "floor").equals("floor");
        if (floor && view) {
            throw new IllegalArgumentException("--relay=floor applies to cdc-latency only: the floor publishes no"
                    + " event envelope a projector could read");
        }
        stack.startPostgres();
        Report.note("# %s", Machine.describe(stack.postgresVersion()));
        String bootstrap = stack.startKafka();
        SteadyWriter.createTenants(stack);
        Map<String, String> relaySettings = options.passThrough("cdc.", "headwater.cdc.");
        Map<String, String> projectorSettings = options.passThrough("projector.", "headwater.projector.");
        if (!relaySettings.isEmpty() || !projectorSettings.isEmpty()) {
            Report.note("  settings passed through: %s %s", relaySettings, projectorSettings);
        }
        @Nullable ServiceProcess cdc = floor ? null : stack.startCdc("cdc", relaySettings);
        long relayPid =
                floor ? startFloorRelay(stack, bootstrap) : cdc.process().pid();
        @Nullable ServiceProcess projector = view ? stack.startProjector(BenchStack.DATABASE, projectorSettings) : null;
        CpuShares.Parties parties = new CpuShares.Parties(
                stack.postmasterPid(),
                relayPid,
                projector == null ? -1 : projector.process().pid(),
                stack.kafkaPid(),
                ProcessHandle.current().pid());
        try (Topics topics = new Topics(bootstrap)) {
            topics.create(RTT_TOPIC, 12);
        }
        Report.heading((view ? "view-latency" : "cdc-latency") + ": " + rate + " events/s, one per transaction; "
                + rounds + " rounds of " + window.toSeconds() + " s; baseline Kafka producer -> consumer"
                + (floor ? "; relay: the floor (FloorRelay), not the Headwater relay" : ""));
        Map<String, Samples> results = new TreeMap<>();
        try (SteadyWriter writer = new SteadyWriter(stack.login(BenchStack.DATABASE, Role.APP), rate);
                Readers readers = new Readers(stack, bootstrap, writer, view)) {
            // "Steady load" means after the JIT: on two busy cores the relay's C2 compiler thread
            // still took 0.12 of a core in the first round after a 40 s warm-up and under 0.01 from
            // about 150 s after the start on (docs/benchmarks.md, session 8). Earlier, round 1
            // after a 10 s warm-up was ten times slower than round 2.
            Report.note("  warm-up (not counted): %d s of load", warmUp.toSeconds());
            measure(writer, readers, warmUp, null);
            roundTrip(bootstrap, rate, Duration.ofSeconds(5));
            for (int round = 1; round <= rounds; round++) {
                Histogram rtt = roundTrip(bootstrap, rate, window);
                record(results, "baseline: Kafka produce -> consume", rtt, round);
                Map<String, Long> before = cdc == null ? Map.of() : relayHistogram(cdc);
                CpuShares cpu = new CpuShares(parties);
                Map<String, Histogram> measured = measure(writer, readers, window, cpu);
                int current = round;
                measured.forEach((name, histogram) -> record(results, name, histogram, current));
                if (cdc != null) {
                    reportRelayHistogram(before, relayHistogram(cdc), round);
                }
                Report.note("  round %d  CPU while writing, in cores: %s", round, cpu);
                Report.note(
                        "  round %d  waiting for a CPU while writing, ms a second (mean a run): %s",
                        round, cpu.waits());
            }
        }
        Report.heading((view ? "view-latency" : "cdc-latency") + " result (milliseconds)");
        results.forEach((name, samples) -> Report.summary(name, samples, "ms"));
        if (view) {
            Report.target(
                    "commit -> view visible p99",
                    results.get("figure: commit -> view visible p99").median(),
                    "ms",
                    100,
                    false);
        } else {
            Report.target(
                    "commit -> consumed p99",
                    results.get("figure: commit -> consumed p99").median(),
                    "ms",
                    25,
                    false);
        }
    }

    /**
     * {@link FloorRelay} in a JVM with the relay's options, on a slot of its own, publishing to the
     * topic the readers consume (created here, with the relay's 12 partitions).
     */
    private static long startFloorRelay(BenchStack stack, String bootstrap) {
        stack.execute(BenchStack.DATABASE, "SELECT pg_create_logical_replication_slot('floor', 'pgoutput')");
        try (Topics topics = new Topics(bootstrap)) {
            topics.create("headwater.tenant.events", 12);
        }
        List<String> command = new ArrayList<>(List.of(ChildProcess.javaExecutable()));
        command.addAll(LocalStack.jvmOptionsOf("cdc"));
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                FloorRelay.class.getName(),
                stack.jdbcUrl(BenchStack.DATABASE),
                "postgres",
                "unused",
                "floor",
                "headwater_events",
                bootstrap));
        return stack.startChild("floor-relay", command).pid();
    }

    private static void record(Map<String, Samples> results, String name, Histogram histogram, int round) {
        double load = Machine.load();
        for (double percentile : new double[] {50, 99, 99.9}) {
            String label = name + " p" + (percentile == 99.9 ? "999" : Integer.toString((int) percentile));
            results.computeIfAbsent(label, k -> new Samples())
                    .add(histogram.getValueAtPercentile(percentile) / 1000.0, load);
        }
        Report.round(
                name,
                round,
                histogram.getValueAtPercentile(99) / 1000.0,
                "ms p99",
                String.format(
                        "p50 %.2f ms, p999 %.2f ms, max %.2f ms, %d samples",
                        histogram.getValueAtPercentile(50) / 1000.0,
                        histogram.getValueAtPercentile(99.9) / 1000.0,
                        histogram.getMaxValue() / 1000.0,
                        histogram.getTotalCount()));
    }

    private static Map<String, Histogram> measure(
            SteadyWriter writer, Readers readers, Duration window, @Nullable CpuShares cpu) {
        readers.reset();
        writer.start();
        if (cpu != null) {
            cpu.start();
        }
        Pause.millis(window.toMillis());
        writer.pause();
        if (cpu != null) {
            cpu.stop();
        }
        Pause.millis(1000); // let the last events arrive
        return readers.interval();
    }

    /**
     * The relay's own commit-to-ack histogram (its Prometheus buckets), as a cross-check: commit
     * time there is Postgres's commit timestamp, ack time the producer callback.
     */
    private static Map<String, Long> relayHistogram(ServiceProcess cdc) {
        Map<String, Long> buckets = new HashMap<>();
        for (String line :
                Http.get(cdc.baseUrl() + "/actuator/prometheus", "unused").split("\n")) {
            if (line.startsWith("headwater_cdc_commit_to_ack_seconds_bucket{")) {
                String le = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
                buckets.put(le, (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return buckets;
    }

    private static void reportRelayHistogram(Map<String, Long> before, Map<String, Long> after, int round) {
        TreeMap<Double, Long> counts = new TreeMap<>();
        after.forEach((le, count) -> counts.put(
                le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
                count - before.getOrDefault(le, 0L)));
        long total = counts.isEmpty() ? 0 : counts.lastEntry().getValue();
        StringBuilder text = new StringBuilder();
        for (double q : new double[] {0.5, 0.99, 0.999}) {
            double bound = counts.entrySet().stream()
                    .filter(e -> e.getValue() >= q * total)
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(Double.NaN);
            text.append(String.format(" p%s <= %.1f ms", q == 0.5 ? "50" : q == 0.99 ? "99" : "999", bound * 1000));
        }
        Report.note("  round %d  relay's own commit->ack histogram (bucket bounds):%s, %d events", round, text, total);
    }

    /** Kafka alone: a producer with the relay's settings, paced like the writer, and a consumer. */
    private static Histogram roundTrip(String bootstrap, int rate, Duration window) {
        Recorder recorder = new Recorder(3);
        AtomicBoolean running = new AtomicBoolean(true);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
            List<TopicPartition> partitions = consumer.partitionsFor(RTT_TOPIC).stream()
                    .map(p -> new TopicPartition(RTT_TOPIC, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            Thread producerThread = new Thread(() -> produce(bootstrap, rate, running), "rtt-producer");
            producerThread.start();
            long end = System.nanoTime() + window.toNanos();
            while (System.nanoTime() < end + TimeUnit.SECONDS.toNanos(1)) {
                if (System.nanoTime() >= end) {
                    running.set(false);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long sent = ByteBuffer.wrap(record.value()).getLong();
                    recorder.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
                }
            }
            running.set(false);
            producerThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return recorder.getIntervalHistogram();
    }

    /**
     * A producer with the relay's default settings, for the round-trip baseline and the floor relay:
     * acknowledged by all replicas, idempotent, {@code linger.ms} 2, 256 KiB batches, snappy.
     */
    static Properties relayProducerSettings(String bootstrap) {
        Properties settings = new Properties();
        settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ProducerConfig.ACKS_CONFIG, "all");
        settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        settings.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        settings.put(ProducerConfig.BATCH_SIZE_CONFIG, 262144);
        settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "snappy"); // as the relay (ADR 0027)
        return settings;
    }

    private static void produce(String bootstrap, int rate, AtomicBoolean running) {
        Properties settings = relayProducerSettings(bootstrap);
        byte[] filler =
                "{\"specversion\":\"1.0\",\"type\":\"TenantQuotaSet\",\"data\":{\"quota\":{\"cpuMillis\":1000}}}"
                        .repeat(8)
                        .getBytes(StandardCharsets.UTF_8);
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        int key = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(settings, new ByteArraySerializer(), new ByteArraySerializer())) {
            while (running.get()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                next += period;
                byte[] value = ByteBuffer.allocate(8 + filler.length)
                        .putLong(System.nanoTime())
                        .put(filler)
                        .array();
                producer.send(new ProducerRecord<>(
                        RTT_TOPIC, ("lat-" + (key++ % 50)).getBytes(StandardCharsets.UTF_8), value));
            }
        }
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties settings = new Properties();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Background readers of the writer's events: a consumer of the tenant topic (commit → consumed)
     * and, for the view figure, a LISTEN on the projector's channel (commit → visible).
     */
    private static final class Readers implements AutoCloseable {

        private final Recorder consumed = new Recorder(3);
        private final Recorder visible = new Recorder(3);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread consumerThread;
        private final Thread listenerThread;
        private volatile String failure = "";

        Readers(BenchStack stack, String bootstrap, SteadyWriter writer, boolean view) {
            consumerThread = new Thread(() -> consume(bootstrap, writer), "commit-consumer");
            consumerThread.start();
            listenerThread = new Thread(() -> listen(stack, writer, view), "view-listener");
            listenerThread.start();
            Pause.millis(2000); // assigned and positioned before the first event
        }

        private void consume(String bootstrap, SteadyWriter writer) {
            String topic = "headwater.tenant.events";
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrap)) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        Header id = record.headers().lastHeader(EventHeaders.EVENT_ID);
                        Long committed =
                                id == null ? null : writer.committedAt(new String(id.value(), StandardCharsets.UTF_8));
                        if (committed != null) {
                            consumed.recordValue(Math.max(0, (now - committed) / 1000));
                        }
                    }
                }
            } catch (RuntimeException e) {
                failure = "consumer: " + e;
            }
        }

        private void listen(BenchStack stack, SteadyWriter writer, boolean view) {
            if (!view) {
                return;
            }
            Map<String, Long> seen = new HashMap<>();
            try (Connection connection = stack.superuser(BenchStack.DATABASE).getConnection();
                    PreparedStatement applied = connection.prepareStatement("""
                            SELECT aggregate_id, max(version) FROM projection.applied_versions
                             WHERE projection = 'tenant-overview' AND aggregate_type = 'tenant'
                               AND aggregate_id LIKE 'lat-%' GROUP BY aggregate_id""")) {
                try (Statement listen = connection.createStatement()) {
                    listen.execute("LISTEN headwater_projection_applied");
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running.get()) {
                    PGNotification[] notifications = pg.getNotifications(200);
                    if (notifications == null || notifications.length == 0) {
                        continue;
                    }
                    long now = System.nanoTime();
                    boolean tenantView = false;
                    for (PGNotification notification : notifications) {
                        tenantView |= "tenant-overview".equals(notification.getParameter());
                    }
                    if (!tenantView) {
                        continue;
                    }
                    try (ResultSet rows = applied.executeQuery()) {
                        while (rows.next()) {
                            String tenant = rows.getString(1);
                            long version = rows.getLong(2);
                            long from = seen.getOrDefault(tenant, 1L) + 1;
                            for (long v = from; v <= version; v++) {
                                Long committed = writer.committedAt(tenant, v);
                                if (committed != null) {
                                    visible.recordValue(Math.max(0, (now - committed) / 1000));
                                }
                            }
                            seen.put(tenant, version);
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                failure = "listener: " + e;
            }
        }

        void reset() {
            consumed.reset();
            visible.reset();
        }

        Map<String, Histogram> interval() {
            if (!failure.isEmpty()) {
                throw new IllegalStateException("A latency reader failed: " + failure);
            }
            Map<String, Histogram> result = new TreeMap<>();
            result.put("figure: commit -> consumed", consumed.getIntervalHistogram());
            if (listenerThread.isAlive()) {
                result.put("figure: commit -> view visible", visible.getIntervalHistogram());
            }
            return result;
        }

        @Override
        public void close() {
            running.set(false);
            try {
                consumerThread.join();
                listenerThread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
    /**
     * Where the machine's CPU went while the writer ran, in cores: the whole machine, and in it
     * Postgres (every backend, the writer's included), the relay, the projector, the broker and this
     * JVM (the writer's threads and the readers), so that each round's tail can be read beside what
     * the machine did meanwhile (docs/benchmarks.md, session 15). Beside it, how long each party's
     * threads waited runnable for a CPU, in all and per run (session 16): on two cores an event passes
     * through about ten threads in five processes.
     */
    private static final class CpuShares {

        record Parties(long postmaster, long relay, long projector, long broker, long bench) {}

        private final Parties parties;
        private double[] started = new double[0];
        private double[] used = new double[0];
        private long startedNanos;

        CpuShares(Parties parties) {
            this.parties = parties;
        }

        void start() {
            startedNanos = System.nanoTime();
            started = sample();
        }

        void stop() {
            double[] now = sample();
            double seconds = (System.nanoTime() - startedNanos) / 1e9;
            used = new double[now.length];
            for (int i = 0; i < now.length; i++) {
                used[i] = (now[i] - started[i]) / seconds;
            }
        }

        private double[] sample() {
            double[] postgres = Machine.runQueueWait(parties.postmaster(), true);
            double[] relay = Machine.runQueueWait(parties.relay(), false);
            double[] projector =
                    parties.projector() < 0 ? new double[2] : Machine.runQueueWait(parties.projector(), false);
            double[] broker = Machine.runQueueWait(parties.broker(), false);
            double[] bench = Machine.runQueueWait(parties.bench(), false);
            return new double[] {
                Machine.busyCpuSeconds(),
                Machine.treeCpuSeconds(parties.postmaster()),
                Machine.cpuSeconds(parties.relay()),
                parties.projector() < 0 ? 0 : Machine.cpuSeconds(parties.projector()),
                Machine.cpuSeconds(parties.broker()),
                Machine.cpuSeconds(parties.bench()),
                postgres[0],
                relay[0],
                projector[0],
                broker[0],
                bench[0],
                postgres[1],
                relay[1],
                projector[1],
                broker[1],
                bench[1]
            };
        }

        /** Waiting for a CPU (schedstat): each party's ms a second, and its mean wait per run. */
        String waits() {
            if (used.length == 0) {
                return "not measured";
            }
            String[] names = {"Postgres", "relay", "projector", "broker", "bench JVM"};
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                if (i == 2 && parties.projector() < 0) {
                    continue;
                }
                // used[] holds rates: waited seconds a second, runs a second.
                double waitedPerSecond = used[6 + i];
                double runsPerSecond = used[11 + i];
                parts.add(String.format(
                        java.util.Locale.ROOT,
                        "%s %.0f (%.2f ms)",
                        names[i],
                        waitedPerSecond * 1000,
                        runsPerSecond > 0 ? waitedPerSecond * 1000 / runsPerSecond : Double.NaN));
            }
            return String.join(", ", parts);
        }

        @Override
        public String toString() {
            if (used.length == 0) {
                return "not measured";
            }
            return String.format(
                    java.util.Locale.ROOT,
                    "machine %.2f of %d; Postgres %.2f, relay %.2f, %sbroker %.2f, bench JVM %.2f",
                    used[0],
                    Runtime.getRuntime().availableProcessors(),
                    used[1],
                    used[2],
                    parties.projector() < 0 ? "" : String.format(java.util.Locale.ROOT, "projector %.2f, ", used[3]),
                    used[4],
                    used[5]);
        }
    }
}
