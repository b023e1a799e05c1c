package dev.headwater.cdc.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecordedAtTest {

    @Test
    void every_fraction_width_debezium_may_print_reads_as_instant_parse_reads_it() {
        SplittableRandom random = new SplittableRandom(20261130);
        for (int width = 0; width <= 9; width++) {
            DateTimeFormatterBuilder builder = new DateTimeFormatterBuilder().appendPattern("uuuu-MM-dd'T'HH:mm:ss");
            if (width > 0) {
                builder.appendFraction(ChronoField.NANO_OF_SECOND, width, width, true);
            }
            DateTimeFormatter format = builder.appendLiteral('Z').toFormatter().withZone(ZoneOffset.UTC);
            for (int i = 0; i < 2_000; i++) {
                // 1900 to 2200, with whole seconds and round fractions now and then.
                long seconds = random.nextLong(-2_208_988_800L, 7_258_118_400L);
                int nanos = i % 5 == 0 ? 0 : random.nextInt(1_000_000_000);
                String text = format.format(Instant.ofEpochSecond(seconds, nanos));

                assertThat(RecordedAt.parse(text)).as(text).isEqualTo(Instant.parse(text));
            }
        }
    }

    @Test
    void other_shapes_are_left_to_instant_parse_and_nonsense_is_refused() {
        assertThat(RecordedAt.parse("2026-11-30T08:00:00.5+01:00")).isEqualTo(Instant.parse("2026-11-30T07:00:00.5Z"));
        assertThat(RecordedAt.parse("2016-12-31T23:59:60Z")).isEqualTo(Instant.parse("2016-12-31T23:59:60Z"));

        assertThatThrownBy(() -> RecordedAt.parse("2026-02-30T07:00:00Z")).isInstanceOf(DateTimeException.class);
        assertThatThrownBy(() -> RecordedAt.parse("2026-11-30T07:00:0xZ")).isInstanceOf(DateTimeException.class);
        assertThatThrownBy(() -> RecordedAt.parse("2026-11-30T07:00:00.1234567890Z"))
                .isInstanceOf(DateTimeException.class);
        assertThatThrownBy(() -> RecordedAt.parse("yesterday")).isInstanceOf(DateTimeException.class);
    }
}
