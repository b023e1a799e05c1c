package dev.headwater.bench;

import dev.headwater.local.ServiceProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import tools.jackson.databind.JsonNode;

/**
 * The projector: draining a backlog of records from Kafka into every view, and rebuilding every view
 * from the log. The backlog is a control-plane history written to the log and published by the relay
 * before the clock starts. Each drain round runs a fresh projector on a fresh database (so every
 * round starts from no checkpoint); rebuild rounds replay the same log again.
 */
final class ProjectorFigures {

    private static final String PREFIX = "headwater.";
    /**
     * Keys of the CPU per log event (µs) among the rates of {@link #awaitDrained}: the projector's,
     * Postgres's (the postmaster and its backends) and the broker's.
     */
    private static final String CPU = "cpu";

    private static final String POSTGRES_CPU = "postgres-cpu";
    private static final String KAFKA_CPU = "kafka-cpu";

    private ProjectorFigures() {}

    /** Projector drain of a 1M-record backlog; target 20k events/s. Baseline: a plain KafkaConsumer. */
    static void drain(BenchStack stack, Options options) {
        int rounds = options.rounds(2);
        long total = prepare(stack, options, "projector-drain", false);
        Map<String, String> settings = projectorSettings(options);
        stack.createMigratedDatabase("drain_template");
        Samples baseline = new Samples();
        Samples figure = new Samples();
        Map<String, Samples> perProjection = new LinkedHashMap<>();
        Samples cpuPerEvent = new Samples();
        Samples postgresPerEvent = new Samples();
        Samples kafkaPerEvent = new Samples();
        for (int round = 1; round <= rounds; round++) {
            double read = plainConsumer(stack.kafkaBootstrap(), total);
            baseline.add(read, Machine.load());
            Report.round("plain KafkaConsumer read", round, read, "records/s", "");
            String database = "drain_" + round;
            stack.execute("postgres", "CREATE DATABASE " + database + " TEMPLATE drain_template OWNER headwater_owner");
            Map<String, String> properties = new HashMap<>(settings);
            properties.put("headwater.projector.group-prefix", "drain-" + round);
            ServiceProcess projector = stack.startProjector(database, properties);
            Map<String, Double> rates = awaitDrained(stack, projector, total);
            stack.execute(database, "SELECT 1"); // the database is reachable after the run
            long parked = stack.queryLong(database, "SELECT count(*) FROM projection.dead_letters");
            projector.process().stop(Duration.ofSeconds(30));
            if (parked > 0) {
                throw new IllegalStateException(parked + " events were dead-lettered: the backlog is not valid");
            }
            double all = rates.remove("*");
            double cpu = rates.remove(CPU);
            double postgres = rates.remove(POSTGRES_CPU);
            double kafka = rates.remove(KAFKA_CPU);
            figure.add(all, Machine.load());
            cpuPerEvent.add(cpu, Machine.load());
            postgresPerEvent.add(postgres, Machine.load());
            kafkaPerEvent.add(kafka, Machine.load());
            rates.values().removeIf(rate -> !Double.isFinite(rate)); // a projection without records
            rates.forEach((name, rate) ->
                    perProjection.computeIfAbsent(name, k -> new Samples()).add(rate, Machine.load()));
            Report.round(
                    "projector drain (all views)",
                    round,
                    all,
                    "events/s",
                    String.format(
                            "CPU per event: projector %.0f µs, Postgres %.0f µs, Kafka %.0f µs; per projection %s",
                            cpu, postgres, kafka, format(rates)));
        }
        Report.heading("projector-drain result");
        Report.summary("figure: log events / time to drain all", figure, "events/s");
        Report.summary("  projector CPU per log event", cpuPerEvent, "µs");
        Report.summary("  Postgres CPU per log event", postgresPerEvent, "µs");
        Report.summary("  Kafka broker CPU per log event", kafkaPerEvent, "µs");
        perProjection.forEach((name, samples) -> Report.summary("  " + name + " (its records)", samples, "records/s"));
        Report.summary("baseline: plain KafkaConsumer", baseline, "records/s");
        Report.note("%-40s %.2fx", "ratio to baseline", figure.median() / baseline.median());
        Report.target("absolute", figure.median(), "events/s", 20_000, true);
    }

