package dev.headwater.web.problem;

import dev.headwater.contract.ContractViolation;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

/**
 * Turns every failure of a request into an RFC 9457 problem: {@link ApiProblem}s as they say,
 * framework errors (unreadable JSON, wrong types, missing parameters, unsupported methods and
 * media types) as 4xx naming the field, an unreachable database as 503 with {@code Retry-After},
 * and anything unforeseen as a 500 that reveals nothing but an error id, logged with its cause.
 *
 * <p>It has the lowest precedence, so a service's own advice (ordered ahead of it) wins for the
 * exceptions it handles.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    static final Duration DATABASE_RETRY_AFTER = Duration.ofSeconds(2);

    @ExceptionHandler(ApiProblem.class)
    ResponseEntity<ProblemDetail> handleApiProblem(ApiProblem problem, HttpServletRequest request) {
        return render(problem, request);
    }

    @ExceptionHandler(ContractViolation.class)
    ResponseEntity<ProblemDetail> handleContractViolation(ContractViolation violation, HttpServletRequest request) {
        return render(ApiProblem.badRequest(violation.field(), violation.getMessage()), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> handleTypeMismatch(
            MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return render(
                ApiProblem.badRequest(e.getName(), "'" + e.getValue() + "' is not a valid " + e.getName()), request);
    }

    @ExceptionHandler({
        DataAccessResourceFailureException.class,
        TransientDataAccessResourceException.class,
        CannotCreateTransactionException.class
    })
    ResponseEntity<ProblemDetail> handleDatabaseUnavailable(Exception e, HttpServletRequest request) {
        log.warn("{} {}: database unavailable: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        return render(databaseUnavailable(), request);
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> handleIntegrityViolation(
            DataIntegrityViolationException e, HttpServletRequest request) {
        String state = sqlState(e);
        if (state != null && state.startsWith("22")) {
            // A value the database cannot store (a NUL character, an out-of-range number): the
            // service should have refused it first; never let it become a 500.
            log.warn(
                    "{} {}: value refused by the database ({}): {}",
                    request.getMethod(),
                    request.getRequestURI(),
                    state,
                    e.getMessage());
            return render(ApiProblem.badRequest("body", "A value in the request cannot be stored"), request);
        }
        log.warn(
                "{} {}: integrity violation ({}): {}",
                request.getMethod(),
                request.getRequestURI(),
                state,
                e.getMessage());
        return render(ApiProblem.conflict("The request conflicts with the current state"), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> handleUnexpected(Exception e, HttpServletRequest request) {
        if (isDatabaseUnavailable(e)) {
            return handleDatabaseUnavailable(e, request);
        }
        String errorId = UUID.randomUUID().toString();
        log.error("{} {} failed unexpectedly (error id {})", request.getMethod(), request.getRequestURI(), errorId, e);
        return render(
                ApiProblem.of(
                                HttpStatus.INTERNAL_SERVER_ERROR,
                                "internal",
                                "Internal error",
                                "The request failed unexpectedly; quote error id " + errorId)
                        .with("errorId", errorId),
                request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ApiProblem problem = unreadableBody(e);
        return castResponse(render(problem, ((ServletWebRequest) request).getRequest()));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        e.getBindingResult()
                .getFieldErrors()
                .forEach(error -> errors.add(
                        Map.of("field", error.getField(), "detail", String.valueOf(error.getDefaultMessage()))));
        String field = errors.isEmpty() ? "body" : errors.get(0).get("field");
        String detail = errors.isEmpty()
                ? "The request is invalid"
                : field + ": " + errors.get(0).get("detail");
        ApiProblem problem = ApiProblem.badRequest(field, detail).with("errors", errors);
        return castResponse(render(problem, ((ServletWebRequest) request).getRequest()));
    }

    /** Gives framework-made problems our type URIs; their status, title and detail stay. */
    @Override
    protected @Nullable ResponseEntity<Object> handleExceptionInternal(
            Exception e, @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(e, body, headers, status, request);
        if (response != null
                && response.getBody() instanceof ProblemDetail problem
                && (problem.getType() == null
                        || "about:blank".equals(problem.getType().toString()))) {
            problem.setType(URI.create(ApiProblem.TYPE_PREFIX + slugFor(status)));
        }
        return response;
    }

    static ApiProblem databaseUnavailable() {
        return ApiProblem.serviceUnavailable("The database is unavailable; nothing was written", DATABASE_RETRY_AFTER);
    }

    static ApiProblem unreadableBody(HttpMessageNotReadableException e) {
        Throwable cause = e.getCause();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof RequestBodyTooLargeException tooLarge) {
                return ApiProblem.payloadTooLarge(tooLarge.getMessage()).withField("body");
            }
        }
        if (cause instanceof StreamReadException malformed) {
            return ApiProblem.badRequest(fieldOf(malformed), "Malformed JSON: " + malformed.getOriginalMessage());
        }
        if (cause instanceof JacksonException mapping) {
            return ApiProblem.badRequest(
                    fieldOf(mapping), "Wrong value for " + fieldOf(mapping) + ": " + mapping.getOriginalMessage());
        }
        return ApiProblem.badRequest("body", "The request body is missing or not readable");
    }

    /** The JSON path of a mapping failure, like {@code quota.cpuMillis} or {@code events[2].type}. */
    static String fieldOf(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static boolean isDatabaseUnavailable(Throwable e) {
        String state = sqlState(e);
        // 08: connection exception, 53: insufficient resources, 57P0x: server shutting down.
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P0"));
    }

    private static @Nullable String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private static String slugFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> "validation";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 409 -> "conflict";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 503 -> "service-unavailable";
            default -> "http-" + status.value();
        };
    }

    private static ResponseEntity<ProblemDetail> render(ApiProblem problem, HttpServletRequest request) {
        return ResponseEntity.status(problem.status())
                .headers(problem.headers())
                .body(problem.toProblemDetail(URI.create(request.getRequestURI())));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ResponseEntity<Object> castResponse(ResponseEntity<ProblemDetail> response) {
        return (ResponseEntity) response;
    }
}
