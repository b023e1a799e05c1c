package dev.headwater.cdc.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headwater.contract.CloudEventCodec;
import dev.headwater.contract.EventEnvelope;
import dev.headwater.contract.EventHeaders;
import dev.headwater.contract.EventMetadata;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/** Keeps docs/asyncapi.yaml true: it must list exactly what the codec writes. */
class AsyncApiDocumentTest {

    private static final Path DOCUMENT = Path.of("..", "docs", "asyncapi.yaml");

    @Test
    void the_asyncapi_document_lists_every_attribute_and_header_the_relay_writes() throws Exception {
        Map<String, Object> message = headwaterEvent();
        EventEnvelope event = fullEvent();

        Set<String> written = new HashSet<>();
        JsonMapper.builder()
                .build()
                .readTree(new CloudEventCodec().encode(event))
                .propertyNames()
                .forEach(written::add);
        assertThat(properties(message, "payload")).containsExactlyInAnyOrderElementsOf(written);
        assertThat(properties(message, "headers"))
                .containsExactlyInAnyOrderElementsOf(EventHeaders.of(event).keySet());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> headwaterEvent() throws Exception {
        try (InputStream in = Files.newInputStream(DOCUMENT)) {
            Map<String, Object> document = new Yaml().load(in);
            Map<String, Object> components = (Map<String, Object>) document.get("components");
            Map<String, Object> messages = (Map<String, Object>) components.get("messages");
            return (Map<String, Object>) messages.get("headwaterEvent");
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> properties(Map<String, Object> message, String part) {
        Map<String, Object> schema = (Map<String, Object>) message.get(part);
        return ((Map<String, Object>) schema.get("properties")).keySet();
    }

    private static EventEnvelope fullEvent() {
        return new EventEnvelope(
                UUID.randomUUID(),
                "acme",
                "tenant",
                "acme",
                1,
                "TenantCreated",
                1,
                JsonMapper.builder().build().readTree("{\"name\":\"Acme\"}"),
                new EventMetadata("actor", "command", "correlation", "causation", "00-ab-cd-01"),
                Instant.parse("2026-11-30T07:00:00Z"),
                1,
                0x16B3748L);
    }
}
