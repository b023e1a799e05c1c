package dev.headwater.web.problem;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A request that cannot be served, with everything its RFC 9457 answer says: status, a stable
 * {@code type} ({@code urn:headwater:problem:<slug>}), a title, a detail for humans and, for bad
 * input, the offending {@code field}. Throw it anywhere below a controller; the problem handler
 * renders it. Instances are immutable: {@code with...} returns a copy.
 */
public final class ApiProblem extends RuntimeException {

    public static final String TYPE_PREFIX = "urn:headwater:problem:";

    private final HttpStatus status;
    private final String slug;
    private final String title;
    private final @Nullable String field;
    private final Map<String, Object> properties;
    private final Map<String, String> headers;

    private ApiProblem(
            HttpStatus status,
            String slug,
            String title,
            String detail,
            @Nullable String field,
            Map<String, Object> properties,
            Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.field = field;
        this.properties = Map.copyOf(properties);
        this.headers = Map.copyOf(headers);
    }

    public static ApiProblem of(HttpStatus status, String slug, String title, String detail) {
        return new ApiProblem(status, slug, title, detail, null, Map.of(), Map.of());
    }

    /** Bad input: names the field (a JSON path like {@code quota.cpuMillis}, or a parameter). */
    public static ApiProblem badRequest(String field, String detail) {
        return of(HttpStatus.BAD_REQUEST, "validation", "Invalid request", detail)
                .withField(field);
    }

    public static ApiProblem unauthorized(String detail) {
        return of(HttpStatus.UNAUTHORIZED, "unauthorized", "Authentication required", detail)
                .withHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }

    public static ApiProblem forbidden(String detail) {
        return of(HttpStatus.FORBIDDEN, "forbidden", "Not allowed", detail);
    }

    public static ApiProblem notFound(String detail) {
        return of(HttpStatus.NOT_FOUND, "not-found", "Not found", detail);
    }

    public static ApiProblem conflict(String detail) {
        return of(HttpStatus.CONFLICT, "conflict", "Conflict with the current state", detail);
    }

    public static ApiProblem preconditionFailed(String detail) {
        return of(HttpStatus.PRECONDITION_FAILED, "precondition-failed", "Precondition failed", detail);
    }

    public static ApiProblem payloadTooLarge(String detail) {
        return of(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Request body too large", detail);
    }

    public static ApiProblem unprocessable(String detail) {
        return of(HttpStatus.UNPROCESSABLE_ENTITY, "unprocessable", "Request cannot be processed", detail);
    }

    /** The service cannot answer now; {@code Retry-After} tells when to try again. */
    public static ApiProblem serviceUnavailable(String detail, Duration retryAfter) {
        return of(HttpStatus.SERVICE_UNAVAILABLE, "service-unavailable", "Service unavailable", detail)
                .withHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
    }

    public ApiProblem withField(String name) {
        return new ApiProblem(status, slug, title, getMessage(), name, properties, headers);
    }

    /** An extension member of the problem document, for example {@code actualVersion}. */
    public ApiProblem with(String name, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(properties);
        more.put(name, value);
        return new ApiProblem(status, slug, title, getMessage(), field, more, headers);
    }

    public ApiProblem withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiProblem(status, slug, title, getMessage(), field, properties, more);
    }

    public HttpStatus status() {
        return status;
    }

    public @Nullable String field() {
        return field;
    }

    public HttpHeaders headers() {
        HttpHeaders result = new HttpHeaders();
        headers.forEach(result::set);
        return result;
    }

    public ProblemDetail toProblemDetail(@Nullable URI instance) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, getMessage());
        problem.setType(URI.create(TYPE_PREFIX + slug));
        problem.setTitle(title);
        if (instance != null) {
            problem.setInstance(instance);
        }
        if (field != null) {
            problem.setProperty("field", field);
        }
        properties.forEach(problem::setProperty);
        return problem;
    }
}
