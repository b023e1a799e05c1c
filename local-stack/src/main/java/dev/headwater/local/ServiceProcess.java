package dev.headwater.local;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * One Headwater service running as its own JVM from its executable jar. Settings are handed over as
 * Spring properties in {@code SPRING_APPLICATION_JSON}, so property names need no translation and
 * secrets stay out of the process list.
 */
public final class ServiceProcess {

    private static final JsonMapper json = JsonMapper.builder().build();
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final ChildProcess process;
    private final int port;

    private ServiceProcess(ChildProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * @param name short name for logs ({@code command-service})
     * @param jar the service's executable jar
     * @param port its HTTP port ({@code server.port})
     * @param properties Spring properties for it
     * @param jvmOptions options for its JVM, such as {@code -Xmx256m}
     * @param logFile where its output goes
     */
    public static ServiceProcess start(
            String name, Path jar, int port, Map<String, String> properties, List<String> jvmOptions, Path logFile) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    "No jar for " + name + " at " + jar + ": build it first (./mvnw package -DskipTests)");
        }
        Map<String, String> all = new TreeMap<>(properties);
        all.put("server.port", Integer.toString(port));
        List<String> command = new ArrayList<>();
        command.add(ChildProcess.javaExecutable());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        ChildProcess child = ChildProcess.start(
                name, command, Map.of("SPRING_APPLICATION_JSON", json.writeValueAsString(all)), logFile);
        return new ServiceProcess(child, port);
    }

    /**
     * Waits until {@code GET <path>} answers 200, failing early (with the end of the log) if the
     * process dies first.
     */
    public void awaitHealthy(String path, Duration timeout) {
        URI uri = URI.create("http://127.0.0.1:" + port + path);
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited while starting. Its log (" + process.logFile()
                        + ") ends with:\n" + process.logTail(40));
            }
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(2))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (ConnectException e) {
                last = "connection refused";
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + process.name(), e);
            }
            pause();
        }
        throw new IllegalStateException(
                process.name() + " was not healthy at " + uri + " within " + timeout.toSeconds() + " s (last answer: "
                        + last + "). Its log (" + process.logFile() + ") ends with:\n" + process.logTail(40));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public ChildProcess process() {
        return process;
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
