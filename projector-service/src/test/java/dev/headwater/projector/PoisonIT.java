package dev.headwater.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventMetadata;
import dev.headwater.projector.runtime.ProjectionStatus;
import dev.headwater.projector.runtime.WorkerState;
import dev.headwater.testsupport.DbRole;
import dev.headwater.testsupport.KafkaExtension;
import dev.headwater.testsupport.PostgresExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Poison events, with two downstream projections on one topic: {@code probe-park} parks, {@code
 * probe-halt} halts. The stream: w1 (v1, v2 poison A, v3), w2 (v1, v2), w3 (v1 poison B, v2), w4 (v1,
 * then v3: a gap), and a record for w5 that is not a CloudEvent at all.
 */
class PoisonIT {

    @RegisterExtension
    static final PostgresExtension postgres = new PostgresExtension();

    @RegisterExtension
    static final KafkaExtension kafka = new KafkaExtension();

    static final String ADMIN = ProjectorInstance.ADMIN_TOKEN;

    @BeforeAll
    static void widgetTables() throws Exception {
        try (Connection connection = postgres.dataSource(DbRole.OWNER).getConnection();
                Statement statement = connection.createStatement()) {
            for (String table : List.of("widgets_park", "widgets_halt")) {
                statement.execute("CREATE TABLE projection." + table
                        + " (widget_id text PRIMARY KEY, touches bigint NOT NULL, version bigint NOT NULL)");
                statement.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON projection." + table
                        + " TO headwater_projector");
            }
            statement.execute("INSERT INTO projection.view_tables VALUES"
                    + " ('widgets_park', 'probe-park'), ('widgets_halt', 'probe-halt')");
        }
        kafka.broker().createTopic("headwater.widget.events", 1);
    }

    @Test
    void poison_events_park_or_halt_as_configured_a_retry_after_the_fix_applies_them_and_a_skip_is_recorded()
            throws Exception {
        WidgetProjection park = new WidgetProjection("probe-park", "widgets_park", "A", "B");
        WidgetProjection halt = new WidgetProjection("probe-halt", "widgets_halt", "A", "B");
        DataSource projector = postgres.dataSource(DbRole.PROJECTOR);
        try (EventFeed feed = new EventFeed(postgres.dataSource(DbRole.APP), kafka.bootstrapServers());
                ProjectorInstance instance = ProjectorInstance.start(
                        postgres,
                        kafka,
                        Map.of(
                                "headwater.projector.projections.probe-halt.poison-policy", "HALT",
                                "headwater.projector.retry.initial-backoff", "20ms"),
                        context -> {
                            context.getBeanFactory().registerSingleton("park", park);
                            context.getBeanFactory().registerSingleton("halt", halt);
                        })) {
            feed.publish(List.of(
                    widget("w1", 1, null),
                    widget("w1", 2, "A"),
                    widget("w1", 3, null),
                    widget("w2", 1, null),
                    widget("w2", 2, null),
                    widget("w3", 1, "B"),
                    widget("w3", 2, null),
                    widget("w4", 1, null),
                    widget("w4", 3, null)));
            feed.publishRaw("widget", "w5", "not a cloud event".getBytes(StandardCharsets.UTF_8), Map.of());

            // PARK: the poison events and those behind them wait; every other aggregate goes on.
            await("probe-park applied what it could and parked the rest")
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(deadLetters(instance, "probe-park", "parked"))
                            .hasSize(6));
            assertThat(widgets(projector, "widgets_park")).isEqualTo(Map.of("w1", 1L, "w2", 2L, "w4", 1L));
            Map<String, JsonNode> parked = byVersionKey(deadLetters(instance, "probe-park", "parked"));
            assertThat(parked.get("w1/2").get("cause").asString()).isEqualTo("failed");
            assertThat(parked.get("w1/2").get("error").asString()).contains("cannot handle poison A");
            assertThat(parked.get("w1/2").get("attempts").asInt()).isEqualTo(3);
            assertThat(parked.get("w1/3").get("cause").asString()).isEqualTo("behind");
            assertThat(parked.get("w3/1").get("cause").asString()).isEqualTo("failed");
            assertThat(parked.get("w3/2").get("cause").asString()).isEqualTo("behind");
            assertThat(parked.get("w4/3").get("error").asString()).contains("version gap");
            assertThat(parked.get("w5/null").get("error").asString()).contains("does not follow the contract");
            assertThat(instance.get("/actuator/health/projections", ADMIN).body())
                    .contains("\"probe-park\":\"RUNNING\"");

            long w1 = parked.get("w1/2").get("id").asLong();
            HttpResponse<String> stillBroken = retry(instance, "probe-park", w1);
            assertThat(stillBroken.statusCode()).as(stillBroken.body()).isEqualTo(409);
            assertThat(stillBroken.body()).contains("cannot handle poison A");

            park.fix("A");
            HttpResponse<String> fixed = retry(instance, "probe-park", w1);
            assertThat(fixed.statusCode()).as(fixed.body()).isEqualTo(200);
            assertThat(json(fixed).get("status").asString()).isEqualTo("applied");
            assertThat(json(fixed).get("resolvedBy").asString()).isEqualTo("token:bootstrap");
            assertThat(widgets(projector, "widgets_park")).containsEntry("w1", 3L);

            long w3 = parked.get("w3/1").get("id").asLong();
            HttpResponse<String> noReason =
                    instance.post("/admin/projections/probe-park/dead-letters/" + w3 + "/skip", ADMIN, "{}");
            assertThat(noReason.statusCode()).isEqualTo(400);
            assertThat(noReason.body()).contains("reason");
            HttpResponse<String> behind = instance.post(
                    "/admin/projections/probe-park/dead-letters/"
                            + parked.get("w3/2").get("id").asLong() + "/skip",
                    ADMIN,
                    "{\"reason\":\"x\"}");
            assertThat(behind.statusCode()).isEqualTo(409);
            HttpResponse<String> skipped = instance.post(
                    "/admin/projections/probe-park/dead-letters/" + w3 + "/skip",
                    ADMIN,
                    "{\"reason\":\"known bad import, see INC-42\"}");
            assertThat(skipped.statusCode()).as(skipped.body()).isEqualTo(200);
            assertThat(json(skipped).get("status").asString()).isEqualTo("skipped");
            assertThat(json(skipped).get("resolvedBy").asString()).isEqualTo("token:bootstrap");
            assertThat(json(skipped).get("resolutionNote").asString()).isEqualTo("known bad import, see INC-42");
            assertThat(widgets(projector, "widgets_park")).containsEntry("w3", 1L);
            assertThat(ActualViews.appliedVersions(projector, "probe-park"))
                    .containsEntry("widget/w1", 3L)
                    .containsEntry("widget/w3", 2L);

            // HALT: the projection stops at the first poison event with the reason visible, health DOWN.
            await("probe-halt halted")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> status(instance, "probe-halt").state() == WorkerState.HALTED);
            assertThat(status(instance, "probe-halt").haltReason()).contains("widget/w1 version 2", "poison A");
            HttpResponse<String> health = instance.get("/actuator/health", ADMIN);
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("HALTED");
            assertThat(widgets(projector, "widgets_halt"))
                    .as("what precedes the poison event is applied")
                    .isEqualTo(Map.of("w1", 1L));

            JsonNode halted = deadLetters(instance, "probe-halt", "halted").get(0);
            long haltedId = halted.get("id").asLong();
            int attempts = halted.get("attempts").asInt();
            assertThat(retry(instance, "probe-halt", haltedId).statusCode()).isEqualTo(202);
            await("the retry ran and failed again")
                    .atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> {
                        JsonNode row = deadLetter(instance, "probe-halt", haltedId);
                        assertThat(row.get("attempts").asInt()).isGreaterThan(attempts);
                        assertThat(row.get("requestedAction").isNull()).isTrue();
                    });
            assertThat(status(instance, "probe-halt").state()).isEqualTo(WorkerState.HALTED);

            halt.fix("A");
            assertThat(retry(instance, "probe-halt", haltedId).statusCode()).isEqualTo(202);
            await("the retry after the fix applied w1 and halted at the next poison, w3")
                    .atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> {
                        assertThat(deadLetter(instance, "probe-halt", haltedId)
                                        .get("status")
                                        .asString())
                                .isEqualTo("applied");
                        assertThat(status(instance, "probe-halt").haltReason()).contains("widget/w3 version 1");
                    });
            skipHalted(instance, "the w3 import is known to be bad");
            await("halted at the gap of w4")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> String.valueOf(status(instance, "probe-halt").haltReason())
                            .contains("version gap"));
            skipHalted(instance, "w4 v2 was never written");
            await("halted at the undecodable record")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> String.valueOf(status(instance, "probe-halt").haltReason())
                            .contains("does not follow the contract"));
            skipHalted(instance, "garbage from a test producer");
            await("running again")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> status(instance, "probe-halt").state() == WorkerState.RUNNING);
            assertThat(widgets(projector, "widgets_halt")).isEqualTo(Map.of("w1", 3L, "w2", 2L, "w3", 1L, "w4", 1L));
            assertThat(deadLetters(instance, "probe-halt", "skipped"))
                    .hasSize(3)
                    .allSatisfy(
                            row -> assertThat(row.get("resolvedBy").asString()).isEqualTo("token:bootstrap"))
                    .anySatisfy(row -> assertThat(row.get("resolutionNote").asString())
                            .isEqualTo("the w3 import is known to be bad"));
            assertThat(instance.get("/actuator/health", ADMIN).statusCode()).isEqualTo(200);
        }
    }

    private static void skipHalted(ProjectorInstance instance, String reason) {
        long id = status(instance, "probe-halt").haltedDeadLetter();
        HttpResponse<String> response = instance.post(
                "/admin/projections/probe-halt/dead-letters/" + id + "/skip", ADMIN, "{\"reason\":\"" + reason + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        await("skip of " + id + " carried out")
                .atMost(Duration.ofSeconds(20))
                .until(() -> deadLetter(instance, "probe-halt", id)
                        .get("status")
                        .asString()
                        .equals("skipped"));
    }

    private static ProjectionStatus status(ProjectorInstance instance, String name) {
        return instance.runtime().status(name);
    }

    private static HttpResponse<String> retry(ProjectorInstance instance, String projection, long id) {
        return instance.post("/admin/projections/" + projection + "/dead-letters/" + id + "/retry", ADMIN, "");
    }

    private static List<JsonNode> deadLetters(ProjectorInstance instance, String projection, String status) {
        HttpResponse<String> response =
                instance.get("/admin/projections/" + projection + "/dead-letters?status=" + status, ADMIN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> rows = new ArrayList<>();
        json(response).forEach(rows::add);
        return rows;
    }

    private static JsonNode deadLetter(ProjectorInstance instance, String projection, long id) {
        return json(instance.get("/admin/projections/" + projection + "/dead-letters/" + id, ADMIN));
    }

    private static Map<String, JsonNode> byVersionKey(List<JsonNode> rows) {
        Map<String, JsonNode> keyed = new TreeMap<>();
        rows.forEach(row -> keyed.put(
                row.get("aggregateId").asString() + "/"
                        + (row.get("aggregateVersion").isNull()
                                ? "null"
                                : row.get("aggregateVersion").asString()),
                row));
        return keyed;
    }

    private static JsonNode json(HttpResponse<String> response) {
        return EventFeed.JSON.readTree(response.body());
    }

    private static Map<String, Long> widgets(DataSource dataSource, String table) throws Exception {
        Map<String, Long> touches = new TreeMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT widget_id, touches FROM projection." + table)) {
            while (rows.next()) {
                touches.put(rows.getString(1), rows.getLong(2));
            }
        }
        return touches;
    }

    private static EventEnvelope widget(String id, long version, String poison) {
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        if (poison != null) {
            payload.put("poison", poison);
        }
        return new EventEnvelope(
                UUID.randomUUID(),
                "acme",
                "widget",
                id,
                version,
                "WidgetTouched",
                1,
                payload,
                EventMetadata.empty(),
                Instant.parse("2026-03-01T10:00:00Z").plusSeconds(version),
                version,
                null);
    }
}
