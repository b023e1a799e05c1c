package dev.headwater.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InstantTextTest {

    @Test
    void parsing_reads_every_printed_time_back_as_instant_parse_does() {
        SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(0, 253_402_300_800L);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            String text = InstantText.format(instant);
            assertThat(InstantText.parse(text))
                    .as(text)
                    .isEqualTo(Instant.parse(text))
                    .isEqualTo(instant);
        }
    }

    @Test
    void fractions_of_any_length_from_one_to_nine_digits_mean_what_instant_parse_says() {
        for (int digits = 1; digits <= 9; digits++) {
            String text = "2026-02-28T23:59:59." + "123456789".substring(0, digits) + "Z";
            assertThat(InstantText.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void text_outside_the_fast_shape_is_left_to_instant_parse_with_the_same_result_or_error() {
        List<String> valid = List.of(
                "2024-02-29T00:00:00Z",
                "1969-12-31T23:59:59Z",
                "1970-01-01T00:00:00Z",
                "2026-01-01T24:00:00Z",
                "2026-01-01T00:00:00.Z");
        for (String text : valid) {
            assertThat(InstantText.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
        List<String> invalid = List.of(
                "2026-02-29T00:00:00Z",
                "2026-13-01T00:00:00Z",
                "2026-00-01T00:00:00Z",
                "2026-04-31T00:00:00Z",
                "2026-01-01T00:60:00Z",
                "2026-01-01T00:00:61Z",
                "2026-01-01T00:00:00.1234567890Z",
                "2026-01-01T00:00:0xZ",
                "2026-01-01 00:00:00Z",
                "2026-01-01T00:00:00",
                "not a time at all, no");
        for (String text : invalid) {
            assertThatThrownBy(() -> Instant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> InstantText.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }
}
