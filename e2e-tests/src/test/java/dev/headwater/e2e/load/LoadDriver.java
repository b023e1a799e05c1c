package dev.headwater.e2e.load;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Many concurrent clients writing through the command API. The clients keep their tenants,
 * allocations, tokens, streams and nodes across runs, so that every scenario builds on the state the
 * previous ones left; the ledger of acknowledged commands spans the whole suite.
 */
public final class LoadDriver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LoadDriver.class);
    /**
     * Many modest nodes rather than a few big ones: the scheduler's best fit sends every placement
     * to the fullest node that fits, so with few nodes all clients queue on one row lock.
     */
    private static final int BASE_NODES = 48;
    /** How long a client keeps sending one command again before it moves on and tries later. */
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(90);

    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final String commandUrl;
    private final String token;
    private final Ledger ledger = new Ledger();
    private final List<Client> clients = new ArrayList<>();
    private final Client platformClient;
    private final ExecutorService threads;

    /**
     * @param seed makes each client's choice of commands repeatable (logged, to rerun a failure)
     */
    public LoadDriver(String commandUrl, String token, int clientCount, long seed) {
        this.commandUrl = commandUrl;
        this.token = token;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        String runId = Long.toString(seed, 36);
        for (int i = 1; i <= clientCount; i++) {
            clients.add(new Client(String.format("c%02d", i), runId, seed + i, json, ledger));
        }
        platformClient = new Client("platform", runId, seed, json, ledger);
        threads = Executors.newFixedThreadPool(clientCount, runnable -> {
            Thread thread = new Thread(runnable, "load-client");
            thread.setDaemon(true);
            return thread;
        });
        log.info("Load driver with {} clients, seed {}", clientCount, seed);
    }

    /** Registers the base nodes and each client's tenants. */
    public LoadStats setUp() throws InterruptedException {
        LoadStats stats = new LoadStats();
        CommandApi api = commandApi();
        platformClient.registerBaseNodes(BASE_NODES, api, stats);
        for (Client client : clients) {
            client.setUp(api, stats);
        }
        return stats;
    }

    /**
     * Starts every client on the mix.
     *
     * @param commands how many commands in all, or a negative number for as many as fit until {@link
     *     LoadRun#stop()}
     * @param queryInstances base URLs of the projector instances to check read-your-writes against,
     *     or empty to check nothing
     */
    public LoadRun start(long commands, List<String> queryInstances) {
        LoadStats stats = new LoadStats();
        CommandApi api = commandApi();
        QueryApi reads = queryInstances.isEmpty() ? null : new QueryApi(http, queryInstances, token, json);
        LoadRun run = new LoadRun(stats, commands);
        for (Client client : clients) {
            run.futures.add(threads.submit(() -> {
                loop(client, api, reads, run);
                return null;
            }));
        }
        return run;
    }

    private static void loop(Client client, CommandApi api, @Nullable QueryApi reads, LoadRun run)
            throws InterruptedException {
        while (run.takeOne()) {
            client.runOne(api, reads, run.stats);
        }
    }

    /**
     * Sends every command that was left without an answer again (same key) until it gets one: the
     * service answers from its record if it did happen, or runs it now if it did not.
     */
    public void resolvePending(LoadStats stats) throws InterruptedException {
        CommandApi api = commandApi();
        for (Client client : clients) {
            for (int round = 0; round < 5 && client.hasPending(); round++) {
                client.resolvePending(api, stats);
            }
            if (client.hasPending()) {
                stats.anomaly(client.name() + ": a command got no definite answer even after the platform recovered");
            }
        }
    }

    public Ledger ledger() {
        return ledger;
    }

    public int clientCount() {
        return clients.size();
    }

    private CommandApi commandApi() {
        return new CommandApi(http, commandUrl, token, json, GIVE_UP_AFTER);
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    /** One run of the load: stop it, or wait for its commands to be done. */
    public static final class LoadRun {

        private final LoadStats stats;
        private final AtomicLong remaining;
        private final boolean bounded;
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final List<Future<?>> futures = new ArrayList<>();
        private final long startedNanos = System.nanoTime();
        private volatile long endedNanos;

        LoadRun(LoadStats stats, long commands) {
            this.stats = stats;
            this.bounded = commands >= 0;
            this.remaining = new AtomicLong(Math.max(commands, 0));
        }

        boolean takeOne() {
            if (stopping.get()) {
                return false;
            }
            return !bounded || remaining.getAndDecrement() > 0;
        }

        public LoadStats stats() {
            return stats;
        }

        /** Lets every client finish the command in hand (until it has a definite answer), then returns. */
        public void stop() throws InterruptedException {
            stopping.set(true);
            awaitClients(Duration.ofMinutes(5));
        }

        /** Waits for a bounded run to use up its commands. */
        public void awaitDone(Duration timeout) throws InterruptedException {
            awaitClients(timeout);
        }

        public Duration elapsed() {
            long end = endedNanos == 0 ? System.nanoTime() : endedNanos;
            return Duration.ofNanos(end - startedNanos);
        }

        private void awaitClients(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Future<?> future : futures) {
                try {
                    future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a load client failed: " + e.getCause(), e.getCause());
                } catch (java.util.concurrent.TimeoutException e) {
                    stopping.set(true);
                    throw new IllegalStateException("the load clients did not finish within " + timeout, e);
                }
            }
            if (endedNanos == 0) {
                endedNanos = System.nanoTime();
            }
        }
    }
}
