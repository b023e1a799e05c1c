package dev.headwater.e2e.harness;

import dev.headwater.local.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service process of the platform under test: started from its jar, killed with SIGKILL and
 * started again with the same settings and port, as often as a scenario wants.
 */
public final class Service {

    private static final Logger log = LoggerFactory.getLogger(Service.class);
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ServiceProcess process;
    private final Duration startTimeout;
    private final AtomicInteger kills = new AtomicInteger();

    Service(String name, ServiceProcess process, Duration startTimeout) {
        this.name = name;
        this.process = process;
        this.startTimeout = startTimeout;
    }

    public String name() {
        return name;
    }

    public String baseUrl() {
        return process.baseUrl();
    }

    public Path logFile() {
        return process.process().logFile();
    }

    public boolean isAlive() {
        return process.process().isAlive();
    }

    /** Blocks until {@code /actuator/health} answers 200; fails with the end of the log if it dies. */
    public void awaitHealthy() {
        process.awaitHealthy("/actuator/health", startTimeout);
    }

    /** SIGKILL, as a crash: no shutdown hook, no flush, no goodbye to Postgres or Kafka. */
    public void kill() {
        log.info("SIGKILL {} (pid {})", name, process.process().pid());
        process.process().kill();
        kills.incrementAndGet();
    }

    /** SIGTERM with a grace period, then SIGKILL. */
    public void stop() {
        process.process().stop(Duration.ofSeconds(30));
    }

    /** Starts the process again with the same command, settings and port. */
    public void restart() {
        process.process().restart();
        log.info("Restarted {} (pid {})", name, process.process().pid());
    }

    public int kills() {
        return kills.get();
    }

    /**
     * The value of a Prometheus counter or gauge of this process (the sum over its series with the
     * given label text, say {@code outcome="applied"}), or empty while the process does not answer.
     */
    public OptionalDouble metric(String name, String labelFilter) {
        HttpResponse<String> response;
        try {
            response = http.send(
                    HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/prometheus"))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return OptionalDouble.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
        if (response.statusCode() != 200) {
            return OptionalDouble.empty();
        }
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+(\\S+)$", Pattern.MULTILINE);
        Matcher matcher = line.matcher(response.body());
        double sum = 0;
        boolean found = false;
        while (matcher.find()) {
            String labels = matcher.group(1) == null ? "" : matcher.group(1);
            if (labels.contains(labelFilter)) {
                sum += Double.parseDouble(matcher.group(2));
                found = true;
            }
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    @Override
    public String toString() {
        return name;
    }
}
