package dev.headwater.projector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MultiRowTest {

    @Test
    void a_row_must_have_a_value_for_every_column() {
        MultiRow rows = new MultiRow(MultiRow.Kind.TEXT, MultiRow.Kind.BIGINT);
        assertThatThrownBy(() -> rows.add("only one")).hasMessageContaining("expected 2 values");
        assertThat(rows.isEmpty()).isTrue();
    }

    @Test
    void a_whole_number_column_refuses_fractions_and_text() {
        MultiRow rows = new MultiRow(MultiRow.Kind.BIGINT);
        assertThatThrownBy(() -> rows.add(1.5)).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> rows.add("7")).hasMessageContaining("not a whole number");
        rows.add(7).add((Object) null);
        assertThat(rows.size()).isEqualTo(2);
    }
}
