package dev.headwater.command.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.contract.EventMetadata;
import dev.headwater.web.auth.ApiPrincipal;
import dev.headwater.web.auth.ApiRole;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockHttpServletRequest;

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
}
