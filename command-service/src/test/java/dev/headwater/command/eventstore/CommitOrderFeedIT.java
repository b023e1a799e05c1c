package dev.headwater.command.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The catch-up feed against the way real writers behave: many concurrent transactions that commit
 * in another order than they took their positions, some rolled back, and one held open while
 * later ones commit. A reader that follows the cursor must see every committed event once, never
 * a rolled-back one, and never pass the open transaction.
 */
class CommitOrderFeedIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    final JsonMapper json = JsonMapper.builder().build();
    /** One data source for the store and the transactions, so the store's statements join them. */
    final DataSource app = postgres.dataSource(DbRole.APP);

    final JdbcEventStore store = new JdbcEventStore(new JdbcTemplate(app), json, new SimpleMeterRegistry());
    final TransactionTemplate transactions = new TransactionTemplate(new DataSourceTransactionManager(app));

    /** A reader that pages through the feed with a small page, as a slow consumer would. */
    final class Reader {
        FeedCursor cursor = FeedCursor.START;
        final List<UUID> seen = new ArrayList<>();

        int poll() {
            FeedPage page = store.readAll(cursor, 7, null);
            page.events().forEach(event -> seen.add(event.eventId()));
            assertThat(page.next().transactionId() > cursor.transactionId()
                            || (page.next().transactionId() == cursor.transactionId()
                                    && page.next().globalPosition() >= cursor.globalPosition()))
                    .as("the cursor never moves backwards")
                    .isTrue();
            cursor = page.next();
            return page.events().size();
        }

        void drain() {
            while (poll() > 0) {
                // keep paging
            }
        }
    }

    @Test
    void the_feed_never_skips_or_repeats_an_event_whatever_order_writers_commit_in() throws Exception {
        Reader reader = new Reader();
        reader.drain(); // past what other tests wrote
        reader.seen.clear();
        Set<UUID> committed = Collections.synchronizedSet(new HashSet<>());
        Set<UUID> rolledBack = Collections.synchronizedSet(new HashSet<>());

        // A transaction that appends and then stays open while everyone else commits.
        CountDownLatch heldAppended = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(5);
        List<UUID> heldEvents = List.of(UUID.randomUUID(), UUID.randomUUID());
        Future<?> held = threads.submit(() -> transactions.executeWithoutResult(status -> {
            store.append(
                    new StreamId("order", "held-" + UUID.randomUUID()),
                    "acme",
                    ExpectedVersion.noStream(),
                    heldEvents.stream().map(this::event).toList());
            heldAppended.countDown();
            JdbcEventStoreIT.await(release);
        }));
        assertThat(heldAppended.await(10, TimeUnit.SECONDS)).isTrue();

        // Writers that start after it (so their transaction ids are higher), some rolling back.
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            writers.add(threads.submit(() -> {
                for (int i = 0; i < 40; i++) {
                    List<UUID> ids = new ArrayList<>();
                    int count = 1 + ThreadLocalRandom.current().nextInt(3);
                    for (int e = 0; e < count; e++) {
                        ids.add(UUID.randomUUID());
                    }
                    boolean rollback = ThreadLocalRandom.current().nextInt(10) < 3;
                    transactions.executeWithoutResult(status -> {
                        store.append(
                                new StreamId("order", "w-" + UUID.randomUUID()),
                                "acme",
                                ExpectedVersion.noStream(),
                                ids.stream().map(this::event).toList());
                        if (rollback) {
                            status.setRollbackOnly();
                        }
                    });
                    (rollback ? rolledBack : committed).addAll(ids);
                }
            }));
        }

        // While the early transaction is open the reader polls along, and must not pass it.
        while (writers.stream().anyMatch(writer -> !writer.isDone())) {
            reader.poll();
        }
        for (Future<?> writer : writers) {
            writer.get(60, TimeUnit.SECONDS);
        }
        reader.drain();
        assertThat(reader.seen)
                .as("nothing committed after the open transaction began is visible while it is open")
                .doesNotContainAnyElementsOf(committed)
                .doesNotContainAnyElementsOf(heldEvents);

        release.countDown();
        held.get(10, TimeUnit.SECONDS);
        committed.addAll(heldEvents);

        try {
            await("the reader catches up with every committed event")
                    .atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        reader.poll();
                        return reader.seen.size() >= committed.size();
                    });
        } catch (ConditionTimeoutException e) {
            // The feed waits for every older transaction in the cluster; name the ones still open.
            throw new AssertionError(
                    e.getMessage() + "; seen " + reader.seen.size() + " of " + committed.size()
                            + "; transactions holding the snapshot horizon back: " + openTransactions(),
                    e);
        }
        reader.drain();
        threads.shutdownNow();

        assertThat(reader.seen).as("no event twice").doesNotHaveDuplicates();
        assertThat(new HashSet<>(reader.seen))
                .as("every committed event, nothing else")
                .isEqualTo(committed);
        assertThat(reader.seen).doesNotContainAnyElementsOf(rolledBack);
        assertThat(reader.seen.subList(0, heldEvents.size()))
                .as("the early transaction's events come first: commit-visibility order is by transaction id")
                .containsExactlyElementsOf(heldEvents);
    }

    @Test
    void a_tenant_filtered_feed_holds_only_that_tenants_events() {
        StreamId mine = new StreamId("order", "mine-" + UUID.randomUUID());
        StreamId theirs = new StreamId("order", "theirs-" + UUID.randomUUID());
        store.append(mine, "tenant-a", ExpectedVersion.any(), List.of(event(UUID.randomUUID())));
        store.append(theirs, "tenant-b", ExpectedVersion.any(), List.of(event(UUID.randomUUID())));

        FeedPage page = store.readAll(FeedCursor.START, 1000, "tenant-a");

        assertThat(page.events()).extracting(EventEnvelope::tenantId).containsOnly("tenant-a");
        assertThat(page.events()).extracting(EventEnvelope::aggregateId).contains(mine.aggregateId());
    }

    @Test
    void a_cursor_survives_its_text_form() {
        FeedCursor cursor = new FeedCursor(123_456_789_012L, 42);
        assertThat(FeedCursor.parse(cursor.encode())).isEqualTo(cursor);
    }

    private List<String> openTransactions() {
        return new JdbcTemplate(postgres.database().superuserDataSource()).queryForList("""
                SELECT datname || ' pid ' || pid || ' ' || state || ' for ' || (now() - xact_start)
                       || ': ' || left(query, 80)
                  FROM pg_stat_activity
                 WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
                 ORDER BY xact_start""", String.class);
    }

    private NewEvent event(UUID id) {
        return new NewEvent(id, "Happened", 1, json.createObjectNode(), EventMetadata.empty());
    }
}
