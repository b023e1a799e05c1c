package dev.headwater.cdc.relay;

import dev.headwater.cdc.config.CdcProperties;
import dev.headwater.cdc.leader.LeaderLock;
import dev.headwater.cdc.leader.PostgresAdvisoryLock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's state machine, on a thread of its own:
 *
 * <pre>
 * NEW ─start→ STANDBY ─lock taken→ STARTING ─engine started→ RUNNING
 * RUNNING ─engine failed (transient)→ BACKING_OFF ─backoff over, lock held→ STARTING
 * RUNNING ─engine failed (permanent)→ FAILED
 * RUNNING / BACKING_OFF / FAILED ─lock lost→ STANDBY (the engine is stopped first)
 * any ─stop→ STOPPED (engine closed, lock released)
 * </pre>
 *
 * Only the holder of the leader lock runs an engine. The backoff doubles up to its maximum and
 * starts again from the initial value once a run publishes a batch.
 */
public final class RelaySupervisor {

    private static final Logger log = LoggerFactory.getLogger(RelaySupervisor.class);
    private static final Object WAKE_UP = new Object();
    private static final Duration LOCK_CHECK_TIMEOUT = Duration.ofSeconds(2);

    private final CdcProperties settings;
    private final LeaderLock lock;
    private final EngineFactory engines;
    private final RelayMetrics metrics;
    private final Clock clock;
    private final BlockingQueue<Object> wakeUps = new LinkedBlockingQueue<>();
    private final AtomicReference<RelayState> state = new AtomicReference<>(RelayState.NEW);
    private final AtomicReference<@Nullable String> lastFailure = new AtomicReference<>();
    private volatile boolean stopRequested;
    private volatile Duration backoff;
    private volatile @Nullable Instant stateSince;
    private @Nullable EngineRun run;
    private @Nullable Thread thread;

    RelaySupervisor(CdcProperties settings, LeaderLock lock, EngineFactory engines, RelayMetrics metrics, Clock clock) {
        this.settings = settings;
        this.lock = lock;
        this.engines = engines;
        this.metrics = metrics;
        this.clock = clock;
        this.backoff = settings.restart().initialBackoff();
    }

    /** A supervisor for one slot, with the Postgres leader lock and the engine setup the service uses. */
    static RelaySupervisor create(
            CdcProperties settings,
            String bootstrapServers,
            DebeziumProperties.DatabaseLogin login,
            RelayMetrics metrics,
            RelayStateHolder holder,
            Clock clock) {
        PostgresAdvisoryLock lock = new PostgresAdvisoryLock(
                login.url(),
                login.user(),
                login.password(),
                settings.leader().lockNamespace(),
                settings.slotName(),
                LOCK_CHECK_TIMEOUT);
        EngineFactory engines = new EngineFactory(settings, bootstrapServers, login, metrics, clock);
        RelaySupervisor supervisor = new RelaySupervisor(settings, lock, engines, metrics, clock);
        holder.attach(supervisor);
        return supervisor;
    }

    public synchronized void start() {
        if (thread != null) {
            return;
        }
        transition(RelayState.STANDBY);
        Thread started = new Thread(this::loop, "cdc-supervisor-" + settings.slotName());
        started.setDaemon(false);
        thread = started;
        started.start();
    }

