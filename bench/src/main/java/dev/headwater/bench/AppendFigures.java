package dev.headwater.bench;

import dev.headwater.local.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The write path: HTTP appends of one event per command, the bulk append endpoint, and the memory
 * of every service idle and under that load. The baseline is pgbench's one-row INSERT into the log
 * on the same server, run in turn with the figure's rounds.
 */
final class AppendFigures {

    static final String TENANT = "bench";
    private static final int PGBENCH_CLIENTS = 16;

    private AppendFigures() {}

    /** HTTP append, 1 event per command, 16 concurrent clients; target at least half of pgbench's rate. */
    static void append(BenchStack stack, Options options) {
        int clients = options.integer("clients", 16);
        appendFigure(stack, options, "append", 1, clients, 0.5, Double.NaN);
    }

    /** The bulk append endpoint: batches of 1000 events per request; target 60k events/s. */
    static void bulkAppend(BenchStack stack, Options options) {
        int batch = options.integer("batch", 1000);
        if (batch < 1 || batch > 1000) {
            throw new IllegalArgumentException("--batch must be 1..1000 (the service's max-events-per-append)");
        }
        appendFigure(stack, options, "bulk-append", batch, options.integer("clients", 4), Double.NaN, 60_000);
    }

    private static void appendFigure(
            BenchStack stack,
            Options options,
            String figure,
            int eventsPerRequest,
            int clients,
            double targetRatio,
            double targetRate) {
        int rounds = options.rounds(3);
        Duration duration = options.seconds("seconds", 15);
        stack.startPostgres();
        Report.note("# %s", Machine.describe(stack.postgresVersion()));
        ServiceProcess command = stack.startCommandService();
        createTenant(command, stack.bootstrapToken(), TENANT);
        Path script = Wrk.script(stack.home(), "append.lua");
        Report.heading(figure + ": " + eventsPerRequest + " event(s) per request, " + clients
                + " connections; baseline pgbench one-row INSERT, " + PGBENCH_CLIENTS + " clients; " + rounds
                + " rounds of " + duration.toSeconds() + " s");
        // The JIT compiles the request path for tens of seconds on two busy cores (JFR showed C2
        // still compiling 10 s into the load); a shorter warm-up measures the compiler, not the service.
        warmUp(stack, command, script, eventsPerRequest, clients, options.seconds("warmup", 40));
        Samples baseline = new Samples();
        Samples rate = new Samples();
        Samples p50 = new Samples();
        Samples p99 = new Samples();
        Samples cpu = new Samples();
        for (int round = 1; round <= rounds; round++) {
            PgBench.Result insert = PgBench.insert(stack, PGBENCH_CLIENTS, duration);
            baseline.add(insert.transactionsPerSecond(), Machine.load());
            Report.round(
                    "pgbench INSERT",
                    round,
                    insert.transactionsPerSecond(),
                    "rows/s",
                    String.format("avg latency %.2f ms", insert.averageLatencyMillis()));
            double cpuBefore = Machine.cpuSeconds(command.process().pid());
            Wrk.Result http = wrk(stack, command, script, eventsPerRequest, clients, duration);
            double cpuMicros = (Machine.cpuSeconds(command.process().pid()) - cpuBefore) * 1e6 / http.requests();
            cpu.add(cpuMicros, Machine.load());
            double events = http.requestsPerSecond() * eventsPerRequest;
            rate.add(events, Machine.load());
            p50.add(http.p50Millis(), Machine.load());
            p99.add(http.p99Millis(), Machine.load());
            Report.round(
                    "HTTP append",
                    round,
                    events,
                    "events/s",
                    String.format(
                            "p50 %.2f ms, p99 %.2f ms, %d requests, service CPU %.0f µs per request",
                            http.p50Millis(), http.p99Millis(), http.requests(), cpuMicros));
        }
        Report.heading(figure + " result");
        Report.summary("figure: events/s", rate, "events/s");
        Report.summary("figure: request latency p50", p50, "ms");
        Report.summary("figure: request latency p99", p99, "ms");
        Report.summary("  command-service CPU per request", cpu, "µs");
        Report.summary("baseline: pgbench INSERT", baseline, "rows/s");
        if (!Double.isNaN(targetRatio)) {
            Report.ratio("ratio to baseline", rate.median(), baseline.median(), targetRatio);
        } else {
            Report.note("%-40s %.2fx", "ratio to baseline", rate.median() / baseline.median());
        }
        if (!Double.isNaN(targetRate)) {
            Report.target("absolute", rate.median(), "events/s", targetRate, true);
        }
    }

