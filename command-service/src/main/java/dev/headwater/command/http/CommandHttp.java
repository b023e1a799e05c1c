package dev.headwater.command.http;

import dev.headwater.command.controlplane.ControlPlane;
import dev.headwater.command.eventstore.ExpectedVersion;
import dev.headwater.command.eventstore.WrongExpectedVersion;
import dev.headwater.command.execution.CommandExecutor;
import dev.headwater.command.execution.CommandOutcome;
import dev.headwater.command.execution.CommandRejected;
import dev.headwater.command.execution.CommandRequest;
import dev.headwater.command.execution.CommandResponse;
import dev.headwater.contract.ConsistencyToken;
import dev.headwater.contract.EventMetadata;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.problem.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a command for an HTTP request: reads {@code Idempotency-Key}, {@code If-Match},
 * {@code traceparent} and {@code X-Correlation-Id}, builds the events' metadata, hands the command
 * to the {@link CommandExecutor} and renders its response or refusal.
 */
@Component
public class CommandHttp {

    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
    public static final String CORRELATION_ID = "X-Correlation-Id";
    public static final String TRACEPARENT = "traceparent";

    /** Printable ASCII without spaces, as the IETF idempotency-key draft allows for a key. */
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

    /** W3C Trace Context, version 00 or a later one; all-zero ids are invalid. */
    private static final Pattern TRACEPARENT_SHAPE =
            Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private static final Pattern CORRELATION = Pattern.compile("[\\x21-\\x7E]{1,128}");
    private static final Pattern IF_MATCH = Pattern.compile("(?:W/)?\"?(\\d{1,18})\"?");

    private final CommandExecutor executor;
    private final JsonMapper json;

    public CommandHttp(CommandExecutor executor, JsonMapper json) {
        this.executor = executor;
        this.json = json;
    }

