package dev.headwater.projector.runtime;

import dev.headwater.contract.EventEnvelope;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One read of the log for the replays of several rebuilds started together (docs/adr/0036). A
 * single thread pages through {@code event_log.events} for the union of the rebuilds' aggregate
 * types, exactly as a lone rebuild's replay does (same query, same commit-visibility rule), and
 * hands every page, cut down to each rebuild's own aggregate types, to each rebuild in log order
 * through a short queue. It ends once the snapshot xmin has passed the latest of the rebuilds'
 * horizons (so each rebuild's own horizon is passed too). The rebuilds apply their pages on their
 * own threads; the slowest sets the pace, which bounds the pages held in memory.
 */
final class SharedLogReplay implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SharedLogReplay.class);

    /** Pages a rebuild may have waiting: enough to overlap reading and applying, little memory. */
    private static final int QUEUED_PAGES = 2;

    private static final long OFFER_WAIT_MILLIS = 100;

    private final DataSource dataSource;
    private final EventLogReader reader;
    private final ProjectorProperties properties;
    private final Clock clock;
    private final List<Subscription> subscriptions;
    private final List<String> types;
    private final String horizon;
    private final CountDownLatch cancelled = new CountDownLatch(1);

    /**
     * What a rebuild receives: a page of its events, the end of the replay, or why the read failed.
     * {@code events} null and {@code failure} null is the end.
     */
    record Delivery(
            @Nullable List<EventEnvelope> events, @Nullable String failure) {
        static final Delivery END = new Delivery(null, null);
    }

    /** One rebuild's side of the shared read. */
    static final class Subscription {
        private final Set<String> types;
        private final String horizon;
        private final BlockingQueue<Delivery> queue = new ArrayBlockingQueue<>(QUEUED_PAGES);
        private volatile boolean left;

        Subscription(Set<String> types, String horizon) {
            if (types.isEmpty()) {
                throw new IllegalArgumentException("a subscription needs at least one aggregate type");
            }
            this.types = Set.copyOf(types);
            this.horizon = horizon;
        }

        /** The next delivery, or null if none came within the wait. */
        @Nullable
        Delivery poll(long millis) throws InterruptedException {
            return queue.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** The rebuild stopped reading (done, failed or cancelled): the reader stops waiting for it. */
        void leave() {
            left = true;
            queue.clear();
        }
    }

    private SharedLogReplay(
            DataSource dataSource,
            EventLogReader reader,
            ProjectorProperties properties,
            Clock clock,
            List<Subscription> subscriptions) {
        if (subscriptions.isEmpty()) {
            throw new IllegalArgumentException("a shared replay needs at least one subscription");
        }
        this.dataSource = dataSource;
        this.reader = reader;
        this.properties = properties;
        this.clock = clock;
        this.subscriptions = List.copyOf(subscriptions);
        Set<String> union = new LinkedHashSet<>();
        String latest = subscriptions.get(0).horizon;
        for (Subscription subscription : subscriptions) {
            union.addAll(subscription.types);
            if (Long.parseUnsignedLong(subscription.horizon) > Long.parseUnsignedLong(latest)) {
                latest = subscription.horizon;
            }
        }
        this.types = List.copyOf(union);
        this.horizon = latest;
    }

    static SharedLogReplay of(
            DataSource dataSource,
            EventLogReader reader,
            ProjectorProperties properties,
            Clock clock,
            List<Subscription> subscriptions) {
        return new SharedLogReplay(dataSource, reader, properties, clock, subscriptions);
    }

    void cancel() {
        cancelled.countDown();
    }

    @Override
    public void run() {
        Instant deadline = clock.instant().plus(properties.rebuild().swapTimeout());
        EventLogReader.Position position = EventLogReader.Position.START;
        int chunk = properties.rebuild().chunkSize();
        long pages = 0;
        try {
            while (true) {
                if (stopped()) {
                    log.info("Shared log replay stopped after {} pages: no rebuild reads it any more", pages);
                    return;
                }
                EventLogReader.Page page;
                boolean passed;
                try (Connection connection = dataSource.getConnection()) {
                    page = reader.read(connection, types, position, chunk);
                    passed = page.events().size() < chunk && EventLogReader.passed(connection, horizon);
                }
                if (!page.events().isEmpty()) {
                    deliver(page.events());
                    position = page.next();
                    pages++;
                }
                if (passed) {
                    for (Subscription subscription : subscriptions) {
                        offer(subscription, Delivery.END);
                    }
                    log.info("Shared log replay for {} rebuilds read {} pages", subscriptions.size(), pages);
                    return;
                }
                if (page.events().isEmpty()) {
                    if (clock.instant().isAfter(deadline)) {
                        throw new IllegalStateException("transactions older than the rebuild are still open after "
                                + properties.rebuild().swapTimeout() + "; the replay cannot be complete");
                    }
                    // Waiting for transactions that were open when the rebuilds began to end.
                    cancelled.await(50, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failAll("interrupted");
        } catch (SQLException | RuntimeException e) {
            log.error("Shared log replay failed", e);
            failAll("reading the log failed: " + BatchApplier.describe(e));
        }
    }

    private boolean stopped() {
        if (cancelled.getCount() == 0) {
            return true;
        }
        for (Subscription subscription : subscriptions) {
            if (!subscription.left) {
                return false;
            }
        }
        return true;
    }

    /** Each rebuild gets the page's events of its own types, in log order; none if it has none. */
    private void deliver(List<EventEnvelope> events) throws InterruptedException {
        for (Subscription subscription : subscriptions) {
            List<EventEnvelope> own;
            if (subscription.types.containsAll(types)) {
                own = events;
            } else {
                own = new ArrayList<>();
                for (EventEnvelope event : events) {
                    if (subscription.types.contains(event.aggregateType())) {
                        own.add(event);
                    }
                }
            }
            if (!own.isEmpty()) {
                offer(subscription, new Delivery(List.copyOf(own), null));
            }
        }
    }

    private void failAll(String reason) {
        for (Subscription subscription : subscriptions) {
            // Room for the failure even if the queue is full: what it holds is of no use any more.
            subscription.queue.clear();
            subscription.queue.offer(new Delivery(null, reason));
        }
    }

    /** Waits while the rebuild's queue is full, unless the rebuild left or the replay is cancelled. */
    private void offer(Subscription subscription, Delivery delivery) throws InterruptedException {
        while (!subscription.left && cancelled.getCount() > 0) {
            if (subscription.queue.offer(delivery, OFFER_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }
}