    private static void warmUp(
            BenchStack stack, ServiceProcess command, Path script, int events, int clients, Duration duration) {
        Report.note("  warm-up (not counted): HTTP %d s, pgbench 5 s", duration.toSeconds());
        wrk(stack, command, script, events, clients, duration);
        PgBench.insert(stack, PGBENCH_CLIENTS, Duration.ofSeconds(5));
    }

    private static Wrk.Result wrk(
            BenchStack stack, ServiceProcess command, Path script, int events, int clients, Duration duration) {
        Wrk.Result result = Wrk.run(
                stack,
                command.baseUrl(),
                script,
                clients,
                duration,
                "/v1/streams/bench/",
                runId(),
                Integer.toString(events),
                stack.bootstrapToken(),
                TENANT);
        if (result.failures() > 0) {
            throw new IllegalStateException(
                    result.failures() + " of " + result.requests() + " requests failed (non-2xx or socket errors); see "
                            + command.process().logFile());
        }
        return result;
    }

    /** RSS of each service idle and under the append load (HTTP node registrations, 16 clients). */
    static void rss(BenchStack stack, Options options) {
        int rounds = options.rounds(3);
        Duration duration = options.seconds("seconds", 20);
        Duration idle = options.seconds("idle", 30);
        stack.startPostgres();
        Report.note("# %s", Machine.describe(stack.postgresVersion()));
        stack.startKafka();
        Map<String, ServiceProcess> services = new LinkedHashMap<>();
        services.put("command-service", stack.startCommandService());
        services.put("cdc", stack.startCdc("cdc", Map.of()));
        services.put("projector-service", stack.startProjector(BenchStack.DATABASE, Map.of()));
        Report.heading("rss: resident memory of each service (JVM options "
                + services.keySet().stream()
                        .map(module -> module + " " + dev.headwater.local.LocalStack.jvmOptionsOf(module))
                        .collect(java.util.stream.Collectors.joining(", "))
                + "); idle " + idle.toSeconds() + " s after start, then " + rounds + " rounds of "
                + duration.toSeconds()
                + " s of HTTP commands (16 connections, one NodeRegistered each, relayed and projected)");
        Pause.millis(idle.toMillis());
        Map<String, Samples> idleRss = new LinkedHashMap<>();
        services.forEach((name, service) -> {
            Samples samples = new Samples();
            samples.add(Machine.rssMib(service.process().pid()), Machine.load());
            idleRss.put(name, samples);
        });
        Map<String, Samples> loaded = new LinkedHashMap<>();
        services.keySet().forEach(name -> loaded.put(name, new Samples()));
        Path script = Wrk.script(stack.home(), "register-nodes.lua");
        ServiceProcess command = services.get("command-service");
        for (int round = 1; round <= rounds; round++) {
            Map<String, Double> peak = new LinkedHashMap<>();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread sampler = new Thread(
                    () -> {
                        while (running.get()) {
                            services.forEach((name, service) -> peak.merge(
                                    name, Machine.rssMib(service.process().pid()), Math::max));
                            Pause.millis(250);
                        }
                    },
                    "rss-sampler");
            sampler.start();
            Wrk.Result result;
            try {
                result = Wrk.run(stack, command.baseUrl(), script, 16, duration, runId(), stack.bootstrapToken());
            } finally {
                running.set(false);
                join(sampler);
            }
            for (var entry : peak.entrySet()) {
                loaded.get(entry.getKey()).add(entry.getValue(), Machine.load());
            }
            Report.round(
                    "node registrations",
                    round,
                    result.requestsPerSecond(),
                    "cmds/s",
                    "peak RSS " + peak + " MiB, failures " + result.failures());
        }
        Report.heading("rss result");
        for (String name : services.keySet()) {
            Report.summary(name + " idle", idleRss.get(name), "MiB");
            Report.summary(name + " peak under load", loaded.get(name), "MiB");
            Report.target(name + " peak", loaded.get(name).max(), "MiB", 512, false);
        }
    }

    static void createTenant(ServiceProcess command, String token, String tenant) {
        Http.post(
                command.baseUrl() + "/v1/tenants",
                token,
                "{\"tenantId\":\"" + tenant + "\",\"name\":\"Benchmark tenant\","
                        + "\"quota\":{\"cpuMillis\":1000,\"memoryMib\":1024,\"gpus\":0}}");
    }

    private static String runId() {
        return Long.toString(System.nanoTime() & 0xffffffffL, 36);
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static List<String> names() {
        return List.of("append", "bulk-append", "rss");
    }
}
