package dev.headwater.local;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A control-plane scenario against a running stack, end to end: tenants with quotas, nodes,
 * allocations placed and released, a placement refused by the quota; then the views, read with
 * the consistency token of the last command, and the allocation topic read with a plain Kafka
 * consumer, as a downstream team would. Every step checks its answer, so the demo doubles as a
 * smoke test: it exits non-zero, saying why, when the platform misbehaves.
 */
public final class Demo {

    private static final JsonMapper json =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final String ALLOCATION_TOPIC = "headwater.allocation.events";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String commandUrl;
    private final String queryUrl;
    private final String kafkaBootstrap;
    private final String token;
    private final String run = Long.toString(Instant.now().getEpochSecond(), 36);

    Demo(String commandUrl, String queryUrl, String kafkaBootstrap, String token) {
        this.commandUrl = commandUrl;
        this.queryUrl = queryUrl;
        this.kafkaBootstrap = kafkaBootstrap;
        this.token = token;
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        StackSettings settings = StackSettings.from(env, Path.of("").toAbsolutePath());
        String token = env.getOrDefault("HEADWATER_TOKEN", bootstrapToken(settings.home()));
        Demo demo = new Demo(
                "http://127.0.0.1:" + settings.commandPort(),
                "http://127.0.0.1:" + settings.projectorPort(),
                settings.kafkaBootstrap() != null ? settings.kafkaBootstrap() : "127.0.0.1:" + settings.kafkaPort(),
                token);
        try {
            demo.play();
            System.out.println("\nDemo complete: every step answered as expected.");
        } catch (DemoFailed | IOException e) {
            System.err.println("\nDemo FAILED: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(130);
        }
    }

    /** Plays the scenario; returns the id of the tenant it left with one active allocation. */
    String play() throws IOException, InterruptedException {
        String acme = "acme-" + run;
        String globex = "globex-" + run;
        String nodeA = "node-a-" + run;
        String nodeB = "node-b-" + run;

        section("1. Tenants and their quotas");
        command("POST", "/v1/tenants", tenant(acme, "Acme Corp", 4000, 8192, 1), 201);
        command("POST", "/v1/tenants", tenant(globex, "Globex", 2000, 4096, 0), 201);

        section("2. Nodes");
        command("POST", "/v1/nodes", node(nodeA, 8000, 16384, 1, "eu-1a"), 201);
        command("POST", "/v1/nodes", node(nodeB, 4000, 8192, 0, "eu-1b"), 201);

        section("3. Allocations placed by the scheduler (best fit, within quota and capacity)");
        JsonNode web =
                command("POST", "/v1/tenants/" + acme + "/allocations", workload("web-frontend", 1000, 2048, 0), 201);
        command("POST", "/v1/tenants/" + acme + "/allocations", workload("postgres", 2000, 4096, 1), 201);
        command("POST", "/v1/tenants/" + globex + "/allocations", workload("batch", 1500, 1024, 0), 201);

        section("4. A placement over the quota is refused (acme has 1000 of 4000 millicores left)");
        JsonNode refused =
                command("POST", "/v1/tenants/" + acme + "/allocations", workload("too-big", 2000, 1024, 0), 409);
        require(
                refused.path("type").asString("").endsWith("quota-exceeded"),
                "the refusal names the quota: " + refused);

        section("5. An allocation released");
        JsonNode released =
                command("DELETE", "/v1/allocations/" + web.path("allocationId").asString(), null, 200);
        String consistency = released.path("consistencyToken").asString();

        section("6. The views, read with the last command's consistency token");
        JsonNode overview = query("/v1/tenants/" + acme, consistency);
        require(overview.path("usage").path("cpuMillis").asLong() == 2000, "acme uses 2000 millicores: " + overview);
        require(overview.path("activeAllocations").asLong() == 1, "acme has one active allocation: " + overview);
        JsonNode nodes = query("/v1/nodes", null);
        require(nodes.toString().contains(nodeA) && nodes.toString().contains(nodeB), "both nodes are listed");
        query("/v1/tenants/" + acme + "/allocations", null);
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
        JsonNode usage =
                query("/v1/tenants/" + acme + "/usage?from=" + hour + "&to=" + hour.plus(1, ChronoUnit.HOURS), null);
        require(usage.path("cpuMillicoreSeconds").asDouble() > 0, "acme has accrued usage: " + usage);

        section("7. The allocation topic, read with a plain KafkaConsumer (" + ALLOCATION_TOPIC + ")");
        tail(Set.of(acme, globex), 4);
        return acme;
    }

    private JsonNode command(String method, String path, @Nullable String body, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(commandUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
            System.out.println("> " + method + " " + path + "  " + body);
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
            System.out.println("> " + method + " " + path);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer = json.readTree(response.body());
        System.out.println("< " + response.statusCode() + "  " + answer);
        require(
                response.statusCode() == expected,
                method + " " + path + " answered " + response.statusCode() + ", expected " + expected);
        return answer;
    }

    private JsonNode query(String path, @Nullable String consistency) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(queryUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (consistency != null) {
            request.header("Headwater-Consistency", consistency);
        }
        HttpResponse<String> response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer = json.readTree(response.body());
        System.out.println("GET " + path + (consistency != null ? "  (Headwater-Consistency: " + consistency + ")" : "")
                + " -> " + response.statusCode() + "\n" + json.writeValueAsString(answer));
        require(response.statusCode() == 200, "GET " + path + " answered " + response.statusCode());
        return answer;
    }

    /** Reads the topic from the start until this run's allocation events are all seen. */
    private void tail(Set<String> tenants, int expected) {
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafkaBootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(ALLOCATION_TOPIC)
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Set<String> seen = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    String tenant = header(record, "hw-tenant-id");
                    if (tenants.contains(tenant) && seen.add(header(record, "hw-event-id"))) {
                        System.out.printf(
                                "partition %d offset %d key %s  %s v%s tenant=%s lsn=%s%n  %s%n",
                                record.partition(),
                                record.offset(),
                                record.key(),
                                header(record, "hw-event-type"),
                                header(record, "hw-aggregate-version"),
                                tenant,
                                header(record, "hw-commit-lsn"),
                                record.value());
                    }
                }
            }
            require(
                    seen.size() == expected,
                    "saw " + seen.size() + " of this run's " + expected + " allocation events on Kafka");
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static String tenant(String id, String name, long cpu, long memory, long gpus) {
        return "{\"tenantId\":\"" + id + "\",\"name\":\"" + name + "\",\"quota\":" + resources(cpu, memory, gpus) + "}";
    }

    private static String node(String id, long cpu, long memory, long gpus, String zone) {
        return "{\"nodeId\":\"" + id + "\",\"capacity\":" + resources(cpu, memory, gpus) + ",\"labels\":{\"zone\":\""
                + zone + "\"}}";
    }

    private static String workload(String name, long cpu, long memory, long gpus) {
        return "{\"workload\":\"" + name + "\",\"resources\":" + resources(cpu, memory, gpus) + "}";
    }

    private static String resources(long cpu, long memory, long gpus) {
        return "{\"cpuMillis\":" + cpu + ",\"memoryMib\":" + memory + ",\"gpus\":" + gpus + "}";
    }

    private static void section(String title) {
        System.out.println("\n== " + title);
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new DemoFailed(what);
        }
    }

    private static String bootstrapToken(Path home) {
        Properties secrets = new Properties();
        Path file = home.resolve("secrets.properties");
        try (Reader in = Files.newBufferedReader(file)) {
            secrets.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("No token: start the stack first (bin/headwater-local writes " + file
                    + "), or set HEADWATER_TOKEN.");
        }
        return secrets.getProperty("bootstrap.token");
    }

    static final class DemoFailed extends RuntimeException {
        DemoFailed(String message) {
            super(message);
        }
    }
}
