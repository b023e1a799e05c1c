package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.RETURNS_DEFAULTS;
import static org.mockito.Mockito.mock;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * An operator's retry or skip of a halted event is only filed on its row; the halted consumer
 * carries it out on its next turn. A request reads the row, files the action, and reads the row
 * again for the answer, each on a connection of its own, and the consumer can move in either gap.
 * These tests put the consumer's move into each gap on purpose (a data source that runs a step
 * before it hands out a given connection), so the outcome does not depend on timing.
 */
class HaltedDeadLetterRequestIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    static final String OPERATOR = "ops@example.test";

    /** The connections a request takes for a halted row, in order. */
    static final int READ = 1;

    static final int FILE = 2;
    static final int READ_AGAIN = 3;

    @Test
    void a_skip_the_consumer_carried_out_before_the_row_was_read_again_is_answered_as_filed_with_the_settled_row()
            throws Exception {
        long id = halted("request-skip");
        Steps dataSource = Steps.before(READ_AGAIN, () -> consumerCarriesOut(id));

        DeadLetterActions.Outcome outcome =
                actions(dataSource).skip(applier("request-skip"), id, OPERATOR, "the payload is beyond repair");

        // 202 (the controller answers a filed action so), with the row as it is now: skipped by the
        // consumer on the operator's behalf, which it could only do after the filing committed.
        assertThat(outcome.requested()).isTrue();
        assertThat(outcome.letter().status()).isEqualTo(DeadLetter.SKIPPED);
        assertThat(outcome.letter().resolvedBy()).isEqualTo(OPERATOR);
        assertThat(outcome.letter().resolutionNote()).isEqualTo("the payload is beyond repair");
        assertThat(outcome.letter().requestedAction()).isNull();
        assertThat(dataSource.handedOut()).isEqualTo(READ_AGAIN);
    }

    @Test
    void a_retry_the_consumer_carried_out_before_the_row_was_read_again_is_answered_as_filed_with_the_applied_row()
            throws Exception {
        long id = halted("request-retry");

        DeadLetterActions.Outcome outcome = actions(Steps.before(READ_AGAIN, () -> consumerCarriesOut(id)))
                .retry(applier("request-retry"), id, OPERATOR);

        assertThat(outcome.requested()).isTrue();
        assertThat(outcome.letter().status()).isEqualTo(DeadLetter.APPLIED);
        assertThat(outcome.letter().resolvedBy()).isEqualTo(OPERATOR);
        assertThat(outcome.letter().requestedAction()).isNull();
    }

    @Test
    void a_row_the_consumer_settled_after_it_was_read_is_a_conflict_and_no_action_is_filed() throws Exception {
        long id = halted("request-late");
        // The consumer's own retry of the batch succeeded between the request's read and its filing.
        Steps dataSource = Steps.before(FILE, () -> settle(id, DeadLetter.APPLIED, null, "applied on retry"));

        assertThatThrownBy(() -> actions(dataSource).skip(applier("request-late"), id, OPERATOR, "too late"))
                .isInstanceOf(AdminException.class)
                .hasMessageContaining("no longer halted")
                .satisfies(e -> assertThat(((AdminException) e).kind()).isEqualTo(AdminException.Kind.CONFLICT));

        DeadLetter row = read(id);
        assertThat(row.status()).isEqualTo(DeadLetter.APPLIED);
        assertThat(row.requestedAction()).isNull();
        assertThat(row.requestedBy()).isNull();
        assertThat(row.resolvedBy()).isNull();
    }

    @Test
    void without_a_move_of_the_consumer_the_action_is_filed_and_the_row_stays_halted() throws Exception {
        long id = halted("request-quiet");

        DeadLetterActions.Outcome outcome =
                actions(postgres.dataSource(DbRole.PROJECTOR)).retry(applier("request-quiet"), id, OPERATOR);

        assertThat(outcome.requested()).isTrue();
        assertThat(outcome.letter().status()).isEqualTo(DeadLetter.HALTED);
        assertThat(outcome.letter().requestedAction()).isEqualTo("retry");
        assertThat(outcome.letter().requestedBy()).isEqualTo(OPERATOR);
    }

    /**
     * What the halted consumer does with a filed action (ProjectionWorker#whileHalted): a skip is
     * resolved in the name of whoever filed it; a retry resolves the row as applied once the held
     * batch went through (BatchApplier's resolveHalted, on the consumer's behalf).
     */
    private static void consumerCarriesOut(long id) throws SQLException {
        DeadLetter filed = read(id);
        assertThat(filed.requestedAction())
                .as("the action is filed before the row is read again")
                .isNotNull();
        if ("skip".equals(filed.requestedAction())) {
            settle(id, DeadLetter.SKIPPED, filed.requestedBy(), filed.requestedNote());
        } else {
            String note = filed.requestedNote();
            settle(id, DeadLetter.APPLIED, filed.requestedBy(), note == null ? "applied on retry" : note);
        }
    }

    private static void settle(long id, String status, @Nullable String by, String note) throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            assertThat(DeadLetterStore.resolve(connection, id, status, by, note, Instant.now()))
                    .isTrue();
        }
    }

    private static DeadLetter read(long id) throws SQLException {
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            return DeadLetterStore.find(connection, id).orElseThrow();
        }
    }

    /** A halted row of a projection of its own, as a consumer that stopped at an event writes it. */
    private static long halted(String projection) throws SQLException {
        EventEnvelope event = new EventEnvelope(
                UUID.randomUUID(),
                "acme",
                "widget",
                "w-1",
                3,
                "WidgetTurned",
                1,
                JsonNodeFactory.instance.objectNode(),
                EventMetadata.empty(),
                Instant.parse("2026-01-01T00:00:00Z"),
                42,
                null);
        try (Connection connection = postgres.dataSource(DbRole.PROJECTOR).getConnection()) {
            return DeadLetterStore.recordHalted(
                    connection, projection, 1, Incoming.replayed(event), "the handler threw", 5, Instant.now());
        }
    }

    private static DeadLetterActions actions(DataSource dataSource) {
        return new DeadLetterActions(dataSource, Clock.systemUTC());
    }

    /**
     * An applier whose projection is only a name: a request for a halted row reads no more of it,
     * and anything else it asked for would fail the test.
     */
    private static BatchApplier applier(String name) {
        Projection projection = mock(Projection.class, invocation -> {
            if (invocation.getMethod().getName().equals("name")) {
                return name;
            }
            if (invocation.getMethod().getDeclaringClass() != Projection.class) {
                return RETURNS_DEFAULTS.answer(invocation);
            }
            throw new AssertionError("a request for a halted row called Projection."
                    + invocation.getMethod().getName());
        });
        return new BatchApplier(projection, PoisonPolicy.HALT, Clock.systemUTC());
    }

    private interface Step {
        void run() throws SQLException;
    }

    /** Hands out the projector's connections, running a step before the n-th one. */
    private static final class Steps extends DelegatingDataSource {

        private final Map<Integer, Step> steps = new HashMap<>();
        private int handedOut;

        private Steps() {
            super(postgres.dataSource(DbRole.PROJECTOR));
        }

        static Steps before(int connection, Step step) {
            Steps steps = new Steps();
            steps.steps.put(connection, step);
            return steps;
        }

        int handedOut() {
            return handedOut;
        }

        @Override
        public Connection getConnection() throws SQLException {
            handedOut++;
            Step step = steps.remove(handedOut);
            if (step != null) {
                step.run();
            }
            return super.getConnection();
        }
    }
}
