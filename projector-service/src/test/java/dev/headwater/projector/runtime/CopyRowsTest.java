package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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
    void escapes_at_the_start_the_end_and_next_to_each_other_keep_every_character_between_them() {
        CopyRows rows = new CopyRows("t", "a");

        rows.add("\\\t\n\rmiddle\r\n\t\\");
        rows.add("");
        rows.add("plain");

        assertThat(rows.text()).isEqualTo("\\\\\\t\\n\\rmiddle\\r\\n\\t\\\\\n\nplain\n");
    }

    @Test
    void instants_are_written_as_instant_to_string_writes_them() {
        List<Instant> instants = new ArrayList<>(List.of(
                Instant.EPOCH,
                Instant.parse("1969-12-31T23:59:59.999999999Z"),
                Instant.parse("2026-11-30T22:36:35.1Z"),
                Instant.parse("2026-11-30T22:36:35.000120Z"),
                Instant.parse("2026-11-30T22:36:35.000000007Z"),
                Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.5Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-06-15T12:00:00Z")));
        Random random = new Random(8);
        for (int i = 0; i < 2_000; i++) {
            long second = random.nextLong(-62_000_000_000L, 253_000_000_000L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            instants.add(Instant.ofEpochSecond(second, nano));
        }
        CopyRows rows = new CopyRows("t", "a");
        StringBuilder expected = new StringBuilder();
        for (Instant instant : instants) {
            rows.add(instant);
            expected.append(instant).append('\n');
        }

        assertThat(rows.text()).isEqualTo(expected.toString());
    }

    @Test
    void a_row_with_the_wrong_number_of_values_is_refused() {
        CopyRows rows = new CopyRows("t", "a", "b");

        assertThatThrownBy(() -> rows.add("only one")).isInstanceOf(IllegalArgumentException.class);
    }
}