    /** The version an {@code If-Match} header pins, or "any" without one. */
    public static ExpectedVersion ifMatch(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.IF_MATCH);
        if (header == null) {
            return ExpectedVersion.any();
        }
        var matcher = IF_MATCH.matcher(header.trim());
        if (!matcher.matches()) {
            throw ApiProblem.badRequest(HttpHeaders.IF_MATCH, "If-Match must be the aggregate version, like \"3\"");
        }
        return ExpectedVersion.exactly(Long.parseLong(matcher.group(1)));
    }

    /**
     * Runs {@code command} and answers with its response.
     *
     * @param body the parsed request body (part of the idempotency fingerprint), or null
     * @param pinned the version the caller pinned with {@code If-Match} or in the body
     * @param pinnedByHeader whether {@code If-Match} pinned it (a mismatch is then 412, else 409)
     */
    public ResponseEntity<String> run(
            String commandType,
            HttpServletRequest request,
            ApiPrincipal principal,
            @Nullable Object body,
            ExpectedVersion pinned,
            boolean pinnedByHeader,
            Function<EventMetadata, CommandOutcome> command) {
        return run(commandType, request, principal, body, pinned, pinnedByHeader, false, command);
    }

    /**
     * Like {@link #run}, for a command that writes with exactly one statement and reads only after
     * that statement wrote nothing (see {@link CommandRequest#singleStatement()}).
     */
    public ResponseEntity<String> runSingleStatement(
            String commandType,
            HttpServletRequest request,
            ApiPrincipal principal,
            @Nullable Object body,
            ExpectedVersion pinned,
            boolean pinnedByHeader,
            Function<EventMetadata, CommandOutcome> command) {
        return run(commandType, request, principal, body, pinned, pinnedByHeader, true, command);
    }

    private ResponseEntity<String> run(
            String commandType,
            HttpServletRequest request,
            ApiPrincipal principal,
            @Nullable Object body,
            ExpectedVersion pinned,
            boolean pinnedByHeader,
            boolean singleStatement,
            Function<EventMetadata, CommandOutcome> command) {
        String key = idempotencyKey(request);
        String scope = principal.tenantId() == null ? ControlPlane.PLATFORM_TENANT : principal.tenantId();
        EventMetadata metadata = metadata(request, principal);
        // The fingerprint is only ever compared with a key's record: without a key, no need to hash the body.
        String requestHash = key == null ? "" : fingerprint(request, body);
        CommandRequest commandRequest =
                new CommandRequest(commandType, scope, key, requestHash, pinned.isPinned(), singleStatement);
        CommandResponse response;
        try {
            response = executor.execute(commandRequest, () -> command.apply(metadata));
        } catch (CommandRejected rejected) {
            throw problem(rejected);
        } catch (WrongExpectedVersion lost) {
            throw versionProblem(lost, pinnedByHeader);
        }
        ResponseEntity.BodyBuilder answer =
                ResponseEntity.status(response.status()).contentType(MediaType.APPLICATION_JSON);
        if (response.consistencyToken() != null) {
            answer.header(ConsistencyToken.HEADER, response.consistencyToken());
        }
        if (response.location() != null) {
            answer.header(HttpHeaders.LOCATION, response.location());
        }
        if (response.replayed()) {
            answer.header(IDEMPOTENT_REPLAYED, "true");
        }
        return answer.body(response.body());
    }

    /**
     * Writes a command's answer to the servlet response directly. Handing a {@code ResponseEntity}
     * back to Spring MVC costs content negotiation (the Accept header against the producible types)
     * and a message-converter search on every request: about a tenth of the request threads' CPU
     * samples under the one-event append load, more than the JDBC append itself. The answer is
     * JSON text already, so there is nothing to negotiate.
     * A handler that calls this declares an {@code HttpServletResponse} parameter, which tells
     * Spring MVC that the handler wrote the response, and returns null.
     */
    public static void write(ResponseEntity<String> answer, HttpServletResponse response) throws IOException {
        response.setStatus(answer.getStatusCode().value());
        answer.getHeaders().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        byte[] body = answer.getBody() == null ? new byte[0] : answer.getBody().getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static @Nullable String idempotencyKey(HttpServletRequest request) {
        String key = request.getHeader(IDEMPOTENCY_KEY);
        if (key == null) {
            return null;
        }
        if (!KEY.matcher(key).matches()) {
            throw ApiProblem.badRequest(
                    IDEMPOTENCY_KEY, "Idempotency-Key must be 1–255 printable ASCII characters without spaces");
        }
        return key;
    }

    /** The events' metadata: who, which command, and how it relates to the caller's trace. */
    static EventMetadata metadata(HttpServletRequest request, ApiPrincipal principal) {
        String commandId = UUID.randomUUID().toString();
        String traceparent = request.getHeader(TRACEPARENT);
        if (traceparent != null && !isValidTraceparent(traceparent.trim())) {
            // W3C Trace Context: a receiver ignores a traceparent it cannot parse.
            traceparent = null;
        }
        String correlationId = request.getHeader(CORRELATION_ID);
        if (correlationId != null && !CORRELATION.matcher(correlationId).matches()) {
            throw ApiProblem.badRequest(CORRELATION_ID, "X-Correlation-Id must be 1–128 printable ASCII characters");
        }
        if (correlationId == null) {
            correlationId = traceparent != null ? traceparent.trim().substring(3, 35) : commandId;
        }
        return new EventMetadata(
                principal.actor(),
                commandId,
                correlationId,
                commandId,
                traceparent == null ? null : traceparent.trim());
    }

    static boolean isValidTraceparent(String value) {
        return TRACEPARENT_SHAPE.matcher(value).matches()
                && !value.startsWith("ff")
                && !value.substring(3, 35).equals("0".repeat(32))
                && !value.substring(36, 52).equals("0".repeat(16));
    }

    /** Method, path, precondition and body: what makes two requests "the same request". */
    private String fingerprint(HttpServletRequest request, @Nullable Object body) {
        String ifMatch = request.getHeader(HttpHeaders.IF_MATCH);
        String text = request.getMethod() + " " + request.getRequestURI() + "\n" + (ifMatch == null ? "" : ifMatch)
                + "\n" + (body == null ? "" : json.writeValueAsString(body));
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    public static ApiProblem problem(CommandRejected rejected) {
        CommandRejected.Reason reason = rejected.reason();
        ApiProblem problem = ApiProblem.of(
                HttpStatus.valueOf(reason.status()), reason.type(), reason.title(), rejected.getMessage());
        return rejected.field() == null ? problem : problem.withField(rejected.field());
    }

    public static ApiProblem versionProblem(WrongExpectedVersion lost, boolean pinnedByHeader) {
        String detail = "The stream " + lost.stream() + " is at version "
                + (lost.actualVersion() == null ? "(unknown)" : lost.actualVersion()) + ", not "
                + lost.expected() + "; read it again and retry";
        ApiProblem problem = pinnedByHeader
                ? ApiProblem.preconditionFailed(detail).withField(HttpHeaders.IF_MATCH)
                : ApiProblem.of(HttpStatus.CONFLICT, "wrong-expected-version", "Wrong expected version", detail)
                        .withField("expectedVersion");
        return lost.actualVersion() == null ? problem : problem.with("actualVersion", lost.actualVersion());
    }
}
