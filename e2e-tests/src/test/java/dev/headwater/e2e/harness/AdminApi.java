package dev.headwater.e2e.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The projector's admin API (rebuilds and generations), as a platform admin calls it. */
public final class AdminApi {

    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final JsonMapper json = JsonMapper.builder().build();

    private final String baseUrl;
    private final String token;

    public AdminApi(Service projector, String token) {
        this.baseUrl = projector.baseUrl();
        this.token = token;
    }

    /** Starts a rebuild; returns the generation being built. */
    public long rebuild(String projection) {
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(URI.create(baseUrl + "/admin/projections/" + projection + "/rebuild"))
                        .POST(HttpRequest.BodyPublishers.noBody()));
        if (response.statusCode() != 202) {
            throw new IllegalStateException(
                    "Rebuild of " + projection + " answered " + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body()).path("generation").asLong();
    }

    /** The generation as the admin API shows it ({@code state}, {@code checksums}, {@code detail}, ...). */
    public JsonNode generation(String projection, long generation) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                        URI.create(baseUrl + "/admin/projections/" + projection + "/generations?limit=20"))
                .GET());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "Generations of " + projection + " answered " + response.statusCode() + ": " + response.body());
        }
        for (JsonNode row : json.readTree(response.body())) {
            if (row.path("generation").asLong() == generation) {
                return row;
            }
        }
        throw new IllegalStateException("No generation " + generation + " of " + projection + ": " + response.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(
                    request.timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("The admin API did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
