package dev.headwater.web.auth;

import dev.headwater.web.problem.ApiProblem;
import dev.headwater.web.problem.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Authenticates every request but the public paths by its {@code Authorization: Bearer} token and
 * puts the {@link ApiPrincipal} on the request. Missing, malformed, unknown or revoked tokens get
 * 401; a token store that cannot be reached gets 503 (the caller may retry), never a 500.
 */
public final class BearerTokenFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(BearerTokenFilter.class);
    private static final String SCHEME = "Bearer ";

    private final TokenDirectory directory;
    private final byte @Nullable [] bootstrapHash;
    private final List<PathPattern> publicPaths;
    private final ProblemResponses problems;

    public BearerTokenFilter(
            TokenDirectory directory,
            @Nullable String bootstrapToken,
            List<String> publicPaths,
            ProblemResponses problems) {
        this.directory = directory;
        this.bootstrapHash =
                bootstrapToken == null ? null : ApiTokens.hash(bootstrapToken).getBytes(StandardCharsets.US_ASCII);
        this.publicPaths = publicPaths.stream()
                .map(PathPatternParser.defaultInstance::parse)
                .toList();
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        PathContainer path = PathContainer.parsePath(
                request.getRequestURI().substring(request.getContextPath().length()));
        return publicPaths.stream().anyMatch(pattern -> pattern.matches(path));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            problems.write(request, response, ApiProblem.unauthorized("Send a token: Authorization: Bearer hw_..."));
            return;
        }
        String secret = header.substring(SCHEME.length()).trim();
        Optional<ApiPrincipal> principal;
        try {
            principal = authenticate(secret);
        } catch (DataAccessException e) {
            log.warn("Token lookup failed, answering 503: {}", e.getMessage());
            problems.write(
                    request,
                    response,
                    ApiProblem.serviceUnavailable("The token store is unavailable", Duration.ofSeconds(2)));
            return;
        }
        if (principal.isEmpty()) {
            problems.write(request, response, ApiProblem.unauthorized("The token is unknown or revoked"));
            return;
        }
        CurrentPrincipal.set(request, principal.get());
        chain.doFilter(request, response);
    }

    private Optional<ApiPrincipal> authenticate(String secret) {
        if (!ApiTokens.isWellFormed(secret)) {
            return Optional.empty();
        }
        String hash = ApiTokens.hash(secret);
        if (bootstrapHash != null && MessageDigest.isEqual(bootstrapHash, hash.getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of(new ApiPrincipal(ApiPrincipal.BOOTSTRAP_TOKEN_ID, null, ApiRole.PLATFORM_ADMIN));
        }
        return directory.findByHash(hash);
    }
}
