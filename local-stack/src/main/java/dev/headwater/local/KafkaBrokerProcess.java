package dev.headwater.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node KRaft broker ({@code kafka.Kafka}, broker and controller in one process) in a
 * child JVM on this JVM's classpath. Its storage is formatted on first start and kept in the given
 * directory, so topics and records survive a restart. A child process, not threads in this JVM,
 * because the fault tests stop and start it, and a crash of either side must not take the other.
 */
public final class KafkaBrokerProcess {

    private final Path directory;
    private final int port;
    private final ChildProcess process;

    private KafkaBrokerProcess(Path directory, int port, ChildProcess process) {
        this.directory = directory;
        this.port = port;
        this.process = process;
    }

    /**
     * @param directory holds {@code server.properties}, the data and {@code broker.log}
     * @param port client port; the controller listens on {@code port + 1}
     */
    public static KafkaBrokerProcess start(Path directory, int port) {
        return start(directory, port, Map.of());
    }

    /**
     * As {@link #start(Path, int)}, with {@code overrides} written after the defaults in {@code
     * server.properties}, where the later line wins (the benchmarks try broker settings this way).
     */
    public static KafkaBrokerProcess start(Path directory, int port, Map<String, String> overrides) {
        Path base = directory.toAbsolutePath();
        Path properties = base.resolve("server.properties");
        Path data = base.resolve("data");
        try {
            Files.createDirectories(data);
            Files.writeString(properties, serverProperties(data, port, overrides), StandardCharsets.UTF_8);
            Files.writeString(base.resolve("logback.xml"), LOGBACK, StandardCharsets.UTF_8);
            Files.writeString(base.resolve("log4j2.xml"), LOG4J2, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path log = base.resolve("broker.log");
        if (!Files.exists(data.resolve("meta.properties"))) {
            format(base, properties, log);
        }
        ChildProcess child =
                ChildProcess.start("kafka", java(base, "kafka.Kafka", properties.toString()), Map.of(), log);
        KafkaBrokerProcess broker = new KafkaBrokerProcess(base, port, child);
        broker.awaitReady(Duration.ofSeconds(60));
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path directory() {
        return directory;
    }

    /** The broker JVM's process id (the benchmarks read its CPU time). */
    public long pid() {
        return process.pid();
    }

    /** Clean shutdown; {@link #restart()} brings it back with its data. */
    public void stop() {
        process.stop(Duration.ofSeconds(30));
    }

    public void kill() {
        process.kill();
    }

    /**
     * Starts the stopped broker again on the same ports. Waits first (up to 30 s) for both ports to
     * be bindable: while the broker was down another socket may have taken one of them, and a broker
     * that cannot bind exits with a fatal error instead of waiting.
     */
    public void restart() {
        awaitPortsFree(Duration.ofSeconds(30));
        process.restart();
        awaitReady(Duration.ofSeconds(60));
    }

    private void awaitPortsFree(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!bindable(port) || !bindable(port + 1)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The Kafka broker cannot restart: port " + port + " or " + (port + 1)
                        + " is still held by another socket after " + timeout.toSeconds() + " s");
            }
            pause();
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Ready means an admin client can list the cluster's nodes. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The Kafka broker exited while starting. Its log (" + process.logFile()
                        + ") ends with:\n" + process.logTail(40));
            }
            if (portOpen() && clusterAnswers()) {
                return;
            }
            pause();
        }
        throw new IllegalStateException("The Kafka broker was not ready on port " + port + " within "
                + timeout.toSeconds() + " s. Its log (" + process.logFile() + ") ends with:\n" + process.logTail(40));
    }

    private boolean portOpen() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean clusterAnswers() {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void format(Path base, Path properties, Path log) {
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        ChildProcess formatter = ChildProcess.start(
                "kafka-storage-format",
                java(
                        base,
                        "kafka.tools.StorageTool",
                        "format",
                        "--standalone",
                        "-t",
                        clusterId,
                        "-c",
                        properties.toString()),
                Map.of(),
                log);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (formatter.isAlive() && System.nanoTime() < deadline) {
            pause();
        }
        if (formatter.isAlive() || !Files.exists(base.resolve("data").resolve("meta.properties"))) {
            formatter.kill();
            throw new IllegalStateException(
                    "Formatting Kafka storage in " + base + " failed. The log ends with:\n" + formatter.logTail(20));
        }
    }

    private static List<String> java(Path base, String mainClass, String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of(
                ChildProcess.javaExecutable(),
                "-Xmx512m",
                "-Dlogback.configurationFile=" + base.resolve("logback.xml"),
                // Kafka also touches log4j2 directly; an XML configuration keeps it from looking for
                // a YAML one on the classpath, which needs a parser we do not ship.
                "-Dlog4j2.configurationFile=" + base.resolve("log4j2.xml"),
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(arguments));
        return command;
    }

    private static String serverProperties(Path data, int port, Map<String, String> overrides) {
        StringBuilder extra = new StringBuilder();
        new java.util.TreeMap<>(overrides)
                .forEach((name, value) ->
                        extra.append(name).append('=').append(value).append('\n'));
        return """
                # Written by Headwater's local stack at every start.
                process.roles=broker,controller
                node.id=1
                controller.quorum.bootstrap.servers=127.0.0.1:%2$d
                listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                advertised.listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                log.dirs=%3$s
                num.partitions=1
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=4
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                # Topics are created on purpose, with their partitions and replication, never by accident.
                auto.create.topics.enable=false
                """.formatted(port, port + 1, data) + (extra.isEmpty() ? "" : "# Overrides given at start.\n" + extra);
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static final String LOG4J2 = """
            <Configuration status="WARN">
              <Appenders><Console name="OUT" target="SYSTEM_OUT"/></Appenders>
              <Loggers><Root level="WARN"><AppenderRef ref="OUT"/></Root></Loggers>
            </Configuration>
            """;

    private static final String LOGBACK = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n</pattern></encoder>
              </appender>
              <logger name="org.apache.kafka" level="WARN"/>
              <logger name="kafka" level="WARN"/>
              <logger name="state.change.logger" level="WARN"/>
              <root level="INFO"><appender-ref ref="OUT"/></root>
            </configuration>
            """;
}
