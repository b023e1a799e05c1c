package dev.headwater.projector;

import dev.headwater.projector.runtime.ProjectionRuntime;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import dev.headwater.web.auth.ApiTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/** One projector service, started in this JVM on a free port against the test's Postgres and Kafka. */
final class ProjectorInstance implements AutoCloseable {

    /** The platform-admin bootstrap secret every test instance accepts. */
    static final String ADMIN_TOKEN = ApiTokens.newSecret();

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ConfigurableApplicationContext context;
    private final int port;

    private ProjectorInstance(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "0"));
    }

    static ProjectorInstance start(PostgresExtension postgres, KafkaExtension kafka, Map<String, String> overrides) {
        return start(postgres, kafka, overrides, context -> {});
    }

    /** {@code beans} may register extra singletons (commit hooks, test projections) before refresh. */
    static ProjectorInstance start(
            PostgresExtension postgres,
            KafkaExtension kafka,
            Map<String, String> overrides,
            Consumer<GenericApplicationContext> beans) {
        Map<String, String> properties = new HashMap<>();
        properties.put("spring.datasource.url", postgres.jdbcUrl());
        properties.put("spring.datasource.username", DbRole.PROJECTOR.roleName());
        properties.put("spring.datasource.password", DbRole.PROJECTOR.testPassword());
        properties.put("headwater.kafka.bootstrap-servers", kafka.bootstrapServers());
        properties.put("headwater.auth.bootstrap-token", ADMIN_TOKEN);
        properties.put("headwater.auth.cache-ttl", "0s");
        properties.put("server.port", "0");
        properties.put("headwater.projector.consumer.session.timeout.ms", "6000");
        properties.put("headwater.projector.consumer.heartbeat.interval.ms", "500");
        properties.put("headwater.projector.poll-timeout", "200ms");
        properties.put("logging.level.org.apache.kafka", "WARN");
        properties.putAll(overrides);
        // As command-line arguments: they take precedence over application.properties (server.port).
        String[] args = properties.entrySet().stream()
                .map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ProjectorApplication.class)
                .initializers(applicationContext -> beans.accept((GenericApplicationContext) applicationContext))
                .run(args);
        return new ProjectorInstance(context);
    }

    ProjectionRuntime runtime() {
        return context.getBean(ProjectionRuntime.class);
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    HttpResponse<String> get(String path, String token, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.GET().build());
    }

    HttpResponse<String> post(String path, String token, String json) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("request " + request.uri() + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        context.close();
    }
}
