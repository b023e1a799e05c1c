package dev.headwater.command.eventstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventStoreValuesTest {

    @Test
    void a_feed_cursor_reads_back_what_it_wrote() {
        FeedCursor cursor = new FeedCursor(9_007_199_254_740_993L, 77);
        assertThat(FeedCursor.parse(cursor.encode())).isEqualTo(cursor);
        assertThat(FeedCursor.START.encode()).isEqualTo("0-0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "1-", "-1", "1-1-1", "a-1", "1-1 OR 1=1", "99999999999999999999-1"})
    void anything_else_is_not_a_feed_cursor(String text) {
        assertThatThrownBy(() -> FeedCursor.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void expected_versions_say_whether_they_are_pinned_and_what_they_match() {
        assertThat(ExpectedVersion.any().isPinned()).isFalse();
        assertThat(ExpectedVersion.any().matches(42)).isTrue();
        assertThat(ExpectedVersion.noStream()).isEqualTo(ExpectedVersion.exactly(0));
        assertThat(ExpectedVersion.noStream().matches(0)).isTrue();
        assertThat(ExpectedVersion.noStream().matches(1)).isFalse();
        assertThat(ExpectedVersion.exactly(3).matches(3)).isTrue();
        assertThat(ExpectedVersion.exactly(3).isPinned()).isTrue();
        assertThatThrownBy(() -> ExpectedVersion.exactly(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Order", "", "1order", "order/x"})
    void a_stream_refuses_an_aggregate_type_that_cannot_name_a_topic(String type) {
        assertThatThrownBy(() -> new StreamId(type, "o-1")).isInstanceOf(IllegalArgumentException.class);
    }
}
