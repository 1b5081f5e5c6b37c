package io.strait.http;

import io.strait.daemon.StraitDaemon;
import io.strait.failover.GroupCheckpointer;
import io.strait.replication.LinkReplicator;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static io.strait.http.FixedStatus.A_B;
import static io.strait.http.FixedStatus.B_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /metrics} on fixed state, no broker: each scrape shows the series of the links and topics
 * that exist now, and the series of a removed link, topic or group disappear (a gauge left behind
 * would show a stale value forever).
 */
class StraitMetricsTest {

    private final FixedStatus fixed = FixedStatus.sample();
    private final StraitMetrics metrics = new StraitMetrics(fixed);

    @Test
    void seriesOfARemovedLinkDisappear() {
        String before = metrics.scrape();
        assertThat(series(before, "link=\"b->a\"")).as(before)
                .contains("strait_link_up{link=\"b->a\",source=\"b\",target=\"a\"} 0.0")
                .contains("strait_lag_records{link=\"b->a\",source=\"b\",source_topic=\"payments\",target=\"a\",target_topic=\"b_payments\"} 4.0")
                .anyMatch(s -> s.startsWith("strait_link_state{link=\"b->a\",source=\"b\",state=\"FAILING\",target=\"a\"} 1.0"))
                .anyMatch(s -> s.startsWith("strait_link_herder_starts_total{link=\"b->a\",source=\"b\",target=\"a\"}"));

        fixed.links.remove(B_A);
        fixed.lag.remove(B_A);
        String after = metrics.scrape();
        assertThat(series(after, "link=\"b->a\"")).as(after).isEmpty();
        assertThat(after).contains("strait_link_up{link=\"a->b\",source=\"a\",target=\"b\"} 1.0")
                .contains("strait_lag_records{link=\"a->b\",source=\"a\",source_topic=\"orders\",target=\"b\",target_topic=\"a.orders\"} 12.0");
    }

    @Test
    void seriesOfATopicNoLongerReplicatedDisappear() {
        Metrics worker = new Metrics();
        mirrorMetric(worker, "record-count", "a.orders", 0, 40);
        mirrorMetric(worker, "record-count", "a.orders", 1, 2);
        mirrorMetric(worker, "record-count", "a.payments", 0, 7);
        mirrorMetric(worker, "replication-latency-ms-max", "a.payments", 0, 15);
        fixed.link(A_B, fixed.links.get(A_B).status(), Optional.of(worker), Map.of("orders", 2L, "payments", 1L),
                Map.of("payments", 1L));
        String before = metrics.scrape();
        // Records and latency (MirrorMaker 2's), lag, losses and re-creations (Strait's) of payments.
        assertThat(series(before, "target_topic=\"a.payments\"")).as(before).hasSize(5)
                .contains("strait_replicated_records_total{link=\"a->b\",source=\"a\",source_topic=\"payments\",target=\"b\",target_topic=\"a.payments\"} 7.0");
        assertThat(before).contains("strait_replicated_records_total{link=\"a->b\",source=\"a\",source_topic=\"orders\",target=\"b\",target_topic=\"a.orders\"} 42.0")
                .contains("strait_lag_records{link=\"a->b\",source=\"a\",source_topic=\"payments\",target=\"b\",target_topic=\"a.payments\"} 0.0")
                .contains("strait_source_records_lost_total{link=\"a->b\",source=\"a\",source_topic=\"payments\",target=\"b\",target_topic=\"a.payments\"} 1.0")
                .contains("strait_source_topic_recreations_total{link=\"a->b\",source=\"a\",source_topic=\"payments\",target=\"b\",target_topic=\"a.payments\"} 1.0");

        // The link's filter no longer selects payments: its tasks' metrics, lag and counts go.
        worker.removeMetric(worker.metricName("record-count", "MirrorSourceConnector",
                Map.of("topic", "a.payments", "partition", "0")));
        worker.removeMetric(worker.metricName("replication-latency-ms-max", "MirrorSourceConnector",
                Map.of("topic", "a.payments", "partition", "0")));
        fixed.link(A_B, fixed.links.get(A_B).status(), Optional.of(worker), Map.of("orders", 2L), Map.of());
        StraitDaemon.LagSample sample = fixed.lag.get(A_B);
        TreeMap<TopicPartition, Long> lag = new TreeMap<>(sample.lag());
        lag.remove(new TopicPartition("payments", 0));
        fixed.lag.put(A_B, new StraitDaemon.LagSample(sample.at(), lag, sample.lost(), sample.error()));

        String after = metrics.scrape();
        assertThat(series(after, "target_topic=\"a.payments\"")).as(after).isEmpty();
        assertThat(series(after, "source_topic=\"payments\",target=\"b\"")).as(after).isEmpty();
        assertThat(after).contains("strait_replicated_records_total{link=\"a->b\",source=\"a\",source_topic=\"orders\",target=\"b\",target_topic=\"a.orders\"} 42.0")
                .contains("strait_lag_records{link=\"a->b\",source=\"a\",source_topic=\"orders\",target=\"b\",target_topic=\"a.orders\"} 12.0")
                .contains("strait_source_records_lost_total{link=\"a->b\",source=\"a\",source_topic=\"orders\",target=\"b\",target_topic=\"a.orders\"} 2.0");
        worker.close();
    }

    @Test
    void seriesOfAGroupNoLongerCheckpointedDisappear() {
        String before = metrics.scrape();
        assertThat(series(before, "group=\"audit\"")).as(before).isNotEmpty();
        GroupCheckpointer.Status was = fixed.groups.get(A_B);
        TreeMap<String, GroupCheckpointer.GroupStatus> groups = new TreeMap<>(was.groups());
        groups.remove("audit");
        fixed.groups.put(A_B, new GroupCheckpointer.Status(was.lastRound(), was.error(), groups,
                was.checkpointsWritten(), was.offsetsSynced()));
        String after = metrics.scrape();
        assertThat(series(after, "group=\"audit\"")).as(after).isEmpty();
        assertThat(series(after, "group=\"billing\"")).as(after).isNotEmpty();
    }

    @Test
    void aLinkStateChangeMovesTheOneOfItsStateSeries() {
        assertThat(metrics.scrape()).contains("strait_link_state{link=\"b->a\",source=\"b\",state=\"FAILING\",target=\"a\"} 1.0")
                .contains("strait_link_state{link=\"b->a\",source=\"b\",state=\"RUNNING\",target=\"a\"} 0.0");
        fixed.state(B_A, LinkReplicator.State.RUNNING);
        assertThat(metrics.scrape()).contains("strait_link_state{link=\"b->a\",source=\"b\",state=\"FAILING\",target=\"a\"} 0.0")
                .contains("strait_link_state{link=\"b->a\",source=\"b\",state=\"RUNNING\",target=\"a\"} 1.0")
                .contains("strait_link_up{link=\"b->a\",source=\"b\",target=\"a\"} 1.0");
    }

    private static void mirrorMetric(Metrics metrics, String name, String topic, int partition, double value) {
        metrics.addMetric(metrics.metricName(name, "MirrorSourceConnector",
                Map.of("topic", topic, "partition", Integer.toString(partition))), (Measurable) (config, now) -> value);
    }

    /** The sample lines (not comments) that contain {@code text}. */
    private static List<String> series(String scrape, String text) {
        return Arrays.stream(scrape.split("\n")).filter(l -> !l.startsWith("#") && l.contains(text)).toList();
    }
}