    /** Rebuild of all views from a 1M-event log; target 50k events/s. Baseline: COPY of the log to /dev/null. */
    static void rebuild(BenchStack stack, Options options) {
        int rounds = options.rounds(3);
        long total = prepare(stack, options, "rebuild", true);
        ServiceProcess projector = stack.startProjector(BenchStack.DATABASE, projectorSettings(options));
        awaitDrained(stack, projector, total);
        Samples baseline = new Samples();
        Samples figure = new Samples();
        Samples replayedRate = new Samples();
        Samples projectorCpu = new Samples();
        Samples postgresCpu = new Samples();
        long postmaster = stack.postmasterPid();
        long projectorPid = projector.process().pid();
        for (int round = 1; round <= rounds; round++) {
            long started = System.nanoTime();
            stack.execute(
                    BenchStack.DATABASE,
                    "COPY (SELECT * FROM event_log.events ORDER BY transaction_id, global_position) TO '/dev/null'");
            double copy = total / ((System.nanoTime() - started) / 1e9);
            baseline.add(copy, Machine.load());
            Report.round("COPY (SELECT ... ORDER BY) TO /dev/null", round, copy, "rows/s", "");
            long[] replayed = new long[1];
            double projectorBefore = Machine.cpuSeconds(projectorPid);
            double postgresBefore = Machine.treeCpuSeconds(postmaster);
            double seconds = rebuildAll(projector, stack.bootstrapToken(), replayed);
            double projectorMicros = (Machine.cpuSeconds(projectorPid) - projectorBefore) * 1e6 / total;
            double postgresMicros = (Machine.treeCpuSeconds(postmaster) - postgresBefore) * 1e6 / total;
            projectorCpu.add(projectorMicros, Machine.load());
            postgresCpu.add(postgresMicros, Machine.load());
            figure.add(total / seconds, Machine.load());
            replayedRate.add(replayed[0] / seconds, Machine.load());
            Report.round(
                    "rebuild of all views",
                    round,
                    total / seconds,
                    "events/s",
                    String.format(
                            "%.1f s; %,d events replayed over all projections; CPU per log event: projector %.0f µs,"
                                    + " Postgres %.0f µs",
                            seconds, replayed[0], projectorMicros, postgresMicros));
        }
        Report.heading("rebuild result");
        Report.summary("figure: log events / time to rebuild all", figure, "events/s");
        Report.summary("  replayed events (summed) / time", replayedRate, "events/s");
        Report.summary("  projector CPU per log event", projectorCpu, "µs");
        Report.summary("  Postgres CPU per log event", postgresCpu, "µs");
        Report.summary("baseline: COPY of the log", baseline, "rows/s");
        Report.note("%-40s %.2fx", "ratio to baseline", figure.median() / baseline.median());
        Report.target("absolute", figure.median(), "events/s", 50_000, true);
    }

    /** {@code --projector.x=y} options as {@code headwater.projector.x=y}, for trying a setting before changing its default. */
    private static Map<String, String> projectorSettings(Options options) {
        Map<String, String> settings = options.passThrough("projector.", "headwater.projector.");
        if (!settings.isEmpty()) {
            Report.note("  settings passed through: %s", settings);
        }
        return settings;
    }

    /** Postgres, Kafka, the backlog in the log and, through the relay, on the topics. */
    private static long prepare(BenchStack stack, Options options, String figure, boolean keepRelay) {
        long events = options.integer("events", 1_000_000);
        stack.startPostgres();
        Report.note("# %s", Machine.describe(stack.postgresVersion()));
        String bootstrap = stack.startKafka();
        Report.heading(figure + ": a control-plane history of " + events + " events");
        long total = Backlog.fill(stack, events);
        long started = System.nanoTime();
        ServiceProcess cdc = stack.launchCdc("cdc", Map.of());
        try (Topics topics = new Topics(bootstrap)) {
            topics.awaitRecords(PREFIX, total, cdc.process()::isAlive, Topics.Cpu.NONE, "The relay");
        }
        // A rebuild catches up from Kafka and compares with the live generation, so the relay keeps
        // running as in production (idle: the log does not grow); a drain needs only the topics.
        if (!keepRelay) {
            cdc.process().stop(Duration.ofSeconds(30));
        }
        Report.note("  published by the relay in %.0f s (not measured here)", (System.nanoTime() - started) / 1e9);
        return total;
    }

