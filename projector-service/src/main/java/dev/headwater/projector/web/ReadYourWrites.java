package dev.headwater.projector.web;

import dev.headwater.contract.ConsistencyToken;
import dev.headwater.projector.runtime.AppliedNotifications;
import dev.headwater.projector.runtime.ProjectionRuntime;
import dev.headwater.projector.runtime.ProjectorProperties;
import dev.headwater.web.problem.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.sql.SQLException;
import java.util.List;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Read-your-writes for every query: a request that carries the consistency token a command
 * returned ({@code Headwater-Consistency} header, or the {@code minVersion} parameter) is answered
 * only once every projection that consumes the token's aggregate type has applied that version
 * of that aggregate. The wait sleeps until a projector commit notifies (LISTEN/NOTIFY), bounded by
 * {@code headwater.projector.consistency.timeout}; past it the answer is 503 with Retry-After.
 */
public final class ReadYourWrites implements HandlerInterceptor {

    public static final String PARAMETER = "minVersion";

    private final ProjectionRuntime runtime;
    private final AppliedNotifications notifications;
    private final ProjectorProperties properties;

    public ReadYourWrites(
            ProjectionRuntime runtime, AppliedNotifications notifications, ProjectorProperties properties) {
        this.runtime = runtime;
        this.notifications = notifications;
        this.properties = properties;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws InterruptedException {
        String text = request.getHeader(ConsistencyToken.HEADER);
        if (text == null || text.isBlank()) {
            text = request.getParameter(PARAMETER);
        }
        if (text == null || text.isBlank()) {
            return true;
        }
        ConsistencyToken token = ConsistencyToken.decode(text.strip());
        List<String> projections = runtime.projectionsHandling(token.aggregateType());
        boolean reached;
        try {
            reached = notifications.await(
                    projections,
                    token.aggregateType(),
                    token.aggregateId(),
                    token.version(),
                    properties.consistency().timeout());
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("checking the consistency token failed", e);
        }
        if (!reached) {
            throw ApiProblem.serviceUnavailable(
                            "The views have not yet applied version " + token.version() + " of "
                                    + token.aggregateType() + " " + token.aggregateId() + " after "
                                    + properties.consistency().timeout().toMillis() + " ms; try again",
                            properties.consistency().retryAfter())
                    .with("projections", projections);
        }
        return true;
    }
}
