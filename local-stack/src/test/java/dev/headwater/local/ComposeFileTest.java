package dev.headwater.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs here, so the compose stack is validated, not run: the file must be valid
 * for docker-compose, and everything it builds or mounts from the checkout must exist.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");

    @Test
    void every_build_context_dockerfile_and_mounted_file_named_by_the_compose_file_exists() throws IOException {
        Map<String, Object> services = section("services");
        assertThat(services)
                .containsKeys("postgres", "kafka", "migrator", "command-service", "cdc", "projector-service");

        int builds = 0;
        for (var entry : services.entrySet()) {
            Map<?, ?> service = (Map<?, ?>) entry.getValue();
            if (service.get("build") instanceof Map<?, ?> build) {
                Path context =
                        ROOT.resolve(String.valueOf(build.get("context"))).normalize();
                assertThat(context).as(entry.getKey() + " build context").isDirectory();
                assertThat(context.resolve(String.valueOf(build.get("dockerfile"))))
                        .as(entry.getKey() + " Dockerfile")
                        .isRegularFile();
                builds++;
            }
            if (service.get("volumes") instanceof List<?> volumes) {
                for (Object volume : volumes) {
                    String source = String.valueOf(volume).split(":")[0];
                    if (source.startsWith("./")) {
                        assertThat(ROOT.resolve(source))
                                .as(entry.getKey() + " mount " + source)
                                .exists();
                    }
                }
            }
        }
        assertThat(builds).as("services built from this checkout").isEqualTo(4);
    }

    @Test
    void the_stateful_services_have_healthchecks_and_the_services_wait_for_them() throws IOException {
        Map<String, Object> services = section("services");
        for (String name : List.of("postgres", "kafka", "command-service", "cdc", "projector-service")) {
            assertThat(((Map<?, ?>) services.get(name)).containsKey("healthcheck"))
                    .as(name + " has a healthcheck")
                    .isTrue();
        }
        assertThat(String.valueOf(((Map<?, ?>) services.get("postgres")).get("command")))
                .contains("wal_level=logical");
        Map<?, ?> cdcDependsOn = (Map<?, ?>) ((Map<?, ?>) services.get("cdc")).get("depends_on");
        assertThat(String.valueOf(cdcDependsOn.get("migrator"))).contains("service_completed_successfully");
        assertThat(String.valueOf(cdcDependsOn.get("kafka"))).contains("service_healthy");
    }

    @Test
    void docker_compose_accepts_the_file() throws Exception {
        assumeTrue(onPath("docker-compose"), "docker-compose is not installed (CI installs Debian's docker-compose)");
        Process process = new ProcessBuilder("docker-compose", "-f", COMPOSE.toString(), "config", "-q")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(String name) throws IOException {
        try (Reader reader = Files.newBufferedReader(COMPOSE)) {
            Map<String, Object> document = new Yaml().load(reader);
            return (Map<String, Object>) document.get(name);
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
