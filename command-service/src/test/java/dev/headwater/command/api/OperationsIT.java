package dev.headwater.command.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.headwater.testsupport.DbRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

class OperationsIT extends ServiceIT {

    /** The committed contract, beside the other docs. */
    static final Path COMMITTED_OPENAPI = Path.of("..", "docs", "openapi", "command-service.json");

    static final String UPDATE_PROPERTY = "headwater.openapi.update";

    @Test
    void the_openapi_document_matches_the_committed_copy() throws IOException {
        Api.Response served = api.get("/v3/api-docs", null);
        assertThat(served.status()).isEqualTo(200);
        JsonMapper pretty =
                JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        String actual = pretty.writeValueAsString(served.json()) + "\n";
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(COMMITTED_OPENAPI.getParent());
            Files.writeString(COMMITTED_OPENAPI, actual);
        }
        Path generated = Path.of("target", "openapi", "command-service.json");
        Files.createDirectories(generated.getParent());
        Files.writeString(generated, actual);

        assertThat(Files.exists(COMMITTED_OPENAPI))
                .as("docs/openapi/command-service.json is missing; regenerate it with"
                        + " ./mvnw -pl command-service -am verify -Dit.test=OperationsIT -D" + UPDATE_PROPERTY
                        + "=true")
                .isTrue();
        JsonNode committed = Api.json.readTree(Files.readString(COMMITTED_OPENAPI));
        assertThat(served.json())
                .as("The API changed but docs/openapi/command-service.json did not. If the change is intended,"
                        + " regenerate the copy with ./mvnw -pl command-service -am verify -Dit.test=OperationsIT -D"
                        + UPDATE_PROPERTY + "=true (or copy command-service/" + generated + ") and commit it.")
                .isEqualTo(committed);
    }

    @Test
    void prometheus_shows_commands_by_type_and_outcome_and_the_append_latency() {
        api.createTenant(ADMIN, newId("metrics"), 1, 1, 0);
        api.createTenant(ADMIN, "platform", 1, 1, 0);

        String metrics = api.get("/actuator/prometheus", null).body();

        assertThat(metrics)
                .containsPattern("headwater_commands_total\\{[^}]*outcome=\"succeeded\"[^}]*type=\"tenant.create\"");
        assertThat(metrics)
                .containsPattern("headwater_commands_total\\{[^}]*outcome=\"rejected\"[^}]*type=\"tenant.create\"");
        assertThat(metrics).contains("headwater_eventstore_append_seconds_bucket");
    }

    @Test
    void liveness_and_readiness_are_up_with_the_database() {
        assertThat(api.get("/actuator/health/liveness", null).status()).isEqualTo(200);
        assertThat(api.get("/actuator/health/readiness", null).status()).isEqualTo(200);
    }

    @Test
    void without_the_database_commands_get_503_nothing_is_written_and_readiness_goes_down() {
        String tenant = newId("down");
        long before = eventCount();
        JdbcTemplate superuser = new JdbcTemplate(database.superuserDataSource());
        superuser.execute("ALTER DATABASE " + database.name() + " CONNECTION LIMIT 0");
        try {
            superuser.queryForList(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                            + " AND usename = ?",
                    DbRole.APP.roleName());

            Api.Response refused = api.createTenant(ADMIN, tenant, 1, 1, 0);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isPresent();
            assertThat(refused.json().get("type").asString()).isEqualTo("urn:headwater:problem:service-unavailable");
            assertThat(api.get("/v1/events", ADMIN).status()).isEqualTo(503);
            assertThat(api.get("/actuator/health/readiness", null).status()).isEqualTo(503);
            assertThat(api.get("/actuator/health/liveness", null).status()).isEqualTo(200);
        } finally {
            superuser.execute("ALTER DATABASE " + database.name() + " CONNECTION LIMIT -1");
        }
        await("readiness returns with the database")
                .atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/actuator/health/readiness", null).status() == 200);
        assertThat(eventCount()).isEqualTo(before);
        assertThat(api.createTenant(ADMIN, tenant, 1, 1, 0).status()).isEqualTo(201);
    }
}
