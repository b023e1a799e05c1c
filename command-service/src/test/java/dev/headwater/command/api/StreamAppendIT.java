package dev.headwater.command.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The stream append writes its answer itself (CommandHttp.write): what a client sees on the wire. */
class StreamAppendIT extends ServiceIT {

    @Test
    void an_append_answers_with_status_location_consistency_header_and_the_command_result_as_json() {
        String tenant = newId("wire");
        api.createTenant(ADMIN, tenant, 1, 1, 0);
        String stream = "/v1/streams/order/" + newId("o") + "/events";
        String body = "{\"tenantId\": \"%s\", \"events\": [{\"type\": \"Placed\", \"payload\": {\"note\": \"café\"}}]}"
                .formatted(tenant);

        Api.Response first = api.post(stream, ADMIN, body);
        Api.Response second = api.post(stream, ADMIN, body);

        for (Api.Response answer : new Api.Response[] {first, second}) {
            assertThat(answer.status()).isEqualTo(201);
            assertThat(answer.header("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            assertThat(answer.header("Content-Length"))
                    .hasValue(String.valueOf(answer.body().getBytes(StandardCharsets.UTF_8).length));
            assertThat(answer.header("Location"))
                    .hasValueSatisfying(location -> assertThat(location).endsWith(stream));
            assertThat(answer.header("Headwater-Consistency"))
                    .hasValue(answer.json().get("consistencyToken").asString());
            assertThat(answer.json().get("tenantId").asString()).isEqualTo(tenant);
        }
        assertThat(second.json().get("version").asLong()).isEqualTo(2);
    }

    @Test
    void a_replayed_append_is_marked_and_answers_the_first_body_byte_for_byte() {
        String tenant = newId("wire-r");
        api.createTenant(ADMIN, tenant, 1, 1, 0);
        String stream = "/v1/streams/order/" + newId("o") + "/events";
        String body = "{\"tenantId\": \"%s\", \"events\": [{\"type\": \"Placed\", \"payload\": {}}]}".formatted(tenant);
        String key = UUID.randomUUID().toString();

        Api.Response first = api.post(stream, ADMIN, body, "Idempotency-Key", key);
        Api.Response replay = api.post(stream, ADMIN, body, "Idempotency-Key", key);

        assertThat(first.header("Idempotent-Replayed")).isEmpty();
        assertThat(replay.status()).isEqualTo(first.status());
        assertThat(replay.header("Idempotent-Replayed")).hasValue("true");
        assertThat(replay.body()).isEqualTo(first.body());
    }
}
