package dev.headwater.testsupport;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives a test class a real Kafka broker, closed after the class (its threads would otherwise keep
 * the JVM alive). Register it on a static field with {@code @RegisterExtension}.
 */
public final class KafkaExtension implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, Object> overrides;
    private @Nullable KafkaBroker broker;

    public KafkaExtension() {
        this(Map.of());
    }

    public KafkaExtension(Map<String, Object> overrides) {
        this.overrides = Map.copyOf(overrides);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = KafkaBroker.start(overrides);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    public KafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException(
                    "No broker yet: register KafkaExtension on a static field with @RegisterExtension");
        }
        return broker;
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }
}
