package dev.headwater.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceJvmOptionsTest {

    @Test
    void every_service_names_one_collector_and_a_heap_limit() {
        for (String module : List.of("command-service", "cdc", "projector-service")) {
            List<String> options = LocalStack.jvmOptionsOf(module);
            // Two collectors make the JVM refuse to start; none would leave the choice to the machine.
            assertThat(options)
                    .as(module)
                    .filteredOn(option -> option.matches("-XX:\\+Use\\w+GC"))
                    .hasSize(1);
            assertThat(options).as(module).anyMatch(option -> option.startsWith("-Xmx"));
        }
        assertThat(LocalStack.jvmOptionsOf("cdc")).contains("-XX:+UseParallelGC", "-Xmx256m");
        assertThat(LocalStack.jvmOptionsOf("projector-service")).contains("-XX:+UseSerialGC", "-XX:NewRatio=1");
    }

    @Test
    void an_unknown_module_is_refused_by_name() {
        assertThatThrownBy(() -> LocalStack.jvmOptionsOf("cdc-service"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cdc-service");
    }
}
