package dev.headwater.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The few HTTP calls the drivers make besides the load itself: set-up commands, admin and metrics. */
final class Http {

    private static final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper json = JsonMapper.builder().build();

    private Http() {}

    static String post(String url, String token, String body) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(
                    "POST " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    static JsonNode getJson(String url, String token) {
        return json.readTree(get(url, token));
    }

    static String get(String url, String token) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .GET());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    "GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
