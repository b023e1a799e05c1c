package dev.headwater.command.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.command.eventstore.AppendResult;
import dev.headwater.command.eventstore.EventStore;
import dev.headwater.command.eventstore.StreamId;
import dev.headwater.command.idempotency.IdempotencyStore;
import dev.headwater.command.idempotency.StoredResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

class CommandExecutorTest {

    private final CountingTransactions transactions = new CountingTransactions();
    private final RecordingIdempotency idempotency = new RecordingIdempotency();
    private final CommandExecutor executor = new CommandExecutor(
            new TransactionTemplate(transactions),
            idempotency,
            unusedEventStore(),
            JsonMapper.builder().build(),
            Clock.systemUTC(),
            Duration.ofHours(24),
            3,
            new SimpleMeterRegistry());

    @Test
    void a_single_statement_command_without_a_key_runs_in_autocommit_without_a_transaction_of_its_own() {
        CommandResponse response = executor.execute(request(null, true), CommandExecutorTest::appended);

        assertThat(response.status()).isEqualTo(201);
        assertThat(transactions.begun).as("transactions begun").isZero();
    }

    @Test
    void a_single_statement_command_with_a_key_runs_in_one_transaction_with_the_keys_record() {
        executor.execute(request("key-1", true), CommandExecutorTest::appended);

        assertThat(transactions.begun).isEqualTo(1);
        assertThat(transactions.committed).isEqualTo(1);
        assertThat(idempotency.records).containsKey("key-1");
    }

    @Test
    void any_other_command_runs_in_one_transaction_even_without_a_key() {
        executor.execute(request(null, false), CommandExecutorTest::appended);

        assertThat(transactions.begun).isEqualTo(1);
        assertThat(transactions.committed).isEqualTo(1);
    }

    private static CommandRequest request(String key, boolean singleStatement) {
        return new CommandRequest("stream.append", "acme", key, key == null ? "" : "hash", false, singleStatement);
    }

    private static CommandOutcome appended() {
        return CommandOutcome.created(
                new AppendResult(new StreamId("order", "o-1"), 1, List.of(7L)),
                "/v1/streams/order/o-1/events",
                Map.of());
    }

    private static EventStore unusedEventStore() {
        return (EventStore) Proxy.newProxyInstance(
                EventStore.class.getClassLoader(), new Class<?>[] {EventStore.class}, (proxy, method, args) -> {
                    throw new AssertionError("the executor should not call the event store here: " + method);
                });
    }

    /** Counts transactions begun and committed; does nothing else. */
    private static final class CountingTransactions extends AbstractPlatformTransactionManager {
        int begun;
        int committed;

        @Override
        protected Object doGetTransaction() {
            return new Object();
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {
            begun++;
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
            committed++;
        }

        @Override
        protected void doRollback(DefaultTransactionStatus status) {}
    }

    private static final class RecordingIdempotency implements IdempotencyStore {
        final Map<String, StoredResponse> records = new HashMap<>();

        @Override
        public Optional<StoredResponse> find(String scope, String key, Instant now) {
            return Optional.ofNullable(records.get(key));
        }

        @Override
        public boolean record(String scope, String key, StoredResponse response, Instant now, Instant expiresAt) {
            return records.putIfAbsent(key, response) == null;
        }

        @Override
        public int deleteExpired(Instant now, int limit) {
            return 0;
        }
    }
}
