package dev.headwater.e2e.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The command API as a careful client uses it: every command carries an idempotency key, and
 * whatever leaves its fate open (503, a reset connection, a timeout) is sent again with the same
 * key until a definite answer arrives: an acknowledgement (perhaps replayed from the service's
 * record) or a refusal. A 500 is a broken promise: it is recorded, and the command sent again.
 */
final class CommandApi {

    /** Refusals that settle a command: it did not happen, and sending it again changes nothing. */
    private static final Set<Integer> DEFINITE_REFUSALS = Set.of(400, 401, 403, 404, 409, 412, 413, 415, 422);

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_BACKOFF_MS = 1_000;

    sealed interface Outcome permits Accepted, Refused, NoAnswer {}

    /** 200 or 201; {@code replayed} when the service answered from the idempotency record. */
    record Accepted(JsonNode body, boolean replayed) implements Outcome {
        String consistencyToken() {
            return body.path("consistencyToken").asString();
        }

        long version() {
            return body.path("version").asLong();
        }
    }

    record Refused(int status, String type, String detail) implements Outcome {}

    /** No definite answer before the client gave up; the command may or may not have happened. */
    record NoAnswer(String lastError) implements Outcome {}

    private final HttpClient http;
    private final URI base;
    private final String token;
    private final JsonMapper json;
    private final Duration giveUpAfter;

    CommandApi(HttpClient http, String baseUrl, String token, JsonMapper json, Duration giveUpAfter) {
        this.http = http;
        this.base = URI.create(baseUrl);
        this.token = token;
        this.json = json;
        this.giveUpAfter = giveUpAfter;
    }

    Outcome send(CommandRequest command, LoadStats stats) throws InterruptedException {
        long started = System.nanoTime();
        Outcome outcome = sendUntilAnswered(command, stats, started + giveUpAfter.toNanos());
        if (!(outcome instanceof NoAnswer)) {
            stats.latency(System.nanoTime() - started);
        }
        return outcome;
    }

    private Outcome sendUntilAnswered(CommandRequest command, LoadStats stats, long deadline)
            throws InterruptedException {
        String lastError = "not sent";
        for (int attempt = 1; ; attempt++) {
            if (attempt > 1) {
                stats.retried();
            }
            long backoff = Math.min(MAX_BACKOFF_MS, 50L << Math.min(attempt, 5));
            try {
                HttpResponse<String> response = http.send(request(command), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                stats.commandAnswer(Integer.toString(status));
                if (status == 200 || status == 201) {
                    boolean replayed = "true"
                            .equals(response.headers()
                                    .firstValue("Idempotent-Replayed")
                                    .orElse(""));
                    return new Accepted(json.readTree(response.body()), replayed);
                }
                JsonNode problem = parseQuietly(response.body());
                String type = problem == null ? "" : problem.path("type").asString("");
                String detail = problem == null
                        ? response.body()
                        : problem.path("detail").asString("");
                if (DEFINITE_REFUSALS.contains(status)) {
                    return new Refused(status, type, detail);
                }
                if (status == 500) {
                    stats.anomaly("command API answered 500 to " + command.label() + ": " + detail);
                }
                lastError = status + " " + type + " " + detail;
                backoff = Math.max(backoff, retryAfter(response));
            } catch (HttpTimeoutException e) {
                stats.commandAnswer("timeout");
                lastError = e.toString();
            } catch (IOException e) {
                stats.commandAnswer("connection error");
                lastError = e.toString();
            }
            if (System.nanoTime() > deadline) {
                return new NoAnswer(lastError);
            }
            TimeUnit.MILLISECONDS.sleep(backoff);
        }
    }

    private HttpRequest request(CommandRequest command) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(command.path()))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Idempotency-Key", command.idempotencyKey())
                .header("Accept", "application/json");
        if (command.body() == null) {
            builder.method(command.method(), HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json")
                    .method(command.method(), HttpRequest.BodyPublishers.ofString(command.body()));
        }
        return builder.build();
    }

    private static long retryAfter(HttpResponse<String> response) {
        try {
            long seconds = Long.parseLong(
                    response.headers().firstValue("Retry-After").orElse("0").trim());
            return Math.min(MAX_BACKOFF_MS, seconds * 1000);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private @Nullable JsonNode parseQuietly(String body) {
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            return null;
        }
    }
}
