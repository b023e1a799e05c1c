package dev.headwater.projector.runtime;

import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.problem.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The runtime's admin API, for platform admins: state of every projection, rebuilds, and dead
 * letters (list, retry, skip with a reason; who did it is taken from the token).
 */
@RestController
@RequestMapping("/admin/projections")
public class ProjectionAdminController {

    private static final Set<String> STATUSES =
            Set.of(DeadLetter.PARKED, DeadLetter.HALTED, DeadLetter.APPLIED, DeadLetter.SKIPPED);
    private static final int MAX_LIMIT = 500;

    private final ProjectionRuntime runtime;

    public ProjectionAdminController(ProjectionRuntime runtime) {
        this.runtime = runtime;
    }

    /** A skip must say why. */
    public record SkipRequest(@Nullable String reason) {}

    /** A projection with its recent generations. */
    public record ProjectionView(ProjectionStatus status, List<Generation> generations) {}

    @GetMapping
    public List<ProjectionStatus> list(ApiPrincipal principal) {
        Access.requirePlatformAdmin(principal);
        return runtime.status();
    }

    @GetMapping("/{name}")
    public ProjectionView show(ApiPrincipal principal, @PathVariable String name) {
        Access.requirePlatformAdmin(principal);
        return new ProjectionView(runtime.status(name), runtime.generations(name, 10));
    }

    /** Rebuilds every projection at once from one read of the log (docs/adr/0036). */
    @PostMapping("/rebuild")
    public ResponseEntity<List<Generation>> rebuildAll(ApiPrincipal principal) {
        Access.requirePlatformAdmin(principal);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(runtime.rebuildAll(principal.actor()));
    }

    @PostMapping("/{name}/rebuild")
    public ResponseEntity<Generation> rebuild(ApiPrincipal principal, @PathVariable String name) {
        Access.requirePlatformAdmin(principal);
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(runtime.rebuild(name, principal.actor()));
    }

    @GetMapping("/{name}/generations")
    public List<Generation> generations(
            ApiPrincipal principal, @PathVariable String name, @RequestParam(defaultValue = "20") int limit) {
        Access.requirePlatformAdmin(principal);
        return runtime.generations(name, limit(limit));
    }

    @GetMapping("/{name}/dead-letters")
    public List<DeadLetter> deadLetters(
            ApiPrincipal principal,
            @PathVariable String name,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(defaultValue = "0") long after,
            @RequestParam(defaultValue = "100") int limit) {
        Access.requirePlatformAdmin(principal);
        if (status != null && !STATUSES.contains(status)) {
            throw ApiProblem.badRequest("status", "status must be one of " + STATUSES);
        }
        return runtime.deadLetters(name, status, after, limit(limit));
    }

    @GetMapping("/{name}/dead-letters/{id}")
    public DeadLetter deadLetter(ApiPrincipal principal, @PathVariable String name, @PathVariable long id) {
        Access.requirePlatformAdmin(principal);
        return runtime.deadLetter(name, id);
    }

    /** 200 when a parked aggregate was applied; 202 when a halted consumer was asked to retry. */
    @PostMapping("/{name}/dead-letters/{id}/retry")
    public ResponseEntity<DeadLetter> retry(ApiPrincipal principal, @PathVariable String name, @PathVariable long id) {
        Access.requirePlatformAdmin(principal);
        return answer(runtime.retry(name, id, principal.actor()));
    }

    @PostMapping("/{name}/dead-letters/{id}/skip")
    public ResponseEntity<DeadLetter> skip(
            ApiPrincipal principal,
            @PathVariable String name,
            @PathVariable long id,
            @RequestBody SkipRequest request) {
        Access.requirePlatformAdmin(principal);
        String reason = request.reason();
        if (reason == null || reason.isBlank()) {
            throw ApiProblem.badRequest("reason", "a skip needs a reason: it is recorded with who skipped");
        }
        if (reason.length() > 1000) {
            throw ApiProblem.badRequest("reason", "at most 1000 characters");
        }
        return answer(runtime.skip(name, id, principal.actor(), reason.strip()));
    }

    /**
     * 202 when the action was filed for the halted consumer, even if it already carried it out
     * when the row was read again; 200 when it was carried out here.
     */
    private static ResponseEntity<DeadLetter> answer(DeadLetterActions.Outcome outcome) {
        return ResponseEntity.status(outcome.requested() ? HttpStatus.ACCEPTED : HttpStatus.OK)
                .body(outcome.letter());
    }

    @ExceptionHandler(AdminException.class)
    ResponseEntity<ProblemDetail> refused(AdminException e, HttpServletRequest request) {
        ApiProblem problem = e.kind() == AdminException.Kind.NOT_FOUND
                ? ApiProblem.notFound(e.getMessage())
                : ApiProblem.conflict(e.getMessage());
        return ResponseEntity.status(problem.status())
                .headers(problem.headers())
                .body(problem.toProblemDetail(URI.create(request.getRequestURI())));
    }

    private static int limit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiProblem.badRequest("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }
}
