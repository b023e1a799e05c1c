package dev.headwater.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.testsupport.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, as CI can run it: the whole stack from the built jars on free ports,
 * the demo against it, then a second start on the same data directory that still has the data.
 */
class LocalStackIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void the_stack_starts_serves_the_demo_and_keeps_its_data_across_a_restart() throws Exception {
        Path home = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "stack-");
        // Postgres runs as the 'postgres' user when tests run as root; it must enter this directory.
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        StackSettings settings = StackSettings.from(environment(home), ROOT);

        String tenant;
        String before;
        LocalStack first = new LocalStack(settings);
        try {
            long started = System.nanoTime();
            first.start();
            System.out.printf("LocalStackIT: first start ready in %.1f s%n", (System.nanoTime() - started) / 1e9);
            tenant = new Demo(
                            "http://127.0.0.1:" + settings.commandPort(),
                            "http://127.0.0.1:" + settings.projectorPort(),
                            "127.0.0.1:" + settings.kafkaPort(),
                            first.secrets().bootstrapToken())
                    .play();
            before = tenantView(settings, first.secrets().bootstrapToken(), tenant);
        } finally {
            first.close();
        }

        LocalStack second = new LocalStack(settings);
        try {
            long started = System.nanoTime();
            second.start();
            System.out.printf("LocalStackIT: restart ready in %.1f s%n", (System.nanoTime() - started) / 1e9);
            String after = tenantView(settings, second.secrets().bootstrapToken(), tenant);
            assertThat(after).as("the view after the restart").isEqualTo(before);
            assertThat(after).contains("\"activeAllocations\":1");
        } finally {
            second.close();
        }
    }

    private static String tenantView(StackSettings settings, String token, String tenant)
            throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + settings.projectorPort() + "/v1/tenants/" + tenant))
                                .header("Authorization", "Bearer " + token)
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static Map<String, String> environment(Path home) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("HEADWATER_HOME", home.toString());
        env.put("HEADWATER_PG_PORT", Integer.toString(Ports.stablePort()));
        env.put("HEADWATER_KAFKA_PORT", Integer.toString(Ports.stablePortPair()));
        env.put("HEADWATER_COMMAND_PORT", Integer.toString(Ports.stablePort()));
        env.put("HEADWATER_PROJECTOR_PORT", Integer.toString(Ports.stablePort()));
        env.put("HEADWATER_CDC_PORT", Integer.toString(Ports.stablePort()));
        return env;
    }
}
