package dev.headwater.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.Ports;
import dev.headwater.testsupport.PostgresExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The executable jar as the end-to-end suite runs it: an OS process, killed with SIGKILL while it
 * applies a backlog, and a fresh process that carries on from the checkpoints.
 */
class ProcessKillIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    @Test
    void the_executable_jar_killed_with_sigkill_mid_backlog_loses_and_doubles_nothing_after_a_restart()
            throws Exception {
        EventFeed.createTopics(kafka.broker(), 3);
        DataSource projector = postgres.dataSource(DbRole.PROJECTOR);
        List<EventEnvelope> all = new ArrayList<>();
        try (EventFeed feed = new EventFeed(postgres.dataSource(DbRole.APP), kafka.bootstrapServers())) {
            Scenario scenario = new Scenario(5, Instant.parse("2026-06-01T00:00:00Z"));
            all.addAll(feed.appendAndPublish(scenario.setUp(4, 3)));
            all.addAll(feed.appendAndPublish(scenario.next(3_000)));
            feed.publish(all);

            Process first = start("first");
            try {
                await("some batches committed by the first process")
                        .atMost(Duration.ofSeconds(90))
                        .until(() -> ActualViews.appliedVersions(projector, "audit-trail")
                                        .size()
                                > 50);
            } finally {
                first.destroyForcibly().waitFor();
            }
            assertThat(first.exitValue()).as("killed by SIGKILL").isEqualTo(137);

            Process second = start("second");
            try {
                ExpectedViews expected = ExpectedViews.of(all);
                await("views converge after the restart")
                        .atMost(Duration.ofSeconds(120))
                        .untilAsserted(() -> Convergence.assertVersions(projector, expected));
                Convergence.assertViews(projector, expected);
            } finally {
                second.destroy();
                second.waitFor();
            }
        }
    }

    private static Process start(String name) throws IOException {
        int port = Ports.stablePort();
        Path log = Files.createTempFile("projector-" + name, ".log");
        log.toFile().deleteOnExit();
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx384m",
                        "-XX:TieredStopAtLevel=1",
                        "-jar",
                        jar().toString(),
                        "--server.port=" + port,
                        "--spring.datasource.url=" + postgres.jdbcUrl(),
                        "--spring.datasource.username=" + DbRole.PROJECTOR.roleName(),
                        "--spring.datasource.password=" + DbRole.PROJECTOR.testPassword(),
                        "--headwater.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                        "--headwater.auth.bootstrap-token=" + ProjectorInstance.ADMIN_TOKEN,
                        "--headwater.projector.max-poll-records=100",
                        "--headwater.projector.consumer.session.timeout.ms=6000")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        HttpClient http = HttpClient.newHttpClient();
        await(name + " process healthy (log: " + log + ")")
                .atMost(Duration.ofSeconds(90))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(process.isAlive()).as("process alive").isTrue();
                    return http.send(
                                            HttpRequest.newBuilder(
                                                            URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .statusCode()
                            == 200;
                });
        return process;
    }

    private static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("projector-service-.*\\.jar"))
                    .filter(p -> !p.getFileName().toString().endsWith("-sources.jar"))
                    .findFirst()
                    .orElseThrow(
                            () -> new IllegalStateException("no executable jar in target/: run the package phase"));
        }
    }
}
