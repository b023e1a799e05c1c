package dev.headwater.e2e.check;

import dev.headwater.contract.EventEnvelope;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One record of a Headwater topic as a downstream consumer receives it.
 *
 * @param headers the {@code hw-*} headers as text
 * @param event the decoded CloudEvent, or null when the value is not one ({@link #decodeError} says why)
 */
public record TopicRecord(
        String topic,
        int partition,
        long offset,
        @Nullable String key,
        Map<String, String> headers,
        @Nullable EventEnvelope event,
        @Nullable String decodeError) {

    public TopicRecord {
        headers = Map.copyOf(headers);
    }

    public String where() {
        return topic + "-" + partition + "@" + offset;
    }
}
