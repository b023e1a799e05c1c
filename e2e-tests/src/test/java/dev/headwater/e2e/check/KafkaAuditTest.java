package dev.headwater.e2e.check;

import static dev.headwater.e2e.check.Fixtures.event;
import static dev.headwater.e2e.check.Fixtures.json;
import static dev.headwater.e2e.check.Fixtures.naming;
import static dev.headwater.e2e.check.Fixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaAuditTest {

    private final LoggedEvent v1 = event(1, "tenant", "acme", 1, "TenantCreated", "{\"name\":\"Acme\"}");
    private final LoggedEvent v2 = event(2, "tenant", "acme", 2, "TenantSuspended", "{\"reason\":\"x\"}");
    private final LoggedEvent v3 = event(3, "tenant", "acme", 3, "TenantReactivated", "{}");
    private final List<LoggedEvent> log = List.of(v1, v2, v3);

    @Test
    void every_event_once_in_version_order_is_clean() {
        Anomalies anomalies = new Anomalies();

        KafkaAudit.Result result = audit(anomalies, record(v1, 0), record(v2, 1), record(v3, 2));

        assertThat(anomalies.all()).isEmpty();
        assertThat(result.duplicates()).isZero();
        assertThat(result.distinctEvents()).isEqualTo(3);
    }

    @Test
    void a_re_sent_tail_counts_as_duplicates_and_not_as_reordering() {
        Anomalies anomalies = new Anomalies();

        KafkaAudit.Result result =
                audit(anomalies, record(v1, 0), record(v2, 1), record(v3, 2), record(v2, 3), record(v3, 4));

        assertThat(anomalies.all()).isEmpty();
        assertThat(result.duplicates()).isEqualTo(2);
    }

    @Test
    void a_later_version_before_an_earlier_one_is_an_order_violation() {
        Anomalies anomalies = new Anomalies();

        audit(anomalies, record(v2, 0), record(v1, 1), record(v3, 2));

        assertThat(anomalies.counts()).containsKey("kafka.order");
    }

    @Test
    void an_event_of_the_log_that_no_topic_holds_is_missing() {
        Anomalies anomalies = new Anomalies();

        audit(anomalies, record(v1, 0), record(v3, 1));

        assertThat(anomalies.counts()).containsEntry("kafka.missing", 1);
    }

    @Test
    void a_record_the_log_does_not_hold_is_reported() {
        Anomalies anomalies = new Anomalies();
        LoggedEvent phantom = event(9, "tenant", "ghost", 1, "TenantCreated", "{}");

        audit(anomalies, record(v1, 0), record(v2, 1), record(v3, 2), record(phantom, 3));

        assertThat(anomalies.counts()).containsEntry("kafka.unknown", 1);
    }

    @Test
    void a_repeated_copy_with_other_content_is_not_a_re_send() {
        Anomalies anomalies = new Anomalies();

        audit(
                anomalies,
                record(v1, 0),
                record(v2, 1),
                record(v3, 2),
                record(v3, 3, json.readTree("{\"changed\":true}")));

        assertThat(anomalies.counts()).containsKeys("kafka.conflicting-copy", "kafka.content");
    }

    @Test
    void a_record_on_the_wrong_topic_is_a_routing_error() {
        Anomalies anomalies = new Anomalies();
        TopicRecord right = record(v1, 0);
        TopicRecord wrong =
                new TopicRecord("headwater.node.events", 0, 0, right.key(), right.headers(), right.event(), null);

        audit(anomalies, wrong, record(v2, 1), record(v3, 2));

        assertThat(anomalies.counts()).containsKey("kafka.routing");
    }

    private KafkaAudit.Result audit(Anomalies anomalies, TopicRecord... records) {
        List<TopicRecord> partition = new ArrayList<>(List.of(records));
        return KafkaAudit.audit(
                log, Map.of(new TopicPartition("headwater.tenant.events", 0), partition), naming, anomalies);
    }
}
