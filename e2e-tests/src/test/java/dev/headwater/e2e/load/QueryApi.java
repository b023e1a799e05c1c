package dev.headwater.e2e.load;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The query API of the projector instances, asked with a consistency token. Requests rotate over
 * the instances; one that does not answer (killed a moment ago) is skipped for the next.
 */
final class QueryApi {

    private static final String CONSISTENCY = "Headwater-Consistency";

    /** What the query API said: 200 with a body, 503 (or nobody answering), or another status. */
    record Answer(int status, @Nullable JsonNode body, String text) {
        boolean ok() {
            return status == 200 && body != null;
        }

        boolean unavailable() {
            return status == 503 || status == 0;
        }
    }

    private final HttpClient http;
    private final List<String> instances;
    private final String token;
    private final JsonMapper json;
    private final AtomicInteger next = new AtomicInteger();

    QueryApi(HttpClient http, List<String> instances, String token, JsonMapper json) {
        this.http = http;
        this.instances = List.copyOf(instances);
        this.token = token;
        this.json = json;
    }

    /** GET {@code path} with the token; tries every instance once before saying nobody answered. */
    Answer get(String path, String consistencyToken) throws InterruptedException {
        int first = Math.floorMod(next.getAndIncrement(), instances.size());
        String lastError = "no instance";
        for (int i = 0; i < instances.size(); i++) {
            String instance = instances.get((first + i) % instances.size());
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create(instance + path))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + token)
                                .header(CONSISTENCY, consistencyToken)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode body = response.statusCode() == 200 ? json.readTree(response.body()) : null;
                return new Answer(response.statusCode(), body, response.body());
            } catch (IOException e) {
                lastError = instance + ": " + e;
            }
        }
        return new Answer(0, null, lastError);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
