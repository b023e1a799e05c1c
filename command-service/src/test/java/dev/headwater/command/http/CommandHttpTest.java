package dev.headwater.command.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.contract.EventMetadata;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.auth.ApiRole;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class CommandHttpTest {

    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void events_record_the_caller_the_command_and_the_callers_trace() {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/tenants");
        request.addHeader("traceparent", TRACEPARENT);

        EventMetadata metadata = CommandHttp.metadata(request, new ApiPrincipal("t-1", "acme", ApiRole.TENANT_ADMIN));

        assertThat(metadata.actor()).isEqualTo("token:t-1");
        assertThat(metadata.traceparent()).isEqualTo(TRACEPARENT);
        assertThat(metadata.correlationId()).as("the trace id").isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(metadata.causationId()).isEqualTo(metadata.commandId());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                "'; DROP TABLE x; --"
            })
    void an_invalid_traceparent_is_ignored_as_w3c_trace_context_says(String traceparent) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/v1/tenants");
        request.addHeader("traceparent", traceparent);

        EventMetadata metadata = CommandHttp.metadata(request, new ApiPrincipal("t-1", null, ApiRole.PLATFORM_ADMIN));

        assertThat(metadata.traceparent()).isNull();
        assertThat(metadata.correlationId()).isEqualTo(metadata.commandId());
    }

    @Test
    void an_answer_written_directly_carries_its_status_headers_and_utf8_body_with_its_length() throws Exception {
        ResponseEntity<String> answer = ResponseEntity.status(201)
                .contentType(MediaType.APPLICATION_JSON)
                .header("Headwater-Consistency", "hw1.abc")
                .header(HttpHeaders.LOCATION, "/v1/streams/order/o-1/events")
                .body("{\"note\":\"caf\u00e9\"}");
        MockHttpServletResponse response = new MockHttpServletResponse();

        CommandHttp.write(answer, response);

        assertThat(response.getStatus()).isEqualTo(201);
        assertThat(response.getContentType()).isEqualTo("application/json");
        assertThat(response.getHeader("Headwater-Consistency")).isEqualTo("hw1.abc");
        assertThat(response.getHeader(HttpHeaders.LOCATION)).isEqualTo("/v1/streams/order/o-1/events");
        assertThat(response.getContentAsByteArray())
                .isEqualTo("{\"note\":\"caf\u00e9\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(response.getContentLength()).as("bytes, not characters").isEqualTo(16);
    }
}
