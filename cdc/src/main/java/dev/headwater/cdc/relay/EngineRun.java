package dev.headwater.cdc.relay;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the Debezium engine with its own producer and admin client, from start until it ends
 * by itself (a failure) or is closed. A failed run is never resumed: the supervisor starts a new
 * one, which begins at the last committed offset with a fresh producer.
 */
final class EngineRun {

    private static final Logger log = LoggerFactory.getLogger(EngineRun.class);
    private static final Duration GRACEFUL_CLOSE = Duration.ofSeconds(10);

    private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private final Producer<String, byte[]> producer;
    private final Admin admin;
    private final ExecutorService executor;
    private final CompletableFuture<Optional<Throwable>> outcome = new CompletableFuture<>();

    private EngineRun(
            Properties properties,
            DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> handler,
            Producer<String, byte[]> producer,
            Admin admin) {
        this.producer = producer;
        this.admin = admin;
        this.engine = DebeziumEngine.create(ChangeEventFormat.of(io.debezium.embedded.Connect.class))
                .using(properties)
                .notifying(handler)
                .using((success, message, error) -> {
                    if (success) {
                        outcome.complete(Optional.empty());
                    } else {
                        outcome.complete(Optional.of(error != null ? error : new IllegalStateException(message)));
                    }
                })
                .build();
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cdc-engine");
            thread.setDaemon(true);
            return thread;
        });
    }

    static EngineRun start(
            Properties properties,
            DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> handler,
            Producer<String, byte[]> producer,
            Admin admin) {
        EngineRun run = new EngineRun(properties, handler, producer, admin);
        run.executor.execute(() -> {
            try {
                run.engine.run();
            } finally {
                // run() returns without a callback only on an early configuration error.
                run.outcome.complete(Optional.of(new IllegalStateException("The engine stopped")));
            }
        });
        return run;
    }

    /** Waits up to {@code timeout} for the run to end; empty when it is still running. */
    Optional<Optional<Throwable>> awaitEnd(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.of(Optional.of(e.getCause()));
        }
    }

    /**
     * Stops the engine; it commits the offset of what was acknowledged and releases the slot. A
     * batch stuck waiting for an unreachable Kafka is cut short by closing the producer, which fails
     * the batch (so nothing of it is marked).
     */
    void close() {
        // An engine that ended by itself has shut down already; closing it again only complains.
        boolean ended = outcome.isDone();
        CompletableFuture<@Nullable Void> closing = CompletableFuture.runAsync(() -> {
            if (ended) {
                return;
            }
            try {
                engine.close();
            } catch (IOException e) {
                log.warn("Closing the engine failed: {}", e.getMessage());
            }
        });
        try {
            try {
                closing.get(GRACEFUL_CLOSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.warn("The engine did not stop within {}; aborting its pending sends", GRACEFUL_CLOSE);
                producer.close(Duration.ZERO);
                closing.get(GRACEFUL_CLOSE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("The engine did not stop cleanly: {}", e.toString());
        } finally {
            // Nothing acknowledged is pending here (a batch waits for its acknowledgements), so
            // abort what is left instead of delivering it: records queued behind a failed one must
            // not reach Kafka ahead of it; the next run sends that batch again, in order.
            producer.close(Duration.ZERO);
            admin.close(Duration.ofSeconds(5));
            executor.shutdownNow();
        }
    }
}
