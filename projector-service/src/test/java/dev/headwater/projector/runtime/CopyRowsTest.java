package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CopyRowsTest {

    @Test
    void values_that_could_end_a_field_or_a_row_are_escaped_and_null_is_sql_null() {
        CopyRows rows = new CopyRows("t", "a", "b", "c");

        rows.add("{\"say\":\"tab\\there\"}", null, Instant.parse("2026-01-01T00:00:00Z"));
        rows.add("line\nbreak\r", 42L, "back\\slash\tand tab");

        assertThat(rows.size()).isEqualTo(2);
        assertThat(rows.text())
                .isEqualTo("{\"say\":\"tab\\\\there\"}\t\\N\t2026-01-01T00:00:00Z\n"
                        + "line\\nbreak\\r\t42\tback\\\\slash\\tand tab\n");
    }

    @Test
    void a_row_with_the_wrong_number_of_values_is_refused() {
        CopyRows rows = new CopyRows("t", "a", "b");

        assertThatThrownBy(() -> rows.add("only one")).isInstanceOf(IllegalArgumentException.class);
    }
}
