package dev.headwater.command.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client for the service, so tests see exactly what a client sees. */
final class Api {

    static final JsonMapper json = JsonMapper.builder().build();
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    Api(int port) {
        this.base = "http://localhost:" + port;
    }

    record Response(int status, java.net.http.HttpHeaders headers, String body) {

        JsonNode json() {
            return Api.json.readTree(body);
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Response get(String path, @Nullable String token) {
        return send("GET", path, token, (byte[]) null);
    }

    Response post(String path, @Nullable String token, String body, String... headers) {
        return send("POST", path, token, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    Response put(String path, @Nullable String token, String body, String... headers) {
        return send("PUT", path, token, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    Response delete(String path, @Nullable String token, String... headers) {
        return send("DELETE", path, token, null, headers);
    }

    /** {@code headers} are name/value pairs; a JSON content type is added when a body is sent. */
    Response send(String method, String path, @Nullable String token, byte @Nullable [] body, String... headers) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        boolean contentType = false;
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
            contentType |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null && !contentType) {
            request.header("Content-Type", "application/json");
        }
        request.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // The control-plane commands, for tests that need a tenant or node to exist.

    Response createTenant(String token, String tenantId, long cpuMillis, long memoryMib, long gpus) {
        return post("/v1/tenants", token, """
                {"tenantId": "%s", "name": "Tenant %s", "quota": {"cpuMillis": %d, "memoryMib": %d, "gpus": %d}}
                """.formatted(tenantId, tenantId, cpuMillis, memoryMib, gpus));
    }

    Response registerNode(String token, String nodeId, long cpuMillis, long memoryMib, long gpus) {
        return post("/v1/nodes", token, """
                {"nodeId": "%s", "capacity": {"cpuMillis": %d, "memoryMib": %d, "gpus": %d}, "labels": {"zone": "eu-1a"}}
                """.formatted(nodeId, cpuMillis, memoryMib, gpus));
    }

    Response place(String token, String tenantId, long cpuMillis, long memoryMib, long gpus, String... headers) {
        return post(
                "/v1/tenants/" + tenantId + "/allocations", token, """
                {"workload": "web", "resources": {"cpuMillis": %d, "memoryMib": %d, "gpus": %d}}
                """.formatted(cpuMillis, memoryMib, gpus), headers);
    }

    /** Issues a token and returns its secret. */
    String issueToken(String token, String tenantId, String role) {
        Response response = post("/v1/tokens", token, """
                {"tenantId": "%s", "role": "%s", "name": "test"}
                """.formatted(tenantId, role));
        if (response.status() != 201) {
            throw new IllegalStateException("issuing a token failed: " + response);
        }
        return response.json().get("secret").asString();
    }
}
