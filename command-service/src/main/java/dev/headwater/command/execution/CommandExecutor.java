package dev.headwater.command.execution;

import dev.headwater.command.eventstore.AppendResult;
import dev.headwater.command.eventstore.EventStore;
import dev.headwater.command.eventstore.WrongExpectedVersion;
import dev.headwater.command.idempotency.IdempotencyStore;
import dev.headwater.command.idempotency.StoredResponse;
import dev.headwater.web.problem.ApiProblem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a command as one transaction (DESIGN.md §4): the idempotency key is looked up, the command
 * loads its aggregates, checks invariants and appends, the response is recorded under the key, and
 * everything commits together or not at all. A command whose caller did not pin a version is run
 * again when it loses a race; a pinned one reports the loss.
 */
public final class CommandExecutor {

    private static final Logger log = LoggerFactory.getLogger(CommandExecutor.class);

    private final TransactionTemplate transactions;
    private final IdempotencyStore idempotency;
    private final EventStore eventStore;
    private final JsonMapper json;
    private final Clock clock;
    private final Duration retention;
    private final int maxAttempts;
    private final MeterRegistry meters;
    private final ConcurrentMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();

    public CommandExecutor(
            TransactionTemplate transactions,
            IdempotencyStore idempotency,
            EventStore eventStore,
            JsonMapper json,
            Clock clock,
            Duration retention,
            int maxAttempts,
            MeterRegistry meters) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        this.transactions = transactions;
        this.idempotency = idempotency;
        this.eventStore = eventStore;
        this.json = json;
        this.clock = clock;
        this.retention = retention;
        this.maxAttempts = maxAttempts;
        this.meters = meters;
    }

    /**
     * Runs {@code command} for {@code request}. The command runs inside the transaction and may be
     * run more than once, so it must have no effect outside it.
     *
     * @throws CommandRejected when an invariant refuses, or the key was used for another request
     * @throws WrongExpectedVersion when a pinned version lost a race, or every attempt did
     */
    public CommandResponse execute(CommandRequest request, Supplier<CommandOutcome> command) {
        String outcome = "error";
        try {
            CommandResponse response = runWithRetries(request, command);
            outcome = response.replayed() ? "replayed" : "succeeded";
            return response;
        } catch (CommandRejected | ApiProblem e) {
            outcome = "rejected";
            throw e;
        } catch (WrongExpectedVersion e) {
            outcome = "conflict";
            throw e;
        } finally {
            counter(request.commandType(), outcome).increment();
        }
    }

    /**
     * The counter of a command type and outcome. Registering looks the meter up by its name and
     * tags, which costs more than the increment; there are a few dozen pairs, so each is kept.
     */
    private Counter counter(String commandType, String outcome) {
        return counters.computeIfAbsent(
                new CounterKey(commandType, outcome),
                key -> Counter.builder("headwater.commands")
                        .description("Commands by type and outcome")
                        .tag("type", key.commandType())
                        .tag("outcome", key.outcome())
                        .register(meters));
    }

    private record CounterKey(String commandType, String outcome) {}

    private CommandResponse runWithRetries(CommandRequest request, Supplier<CommandOutcome> command) {
        for (int attempt = 1; ; attempt++) {
            try {
                CommandResponse response = needsTransaction(request)
                        ? transactions.execute(status -> runOnce(request, command))
                        : runOnce(request, command);
                if (response == null) {
                    throw new IllegalStateException("the transaction returned no response");
                }
                return response;
            } catch (WrongExpectedVersion e) {
                if (request.pinned() || attempt >= maxAttempts) {
                    throw e.actualVersion() == null ? e.withActualVersion(eventStore.currentVersion(e.stream())) : e;
                }
                log.debug(
                        "{} lost a race on {} (attempt {}), running it again",
                        request.commandType(),
                        e.stream(),
                        attempt);
            } catch (KeyTakenConcurrently e) {
                // A concurrent request with the same key committed first; the next attempt answers from it.
                log.debug(
                        "{}: idempotency key recorded concurrently, answering from the record", request.commandType());
            } catch (PessimisticLockingFailureException e) {
                if (attempt >= maxAttempts) {
                    throw e;
                }
                log.info(
                        "{} hit a lock conflict (attempt {}), running it again: {}",
                        request.commandType(),
                        attempt,
                        e.getMessage());
            }
        }
    }

    /**
     * A single-statement command without an idempotency key runs in autocommit: its statement is
     * its own transaction, so an explicit BEGIN and COMMIT would only add a round trip (of two) to
     * every such command. Anything else runs in one transaction with its key's record.
     */
    static boolean needsTransaction(CommandRequest request) {
        return !request.singleStatement() || request.idempotencyKey() != null;
    }

    private CommandResponse runOnce(CommandRequest request, Supplier<CommandOutcome> command) {
        Instant now = clock.instant();
        String key = request.idempotencyKey();
        if (key != null) {
            Optional<StoredResponse> stored = idempotency.find(request.scope(), key, now);
            if (stored.isPresent()) {
                return replay(request, stored.get());
            }
        }
        CommandOutcome outcome = command.get();
        CommandResponse response = response(outcome, false);
        if (key != null) {
            CommandResponse kept = outcome.secretFields().isEmpty() ? response : response(outcome, true);
            StoredResponse record = new StoredResponse(
                    request.requestHash(), kept.status(), kept.body(), kept.consistencyToken(), kept.location());
            if (!idempotency.record(request.scope(), key, record, now, now.plus(retention))) {
                throw new KeyTakenConcurrently();
            }
        }
        return response;
    }

    private static CommandResponse replay(CommandRequest request, StoredResponse stored) {
        if (!stored.requestHash().equals(request.requestHash())) {
            throw new CommandRejected(
                    CommandRejected.Reason.IDEMPOTENCY_KEY_REUSED,
                    "This Idempotency-Key was used for a different request; use a new key for a new request.",
                    "Idempotency-Key");
        }
        return new CommandResponse(stored.status(), stored.body(), stored.consistencyToken(), stored.location(), true);
    }

    /** The standard fields first, then the command's own; secrets left out of a stored copy. */
    private CommandResponse response(CommandOutcome outcome, boolean forStorage) {
        AppendResult append = outcome.append();
        String token = append.consistencyToken().encode();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("aggregateType", append.stream().aggregateType());
        body.put("aggregateId", append.stream().aggregateId());
        body.put("version", append.newVersion());
        body.put("globalPositions", append.globalPositions());
        body.put("consistencyToken", token);
        outcome.fields().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .filter(field -> !(forStorage && outcome.secretFields().contains(field.getKey())))
                .forEach(field -> body.put(field.getKey(), field.getValue()));
        return new CommandResponse(outcome.status(), json.writeValueAsString(body), token, outcome.location(), false);
    }

    /** Rolls the attempt back; the next one finds the concurrent request's record. */
    private static final class KeyTakenConcurrently extends RuntimeException {
        KeyTakenConcurrently() {
            super("idempotency key recorded by a concurrent request", null, false, false);
        }
    }
}
