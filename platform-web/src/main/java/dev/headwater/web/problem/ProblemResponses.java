package dev.headwater.web.problem;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/** Writes a problem document from a servlet filter, where no exception handler is in reach. */
public final class ProblemResponses {

    private final JsonMapper json;

    public ProblemResponses(JsonMapper json) {
        this.json = json;
    }

    public void write(HttpServletRequest request, HttpServletResponse response, ApiProblem problem) throws IOException {
        response.setStatus(problem.status().value());
        problem.headers().forEach((name, values) -> values.forEach(value -> response.addHeader(name, value)));
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        ProblemDetail detail = problem.toProblemDetail(URI.create(request.getRequestURI()));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("type", detail.getType().toString());
        document.put("title", detail.getTitle());
        document.put("status", detail.getStatus());
        document.put("detail", detail.getDetail());
        document.put("instance", String.valueOf(detail.getInstance()));
        if (detail.getProperties() != null) {
            document.putAll(detail.getProperties());
        }
        json.writeValue(response.getOutputStream(), document);
    }
}
