package dev.headwater.projector.runtime;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.ContractViolation;
import dev.headwater.contract.EventEnvelope;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * An operator's retry or skip of a dead letter. A parked aggregate is retried here, under the
 * projection's exclusive batch lock (no live batch runs meanwhile): its parked events are applied
 * in version order, all or nothing. A halted event is retried or skipped by the halted consumer,
 * which holds the batch; here the request is only filed on the row.
 */
final class DeadLetterActions {

    private final DataSource dataSource;
    private final Clock clock;
    private final CloudEventCodec codec = new CloudEventCodec();

    /**
     * The dead letter after the action, and whether the action was only filed for the halted
     * consumer (which may have carried it out already by the time the row was read again).
     */
    record Outcome(DeadLetter letter, boolean requested) {}

    DeadLetterActions(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    Outcome retry(BatchApplier parkApplier, long id, String by) throws SQLException {
        DeadLetter letter = find(parkApplier.projection().name(), id);
        if (DeadLetter.HALTED.equals(letter.status())) {
            return request(letter, "retry", by, null);
        }
        requireParkedInLiveGeneration(letter);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                String failure = retryAggregate(connection, parkApplier, letter, by);
                if (failure == null) {
                    connection.commit();
                } else {
                    connection.rollback();
                    recordFailedRetry(connection, letter, failure);
                    throw new AdminException(
                            AdminException.Kind.CONFLICT, "the retry failed and the events stay parked: " + failure);
                }
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        return new Outcome(find(letter.projection(), id), false);
    }

    Outcome skip(BatchApplier parkApplier, long id, String by, String reason) throws SQLException {
        DeadLetter letter = find(parkApplier.projection().name(), id);
        if (DeadLetter.HALTED.equals(letter.status())) {
            return request(letter, "skip", by, reason);
        }
        requireParkedInLiveGeneration(letter);
        if (!DeadLetter.CAUSE_FAILED.equals(letter.cause())) {
            throw new AdminException(
                    AdminException.Kind.CONFLICT,
                    "dead letter " + id + " is parked behind an earlier event of its aggregate; skip that one");
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                GenerationStore.lockExclusive(connection, letter.projection());
                if (!DeadLetterStore.resolve(connection, id, DeadLetter.SKIPPED, by, reason, clock.instant())) {
                    throw new AdminException(
                            AdminException.Kind.CONFLICT, "dead letter " + id + " is no longer parked");
                }
                if (letter.aggregateVersion() != null) {
                    // Skipped counts as applied without effect: the next version follows it.
                    AppliedVersionStore.store(
                            connection,
                            letter.projection(),
                            letter.generation(),
                            Map.of(
                                    new AggregateKey(letter.aggregateType(), letter.aggregateId()),
                                    letter.aggregateVersion()));
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
        // The events parked behind it were waiting only for it; give them their chance now. If
        // they fail, the skip stands and they stay parked with the error.
        List<DeadLetter> rest = parked(letter);
        if (!rest.isEmpty()) {
            try {
                retry(parkApplier, rest.get(0).id(), by);
            } catch (AdminException e) {
                // Reported through the rows themselves; the skip succeeded.
            }
        }
        return new Outcome(find(letter.projection(), id), false);
    }

    /** Applies the aggregate's parked events; returns why not, or null on success. */
    private @Nullable String retryAggregate(Connection connection, BatchApplier applier, DeadLetter letter, String by)
            throws SQLException {
        GenerationStore.lockExclusive(connection, letter.projection());
        AggregateKey aggregate = new AggregateKey(letter.aggregateType(), letter.aggregateId());
        List<DeadLetter> rows =
                DeadLetterStore.parkedOf(connection, letter.projection(), letter.generation(), aggregate);
        if (rows.stream().noneMatch(row -> row.id() == letter.id())) {
            throw new AdminException(
                    AdminException.Kind.CONFLICT, "dead letter " + letter.id() + " is no longer parked");
        }
        List<Incoming> items = new ArrayList<>();
        for (DeadLetter row : rows) {
            EventEnvelope event;
            try {
                event = codec.decode(row.record().getBytes(StandardCharsets.UTF_8));
            } catch (ContractViolation e) {
                return "dead letter " + row.id() + " still does not follow the contract: " + e.getMessage();
            }
            items.add(Incoming.replayed(event));
            DeadLetterStore.resolve(connection, row.id(), DeadLetter.APPLIED, by, "retried", clock.instant());
        }
        try {
            BatchApplier.Result result = applier.apply(
                    connection,
                    BatchApplier.Target.live(letter.generation()),
                    items,
                    Map.of(),
                    BatchApplier.Mode.FAST,
                    letter.attempts());
            if (result.parked() > 0) {
                return "an event of " + aggregate + " is still out of order or undecodable";
            }
            return null;
        } catch (BatchApplier.HandlerFailed e) {
            return e.getMessage();
        } catch (BatchApplier.GenerationChanged e) {
            throw new AdminException(AdminException.Kind.CONFLICT, e.getMessage());
        }
    }

    private void recordFailedRetry(Connection connection, DeadLetter letter, String failure) throws SQLException {
        try (var statement = connection.prepareStatement(
                "UPDATE projection.dead_letters SET attempts = attempts + 1, error = ? WHERE id = ? AND status = 'parked'")) {
            statement.setString(1, failure);
            statement.setLong(2, letter.id());
            statement.executeUpdate();
        }
        connection.commit();
    }

    private Outcome request(DeadLetter letter, String action, String by, @Nullable String note) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            if (!DeadLetterStore.request(connection, letter.id(), action, by, note, clock.instant())) {
                throw new AdminException(
                        AdminException.Kind.CONFLICT, "dead letter " + letter.id() + " is no longer halted");
            }
        }
        return new Outcome(find(letter.projection(), letter.id()), true);
    }

    private void requireParkedInLiveGeneration(DeadLetter letter) throws SQLException {
        if (!DeadLetter.PARKED.equals(letter.status())) {
            throw new AdminException(
                    AdminException.Kind.CONFLICT,
                    "dead letter " + letter.id() + " is " + letter.status() + ", not parked");
        }
        try (Connection connection = dataSource.getConnection()) {
            long live = GenerationStore.live(connection, letter.projection()).orElse(-1);
            if (live != letter.generation()) {
                throw new AdminException(
                        AdminException.Kind.CONFLICT,
                        "dead letter " + letter.id() + " belongs to generation " + letter.generation()
                                + ", which is no longer live");
            }
        }
    }

    private List<DeadLetter> parked(DeadLetter letter) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return DeadLetterStore.parkedOf(
                    connection,
                    letter.projection(),
                    letter.generation(),
                    new AggregateKey(letter.aggregateType(), letter.aggregateId()));
        }
    }

    DeadLetter find(String projection, long id) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return DeadLetterStore.find(connection, id)
                    .filter(letter -> letter.projection().equals(projection))
                    .orElseThrow(() -> new AdminException(
                            AdminException.Kind.NOT_FOUND, "projection " + projection + " has no dead letter " + id));
        }
    }

    List<DeadLetter> list(String projection, @Nullable String status, long afterId, int limit) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return DeadLetterStore.list(connection, projection, status, afterId, limit);
        }
    }
}