    /**
     * Waits until every projection's checkpoints reach the end offsets of its topics. Returns the
     * rate of each projection (its records over the time from the first applied batch to its
     * finish), under {@code "*"} the log's events over the time until all had finished, and the CPU
     * per log event of the projector, Postgres and the broker from the first applied batch on.
     */
    private static Map<String, Double> awaitDrained(BenchStack stack, ServiceProcess projector, long total) {
        Map<TopicPartition, Long> ends;
        try (Topics topics = new Topics(stack.kafkaBootstrap())) {
            ends = topics.endOffsets(PREFIX);
        }
        String url = projector.baseUrl() + "/admin/projections";
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        long firstApplied = 0;
        long postmaster = stack.postmasterPid();
        long broker = stack.kafkaPid();
        double firstCpu = Double.NaN;
        double firstPostgres = Double.NaN;
        double firstKafka = Double.NaN;
        Map<String, Double> doneAfter = new HashMap<>();
        Map<String, Long> records = new HashMap<>();
        while (true) {
            if (!projector.process().isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("The projector did not drain the backlog; its log: "
                        + projector.process().logFile());
            }
            JsonNode statuses = Http.getJson(url, stack.bootstrapToken());
            long now = System.nanoTime();
            for (JsonNode status : statuses) {
                if (firstApplied == 0 && status.path("eventsApplied").asLong() > 0) {
                    firstApplied = now;
                    firstCpu = Machine.cpuSeconds(projector.process().pid());
                    firstPostgres = Machine.treeCpuSeconds(postmaster);
                    firstKafka = Machine.cpuSeconds(broker);
                }
                String name = status.path("name").asString();
                if (!doneAfter.containsKey(name) && firstApplied != 0 && drained(status, ends)) {
                    doneAfter.put(name, (now - firstApplied) / 1e9);
                    records.put(name, recordsOf(status, ends));
                }
            }
            if (statuses.size() > 0 && doneAfter.size() == statuses.size()) {
                break;
            }
            Pause.millis(250);
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        doneAfter.forEach((name, seconds) -> rates.put(name, records.get(name) / seconds));
        rates.put(
                "*",
                total
                        / doneAfter.values().stream()
                                .mapToDouble(Double::doubleValue)
                                .max()
                                .orElseThrow());
        rates.put(CPU, (Machine.cpuSeconds(projector.process().pid()) - firstCpu) * 1e6 / total);
        rates.put(POSTGRES_CPU, (Machine.treeCpuSeconds(postmaster) - firstPostgres) * 1e6 / total);
        rates.put(KAFKA_CPU, (Machine.cpuSeconds(broker) - firstKafka) * 1e6 / total);
        return rates;
    }

    private static boolean drained(JsonNode status, Map<TopicPartition, Long> ends) {
        JsonNode partitions = status.path("partitions");
        Set<String> topics = new HashSet<>();
        for (JsonNode partition : partitions) {
            topics.add(partition.path("topic").asString());
        }
        long expected =
                ends.keySet().stream().filter(tp -> topics.contains(tp.topic())).count();
        if (partitions.size() == 0 || partitions.size() != expected) {
            return false;
        }
        for (JsonNode partition : partitions) {
            TopicPartition tp = new TopicPartition(
                    partition.path("topic").asString(),
                    partition.path("partition").asInt());
            if (partition.path("checkpoint").asLong() < ends.getOrDefault(tp, Long.MAX_VALUE)) {
                return false;
            }
        }
        return true;
    }

    private static long recordsOf(JsonNode status, Map<TopicPartition, Long> ends) {
        Set<String> topics = new HashSet<>();
        status.path("partitions").forEach(p -> topics.add(p.path("topic").asString()));
        return ends.entrySet().stream()
                .filter(e -> topics.contains(e.getKey().topic()))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }

    /**
     * Starts a rebuild of every projection with one request (one shared read of the log,
     * docs/adr/0036); returns the seconds until all are live.
     */
    private static double rebuildAll(ServiceProcess projector, String token, long[] replayed) {
        String url = projector.baseUrl() + "/admin/projections";
        Map<String, Long> generations = new HashMap<>();
        Http.getJson(url, token); // warm the connection; cheap
        long started = System.nanoTime();
        JsonNode accepted = tools.jackson.databind.json.JsonMapper.builder()
                .build()
                .readTree(Http.post(url + "/rebuild", token, ""));
        for (JsonNode generation : accepted) {
            generations.put(
                    generation.path("projection").asString(),
                    generation.path("generation").asLong());
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        Map<String, Long> done = new HashMap<>();
        while (done.size() < generations.size()) {
            if (!projector.process().isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "The rebuild did not finish; see " + projector.process().logFile());
            }
            for (var entry : generations.entrySet()) {
                if (done.containsKey(entry.getKey())) {
                    continue;
                }
                JsonNode latest = Http.getJson(url + "/" + entry.getKey() + "/generations?limit=1", token)
                        .get(0);
                if (latest.path("generation").asLong() == entry.getValue()) {
                    String state = latest.path("state").asString();
                    if (state.equals("failed") || state.equals("abandoned")) {
                        throw new IllegalStateException(
                                "The rebuild of " + entry.getKey() + " ended " + state + ": " + latest);
                    }
                    if (state.equals("live")) {
                        done.put(entry.getKey(), latest.path("eventsReplayed").asLong());
                    }
                }
            }
            Pause.millis(250);
        }
        replayed[0] = done.values().stream().mapToLong(Long::longValue).sum();
        return (System.nanoTime() - started) / 1e9;
    }

    /** Reads every record of the topics from the beginning with a plain consumer; records per second. */
    private static double plainConsumer(String bootstrap, long total) {
        try (KafkaConsumer<byte[], byte[]> consumer = LatencyFigures.consumer(bootstrap);
                Topics topics = new Topics(bootstrap)) {
            List<TopicPartition> partitions =
                    List.copyOf(topics.endOffsets(PREFIX).keySet());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long read = 0;
            long first = 0;
            long firstCount = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (read < total) {
                int count = consumer.poll(Duration.ofMillis(500)).count();
                if (count > 0 && first == 0) {
                    first = System.nanoTime();
                    firstCount = count;
                }
                read += count;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The plain consumer read " + read + " of " + total);
                }
            }
            return (read - firstCount) / ((System.nanoTime() - first) / 1e9);
        }
    }

    private static String format(Map<String, Double> rates) {
        StringBuilder text = new StringBuilder();
        rates.forEach((name, rate) ->
                text.append(name).append(' ').append(Report.number(rate)).append(", "));
        return text.length() > 2 ? text.substring(0, text.length() - 2) : "";
    }
}
