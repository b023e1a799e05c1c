package dev.headwater.projector.runtime;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.TopicNaming;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs every registered {@link Projection}: one consumer loop each on this instance, rebuilds,
 * dead-letter actions, and the facts the admin API and health check show.
 */
public final class ProjectionRuntime implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProjectionRuntime.class);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    static final String REGISTERED_TABLES = "SELECT table_name FROM projection.view_tables WHERE projection = ?";

    private final Map<String, Projection> projections;
    private final DataSource dataSource;
    private final KafkaConsumers consumers;
    private final ProjectorProperties properties;
    private final MeterRegistry registry;
    private final List<CommitHook> commitHooks;
    private final Clock clock;
    private final TopicNaming topics;
    private final DeadLetterActions deadLetters;
    private final Map<String, ProjectionWorker> workers = new ConcurrentHashMap<>();
    private final Map<String, ProjectionMetrics> metrics = new ConcurrentHashMap<>();
    private final Map<String, RebuildJob> rebuilds = new ConcurrentHashMap<>();
    private final Set<SharedLogReplay> sharedReplays = ConcurrentHashMap.newKeySet();
    private final EventLogReader logReader;
    private volatile boolean running;

    public ProjectionRuntime(
            List<Projection> projections,
            DataSource dataSource,
            KafkaConnection kafka,
            ProjectorProperties properties,
            MeterRegistry registry,
            List<CommitHook> commitHooks,
            Clock clock) {
        this.projections = index(projections);
        this.dataSource = dataSource;
        this.consumers = new KafkaConsumers(kafka, properties);
        this.properties = properties;
        this.registry = registry;
        this.commitHooks = List.copyOf(commitHooks);
        this.clock = clock;
        this.topics = TopicNaming.prefixed(properties.topicPrefix());
        this.deadLetters = new DeadLetterActions(dataSource, clock);
        Counter logEvents = Counter.builder(LOG_EVENTS_READ)
                .description("Rows rebuilds read from the event log (a shared read counts once)")
                .register(registry);
        this.logReader = new EventLogReader(logEvents::increment);
    }

    /** The meter counting rows rebuilds read from the log. */
    public static final String LOG_EVENTS_READ = "headwater.projector.rebuild.log.events";

    private static Map<String, Projection> index(List<Projection> projections) {
        Map<String, Projection> byName = new LinkedHashMap<>();
        for (Projection projection : projections) {
            String name = projection.name();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("projection name '" + name + "' does not match " + NAME);
            }
            if (projection.aggregateTypes().isEmpty()) {
                throw new IllegalArgumentException("projection " + name + " consumes no aggregate type");
            }
            projection.aggregateTypes().forEach(type -> {
                if (!EventEnvelope.AGGREGATE_TYPE.matcher(type).matches()) {
                    throw new IllegalArgumentException("projection " + name + ": '" + type + "' is no aggregate type");
                }
            });
            if (byName.put(name, projection) != null) {
                throw new IllegalArgumentException("two projections are named " + name);
            }
        }
        return byName;
    }

    /** Names of the projections, in registration order. */
    public List<String> names() {
        return List.copyOf(projections.keySet());
    }

    /** The projections that consume events of this aggregate type: whose applied versions a wait checks. */
    public List<String> projectionsHandling(String aggregateType) {
        List<String> names = new ArrayList<>();
        projections.values().forEach(p -> {
            if (p.aggregateTypes().contains(aggregateType)) {
                names.add(p.name());
            }
        });
        return names;
    }

    @Override
    public void start() {
        try {
            requireRegisteredTables();
        } catch (SQLException e) {
            throw new IllegalStateException("Checking the projections' tables failed: " + e.getMessage(), e);
        }
        for (Projection projection : projections.values()) {
            ProjectionMetrics meters =
                    metrics.computeIfAbsent(projection.name(), name -> new ProjectionMetrics(registry, name));
            if (!properties.enabled(projection.name())) {
                log.info("Projection {} is disabled on this instance", projection.name());
                continue;
            }
            ProjectionWorker worker = new ProjectionWorker(
                    applierFor(projection, properties.poisonPolicyOf(projection.name())),
                    dataSource,
                    () -> consumers.forGroup(projection.name()),
                    topicsOf(projection),
                    properties,
                    meters,
                    commitHooks,
                    clock);
            workers.put(projection.name(), worker);
            Thread thread = new Thread(worker, "projector-" + projection.name());
            thread.start();
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        rebuilds.values().forEach(RebuildJob::cancel);
        sharedReplays.forEach(SharedLogReplay::cancel);
        workers.values().forEach(ProjectionWorker::requestStop);
        for (ProjectionWorker worker : workers.values()) {
            try {
                if (!worker.awaitStopped(Duration.ofSeconds(15))) {
                    log.warn("Projection {} did not stop within 15 s", worker.name());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server (which stops in a later phase) has drained its requests. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    public List<ProjectionStatus> status() {
        List<ProjectionStatus> all = new ArrayList<>();
        projections.keySet().forEach(name -> all.add(status(name)));
        return all;
    }

    public ProjectionStatus status(String name) {
        Projection projection = require(name);
        ProjectionWorker worker = workers.get(name);
        ProjectionMetrics meters = metrics.get(name);
        List<ProjectionStatus.PartitionStatus> partitions = new ArrayList<>();
        if (worker != null) {
            worker.progress()
                    .forEach((tp, p) -> partitions.add(new ProjectionStatus.PartitionStatus(
                            tp.topic(), tp.partition(), p.checkpoint(), p.endOffset(), p.lag())));
            partitions.sort(Comparator.comparing(ProjectionStatus.PartitionStatus::topic)
                    .thenComparingInt(ProjectionStatus.PartitionStatus::partition));
        }
        RebuildJob job = rebuilds.get(name);
        return new ProjectionStatus(
                projection.name(),
                worker == null ? WorkerState.STOPPED : worker.state(),
                properties.poisonPolicyOf(name),
                worker == null ? 0 : worker.generation(),
                worker == null ? null : worker.haltReason(),
                worker == null ? null : worker.haltedDeadLetter(),
                worker == null ? null : worker.lastError(),
                meters == null ? 0 : meters.appliedTotal(),
                meters == null ? 0 : meters.eventsPerSecond(clock.instant()),
                partitions,
                job == null
                        ? null
                        : new ProjectionStatus.RebuildStatus(
                                job.generation(), job.phase(), job.replayed(), job.caughtUp()));
    }

    /** Starts a rebuild on this instance; returns the generation it builds. */
    public Generation rebuild(String name, String requestedBy) {
        return startTogether(List.of(begin(require(name), requestedBy))).get(0);
    }

    /**
     * Starts a rebuild of every projection at once, all replaying from one read of the log
     * (docs/adr/0036); returns the generations they build. If one of them cannot start (a rebuild
     * of it runs, or it is halted), none does.
     */
    public List<Generation> rebuildAll(String requestedBy) {
        List<RebuildJob> begun = new ArrayList<>();
        try {
            for (Projection projection : projections.values()) {
                begun.add(begin(projection, requestedBy));
            }
        } catch (RuntimeException e) {
            for (RebuildJob job : begun) {
                job.abandon(
                        "not started: another projection of the same request could not start (" + e.getMessage() + ")");
            }
            throw e;
        }
        return startTogether(begun);
    }

    /** Runs begun rebuilds, each on its own thread, from one read of the log on another. */
    private List<Generation> startTogether(List<RebuildJob> begun) {
        List<SharedLogReplay.Subscription> subscriptions = new ArrayList<>();
        begun.forEach(job -> subscriptions.add(job.subscribe()));
        SharedLogReplay replay = SharedLogReplay.of(dataSource, logReader, properties, clock, subscriptions);
        sharedReplays.add(replay);
        begun.forEach(this::launch);
        Thread reader = new Thread(
                () -> {
                    try {
                        replay.run();
                    } finally {
                        sharedReplays.remove(replay);
                    }
                },
                "rebuild-log-reader");
        reader.start();
        List<Generation> generations = new ArrayList<>();
        begun.forEach(job -> generations.add(generationOf(job)));
        return generations;
    }

    private RebuildJob begin(Projection projection, String requestedBy) {
        String name = projection.name();
        try {
            return RebuildJob.begin(
                    applierFor(projection, properties.poisonPolicyOf(name)),
                    dataSource,
                    consumers,
                    topicsOf(projection),
                    properties,
                    clock,
                    workers.get(name),
                    requestedBy);
        } catch (RebuildJob.RebuildRejected e) {
            throw new AdminException(AdminException.Kind.CONFLICT, e.getMessage());
        } catch (SQLException e) {
            throw new IllegalStateException("starting the rebuild of " + name + " failed: " + e.getMessage(), e);
        }
    }

    private void launch(RebuildJob job) {
        String name = job.projectionName();
        rebuilds.put(name, job);
        Thread thread = new Thread(
                () -> {
                    try {
                        job.run();
                    } finally {
                        rebuilds.remove(name, job);
                    }
                },
                "rebuild-" + name);
        thread.start();
    }

    private Generation generationOf(RebuildJob job) {
        return generations(job.projectionName(), 10).stream()
                .filter(g -> g.generation() == job.generation())
                .findFirst()
                .orElseThrow();
    }

    public List<Generation> generations(String name, int limit) {
        require(name);
        try (Connection connection = dataSource.getConnection()) {
            return GenerationStore.list(connection, name, limit);
        } catch (SQLException e) {
            throw new IllegalStateException("reading generations failed: " + e.getMessage(), e);
        }
    }

    public List<DeadLetter> deadLetters(String name, @Nullable String status, long afterId, int limit) {
        require(name);
        try {
            return deadLetters.list(name, status, afterId, limit);
        } catch (SQLException e) {
            throw new IllegalStateException("reading dead letters failed: " + e.getMessage(), e);
        }
    }

    public DeadLetter deadLetter(String name, long id) {
        require(name);
        try {
            return deadLetters.find(name, id);
        } catch (SQLException e) {
            throw new IllegalStateException("reading dead letter " + id + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Retries a dead letter: a parked aggregate's events are applied now, all or nothing (409
     * with the error if they still fail); a halted event's retry is filed for the halted consumer.
     */
    DeadLetterActions.Outcome retry(String name, long id, String by) {
        Projection projection = require(name);
        try {
            return deadLetters.retry(applierFor(projection, PoisonPolicy.PARK), id, by);
        } catch (SQLException e) {
            throw new IllegalStateException("retrying dead letter " + id + " failed: " + e.getMessage(), e);
        }
    }

    /** Skips a dead letter, recording who and why; the events parked behind it are retried. */
    DeadLetterActions.Outcome skip(String name, long id, String by, String reason) {
        Projection projection = require(name);
        try {
            return deadLetters.skip(applierFor(projection, PoisonPolicy.PARK), id, by, reason);
        } catch (SQLException e) {
            throw new IllegalStateException("skipping dead letter " + id + " failed: " + e.getMessage(), e);
        }
    }

    /** Open (parked or halted) dead letters of each projection's live generation. */
    public Map<String, Long> openDeadLetters() {
        try (Connection connection = dataSource.getConnection()) {
            return DeadLetterStore.countOpen(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("counting dead letters failed: " + e.getMessage(), e);
        }
    }

    private BatchApplier applierFor(Projection projection, PoisonPolicy policy) {
        return new BatchApplier(projection, policy, clock);
    }

    private Map<String, String> topicsOf(Projection projection) {
        Map<String, String> byTopic = new LinkedHashMap<>();
        projection.aggregateTypes().stream().sorted().forEach(type -> byTopic.put(topics.topicFor(type), type));
        return byTopic;
    }

    private Projection require(String name) {
        Projection projection = projections.get(name);
        if (projection == null) {
            throw new AdminException(AdminException.Kind.NOT_FOUND, "no projection named " + name);
        }
        return projection;
    }

    Optional<ProjectionWorker> worker(String name) {
        return Optional.ofNullable(workers.get(name));
    }

    /** Every table a projection names must be registered to it, or rebuilds could not swap it. */
    private void requireRegisteredTables() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(REGISTERED_TABLES)) {
            for (Projection projection : projections.values()) {
                statement.setString(1, projection.name());
                Set<String> registered = new HashSet<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        registered.add(rows.getString(1));
                    }
                }
                if (!registered.equals(Set.copyOf(projection.tables()))) {
                    throw new IllegalStateException("projection " + projection.name() + " declares tables "
                            + projection.tables() + " but projection.view_tables registers " + registered
                            + " for it; register its tables in a migration");
                }
            }
        }
    }
}