    /** Stops the engine (committing what Kafka acknowledged), releases the lock, waits for the thread. */
    public void stop(Duration timeout) {
        Thread running;
        synchronized (this) {
            running = thread;
            stopRequested = true;
        }
        wakeUps.offer(WAKE_UP);
        if (running == null) {
            transition(RelayState.STOPPED);
            return;
        }
        try {
            running.join(timeout.toMillis());
            if (running.isAlive()) {
                log.warn("The relay did not stop within {}", timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public RelayState state() {
        return state.get();
    }

    /** Why the last engine run failed, if one did. */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure.get());
    }

    /** Why a standby cannot even compete for the lock (its database is unreachable), if so. */
    public Optional<String> standbyProblem() {
        return state.get() == RelayState.STANDBY ? lock.lastError() : Optional.empty();
    }

    public Optional<Instant> stateSince() {
        return Optional.ofNullable(stateSince);
    }

    private void loop() {
        try {
            while (!stopRequested) {
                switch (state.get()) {
                    case STANDBY -> standBy();
                    case STARTING -> startEngine();
                    case RUNNING -> watchEngine();
                    case BACKING_OFF -> backOff();
                    case FAILED -> stayFailed();
                    default -> throw new IllegalStateException("The supervisor loop does not run in " + state.get());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.info("The relay's supervisor was interrupted; stopping");
        } catch (RuntimeException e) {
            log.error("The relay's supervisor failed; stopping", e);
            lastFailure.set(describe(e));
        } finally {
            stopEngine();
            lock.close();
            transition(RelayState.STOPPED);
        }
    }

    private void standBy() throws InterruptedException {
        if (lock.tryAcquire()) {
            transition(RelayState.STARTING);
        } else {
            pause(settings.leader().pollInterval());
        }
    }

    private void startEngine() throws InterruptedException {
        try {
            engines.precreateTopics();
            run = engines.start(
                    lock.holderPid(), () -> backoff = settings.restart().initialBackoff());
            transition(RelayState.RUNNING);
        } catch (TransientRelayFailure
                | PermanentRelayFailure
                | IllegalStateException
                | org.apache.kafka.common.KafkaException e) {
            engineFailed(e);
        }
    }

    private void watchEngine() throws InterruptedException {
        EngineRun current = run;
        if (current == null) {
            transition(RelayState.STARTING);
            return;
        }
        Optional<Optional<Throwable>> ended = current.awaitEnd(settings.leader().pollInterval());
        if (ended.isPresent()) {
            stopEngine();
            if (stopRequested) {
                return;
            }
            Throwable failure = ended.get().orElse(new IllegalStateException("The engine stopped by itself"));
            engineFailed(failure);
        } else if (!lock.isHeld()) {
            log.warn("Lost the leader lock of slot {}: stopping the engine and standing by", settings.slotName());
            stopEngine();
            transition(RelayState.STANDBY);
        }
    }

    private void engineFailed(Throwable failure) {
        lastFailure.set(describe(failure));
        if (isPermanent(failure)) {
            log.error(
                    "The relay stopped on a permanent failure and will not retry until restarted: {}",
                    describe(failure),
                    failure);
            transition(RelayState.FAILED);
        } else {
            log.warn(
                    "The engine failed; restarting from the last committed offset in {}: {}",
                    backoff,
                    describe(failure));
            log.debug("Engine failure", failure);
            metrics.engineRestarted();
            transition(RelayState.BACKING_OFF);
        }
    }

    private void backOff() throws InterruptedException {
        Duration wait = backoff;
        pause(wait);
        Duration doubled = wait.multipliedBy(2);
        backoff = doubled.compareTo(settings.restart().maxBackoff()) > 0
                ? settings.restart().maxBackoff()
                : doubled;
        transition(lock.isHeld() ? RelayState.STARTING : RelayState.STANDBY);
    }

    private void stayFailed() throws InterruptedException {
        pause(settings.leader().pollInterval());
        if (!lock.isHeld()) {
            transition(RelayState.STANDBY);
        }
    }

    private void stopEngine() {
        EngineRun current = run;
        run = null;
        if (current != null) {
            current.close();
        }
    }

    private void pause(Duration duration) throws InterruptedException {
        wakeUps.poll(duration.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void transition(RelayState next) {
        RelayState previous = state.getAndSet(next);
        if (previous != next) {
            stateSince = clock.instant();
            log.info("Relay for slot {}: {} -> {}", settings.slotName(), previous, next);
        }
    }

    static boolean isPermanent(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PermanentRelayFailure) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PermanentRelayFailure || cause instanceof TransientRelayFailure) {
                return cause.getMessage();
            }
            root = cause;
        }
        return failure.getMessage() + (root != failure ? " (" + root + ")" : "");
    }
}
