package dev.headwater.e2e.harness;

import static org.awaitility.Awaitility.await;

import dev.headwater.local.ChildProcess;
import dev.headwater.local.ServiceProcess;
import dev.headwater.testsupport.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a service's jar is run. The crash scenarios start the relay and the projectors some twenty
 * times; on two shared cores a start costs 15-60 s, most of it loading classes. So, unless turned
 * off, the suite runs each jar the way Spring Boot documents for fast starts: extracted
 * ({@code -Djarmode=tools extract}) and with a class data sharing archive recorded by one training
 * start ({@code -XX:ArchiveClassesAtExit} with {@code spring.context.exit=onRefresh}, which
 * refreshes the context and exits before any lifecycle bean starts). The classes are the jar's
 * own; only where the JVM reads them from changes. Measured here: half the CPU time of a start.
 */
final class ServiceImage {

    private static final Logger log = LoggerFactory.getLogger(ServiceImage.class);

    private final Path jar;
    private final List<String> jvmOptions;

    private ServiceImage(Path jar, List<String> jvmOptions) {
        this.jar = jar;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** The jar as built, no archive. */
    static ServiceImage plain(Path jar, List<String> jvmOptions) {
        return new ServiceImage(jar, jvmOptions);
    }

    /**
     * Extracts {@code jar} under {@code directory} and starts it once with {@code properties} to
     * record the archive. Falls back to the plain jar (and says so) if either step fails: the
     * archive only saves time.
     */
    static ServiceImage trained(
            String name, Path jar, List<String> jvmOptions, Map<String, String> properties, Path directory) {
        try {
            Path extracted = extract(jar, directory);
            Path archive = directory.resolve(name + ".jsa");
            List<String> training = new ArrayList<>(jvmOptions);
            training.add("-XX:ArchiveClassesAtExit=" + archive);
            training.add("-Dspring.context.exit=onRefresh");
            ServiceProcess run = ServiceProcess.start(
                    name + "-training",
                    extracted,
                    Ports.stablePort(),
                    properties,
                    training,
                    directory.resolve(name + "-training.log"));
            await("the training start of " + name)
                    .atMost(Duration.ofMinutes(4))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !run.process().isAlive());
            if (!Files.isRegularFile(archive)) {
                throw new IllegalStateException("no archive was written; the training log ends with:\n"
                        + run.process().logTail(20));
            }
            List<String> options = new ArrayList<>(jvmOptions);
            options.add("-XX:SharedArchiveFile=" + archive);
            return new ServiceImage(extracted, options);
        } catch (RuntimeException e) {
            log.warn(
                    "Running {} from its plain jar: preparing a class data sharing archive failed: {}",
                    name,
                    e.getMessage());
            return plain(jar, jvmOptions);
        }
    }

    Path jar() {
        return jar;
    }

    List<String> jvmOptions() {
        return jvmOptions;
    }

    private static Path extract(Path jar, Path directory) {
        Path destination = directory.resolve("extracted");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChildProcess extract = ChildProcess.start(
                "extract " + jar.getFileName(),
                List.of(
                        ChildProcess.javaExecutable(),
                        "-Djarmode=tools",
                        "-jar",
                        jar.toString(),
                        "extract",
                        "--force",
                        "--destination",
                        destination.toString()),
                Map.of(),
                directory.resolve("extract.log"));
        await("extracting " + jar.getFileName())
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> !extract.isAlive());
        Path extracted = destination.resolve(jar.getFileName());
        if (!Files.isRegularFile(extracted)) {
            throw new IllegalStateException("extracting " + jar + " failed: " + extract.logTail(10));
        }
        return extracted;
    }
}
