package dev.headwater.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.web.auth.Access;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.auth.ApiRole;
import dev.headwater.web.auth.ApiTokens;
import dev.headwater.web.auth.TokenDirectory;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(
        classes = WebPlatformIT.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "headwater.web.max-body-size=1KB",
            "headwater.auth.bootstrap-token=" + WebPlatformIT.BOOTSTRAP,
            "logging.level.dev.headwater.web=off"
        })
class WebPlatformIT {

    static final String BOOTSTRAP = "hw_bootstrapbootstrapbootstrapbootstrapbootstr";
    static final String ACME_ADMIN = ApiTokens.newSecret();
    static final String ACME_READER = ApiTokens.newSecret();
    static final String STORE_DOWN = ApiTokens.newSecret();

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();

    @Value("${local.server.port}")
    int port;

    @Test
    void a_request_without_a_token_gets_401_asking_for_a_bearer_token() throws Exception {
        HttpResponse<String> response = send(get("/v1/tenants/acme/things"));

        assertProblem(response, 401, "unauthorized");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    }

    @Test
    void an_unknown_or_malformed_token_gets_401() throws Exception {
        assertProblem(send(get("/v1/tenants/acme/things", ApiTokens.newSecret())), 401, "unauthorized");
        assertProblem(send(get("/v1/tenants/acme/things", "not-a-token")), 401, "unauthorized");
    }

    @Test
    void the_bootstrap_token_is_a_platform_admin_for_every_tenant() throws Exception {
        HttpResponse<String> response = send(get("/v1/tenants/globex/things", BOOTSTRAP));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json.readTree(response.body()).get("caller").asString()).isEqualTo("token:bootstrap");
    }

    @Test
    void a_tenant_token_reads_its_tenant_and_finds_no_other() throws Exception {
        assertThat(send(get("/v1/tenants/acme/things", ACME_ADMIN)).statusCode())
                .isEqualTo(200);
        assertProblem(send(get("/v1/tenants/globex/things", ACME_ADMIN)), 404, "not-found");
    }

    @Test
    void a_reader_may_read_but_writing_is_forbidden() throws Exception {
        assertThat(send(get("/v1/tenants/acme/things", ACME_READER)).statusCode())
                .isEqualTo(200);
        assertProblem(
                send(post("/v1/tenants/acme/things", ACME_READER, "{\"name\":\"x\",\"quota\":{\"cpuMillis\":1}}")),
                403,
                "forbidden");
        assertThat(send(post("/v1/tenants/acme/things", ACME_ADMIN, "{\"name\":\"x\",\"quota\":{\"cpuMillis\":1}}"))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void malformed_json_and_a_wrong_type_get_400_naming_the_field() throws Exception {
        HttpResponse<String> malformed = send(post("/v1/tenants/acme/things", ACME_ADMIN, "{\"name\": "));
        assertProblem(malformed, 400, "validation");
        assertThat(field(malformed)).isEqualTo("body");

        HttpResponse<String> wrongType = send(
                post("/v1/tenants/acme/things", ACME_ADMIN, "{\"name\":\"x\",\"quota\":{\"cpuMillis\":\"lots\"}}"));
        assertProblem(wrongType, 400, "validation");
        assertThat(field(wrongType)).isEqualTo("quota.cpuMillis");
    }

    @Test
    void a_body_over_the_limit_gets_413_whether_its_length_is_declared_or_chunked() throws Exception {
        String big = "{\"name\":\"" + "x".repeat(2000) + "\",\"quota\":{\"cpuMillis\":1}}";
        assertProblem(send(post("/v1/tenants/acme/things", ACME_ADMIN, big)), 413, "payload-too-large");

        HttpRequest chunked = HttpRequest.newBuilder(uri("/v1/tenants/acme/things"))
                .header("Authorization", "Bearer " + ACME_ADMIN)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build();
        assertProblem(send(chunked), 413, "payload-too-large");
    }

    @Test
    void an_unreachable_database_gets_503_with_retry_after_and_so_does_an_unreachable_token_store() throws Exception {
        HttpResponse<String> database = send(get("/boom/database", ACME_ADMIN));
        assertProblem(database, 503, "service-unavailable");
        assertThat(database.headers().firstValue("Retry-After")).isPresent();

        HttpResponse<String> tokenStore = send(get("/v1/tenants/acme/things", STORE_DOWN));
        assertProblem(tokenStore, 503, "service-unavailable");
        assertThat(tokenStore.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void a_value_the_database_cannot_store_is_a_400_not_a_500() throws Exception {
        assertProblem(send(get("/boom/unstorable", ACME_ADMIN)), 400, "validation");
    }

    @Test
    void an_unexpected_failure_is_a_500_that_reveals_only_an_error_id() throws Exception {
        HttpResponse<String> response = send(get("/boom/bug", ACME_ADMIN));

        assertProblem(response, 500, "internal");
        assertThat(response.body()).doesNotContain("secret internal detail");
        assertThat(json.readTree(response.body()).get("errorId").asString()).isNotBlank();
    }

    @Test
    void framework_errors_are_problems_with_headwater_types() throws Exception {
        assertProblem(send(get("/no/such/path", ACME_ADMIN)), 404, "not-found");
        assertProblem(send(post("/boom/bug", ACME_ADMIN, "{}")), 405, "method-not-allowed");
    }

    private void assertProblem(HttpResponse<String> response, int status, String slug) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.has("type")).as(response.body()).isTrue();
        assertThat(problem.get("type").asString()).isEqualTo("urn:headwater:problem:" + slug);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
    }

    private String field(HttpResponse<String> response) {
        return json.readTree(response.body()).get("field").asString();
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, BodyHandlers.ofString());
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET().build();
    }

    private HttpRequest get(String path, String token) {
        return HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
    }

    private HttpRequest post(String path, String token, String body) {
        return HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body))
                .build();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    record Quota(long cpuMillis) {}

    record Thing(String name, Quota quota) {}

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        TokenDirectory tokens() {
            Map<String, ApiPrincipal> known = Map.of(
                    ApiTokens.hash(ACME_ADMIN), new ApiPrincipal("t-admin", "acme", ApiRole.TENANT_ADMIN),
                    ApiTokens.hash(ACME_READER), new ApiPrincipal("t-reader", "acme", ApiRole.TENANT_READER));
            return hash -> {
                if (hash.equals(ApiTokens.hash(STORE_DOWN))) {
                    throw new DataAccessResourceFailureException("connection refused");
                }
                return Optional.ofNullable(known.get(hash));
            };
        }

        @Bean
        Things things() {
            return new Things();
        }
    }

    @RestController
    static class Things {

        @GetMapping("/v1/tenants/{tenantId}/things")
        Map<String, String> list(@PathVariable String tenantId, ApiPrincipal caller) {
            Access.requireRead(caller, tenantId);
            return Map.of("caller", caller.actor());
        }

        @PostMapping("/v1/tenants/{tenantId}/things")
        Thing create(@PathVariable String tenantId, @RequestBody Thing thing, ApiPrincipal caller) {
            Access.requireWrite(caller, tenantId);
            return thing;
        }

        @GetMapping("/boom/database")
        String database() {
            throw new CannotGetJdbcConnectionException(
                    "Failed to obtain JDBC Connection", new SQLException("refused", "08001"));
        }

        @GetMapping("/boom/unstorable")
        String unstorable() {
            throw new DataIntegrityViolationException(
                    "bad", new SQLException("unsupported Unicode escape sequence", "22P05"));
        }

        @GetMapping("/boom/bug")
        String bug() {
            throw new IllegalStateException("secret internal detail");
        }
    }
}
