package io.strait.http;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Meter;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replicated-record and byte counters that never go back: MirrorMaker 2's per-partition counters,
 * registered in real Kafka {@link Metrics} the way {@code MirrorSourceMetrics} does, go away and start
 * again from zero when a task restarts, a partition moves, or the link's worker is rebuilt.
 */
class MirrorCountersTest {

    private static final String LINK = "a->b";
    private final MirrorCounters counters = new MirrorCounters();

    @Test
    void aTaskRestartDoesNotTakeTheCounterBack() {
        Metrics worker = new Metrics();
        Partition task1 = partition(worker, "task-1", "a.orders", 0);
        record(task1, 5);
        assertThat(records(worker)).isEqualTo(5.0);
        record(task1, 3);  // copied after the last scrape, before the task stopped
        task1.remove();
        Partition task1Again = partition(worker, "task-1b", "a.orders", 0);
        record(task1Again, 2);
        assertThat(records(worker)).as("5 + 3 before the restart, 2 after").isEqualTo(10.0);
        record(task1Again, 1);
        assertThat(records(worker)).isEqualTo(11.0);
    }

    @Test
    void partitionsOfATopicAddUpAndMoveBetweenTasks() {
        Metrics worker = new Metrics();
        Partition p0 = partition(worker, "t1", "a.orders", 0);
        Partition p1 = partition(worker, "t2", "a.orders", 1);
        record(p0, 4);
        record(p1, 6);
        assertThat(records(worker)).isEqualTo(10.0);
        p1.remove();  // partition 1 moves to task 1
        Partition p1Moved = partition(worker, "t1b", "a.orders", 1);
        assertThat(records(worker)).isEqualTo(10.0);
        record(p1Moved, 1);
        assertThat(records(worker)).isEqualTo(11.0);
    }

    @Test
    void aRebuiltWorkerContinuesTheCount() {
        Metrics old = new Metrics();
        Partition sensor = partition(old, "t1", "a.orders", 0);
        record(sensor, 7);
        assertThat(records(old)).isEqualTo(7.0);
        // The herder is rebuilt: a new worker, whose metrics start from zero; the old one's
        // counters vanish without a removal being heard (its worker closed).
        Metrics rebuilt = new Metrics();
        record(partition(rebuilt, "t1", "a.orders", 0), 2);
        assertThat(records(rebuilt)).isEqualTo(9.0);
        // A removal heard late (the old task stopped after the scrape) adds only what was not counted.
        record(sensor, 1);
        sensor.remove();
        assertThat(counters.totals(Map.of(LINK, old), Set.of(LINK)))
                .containsEntry(new MirrorCounters.Key(LINK, "a.orders", "record-count"), 10.0);
    }

    @Test
    void aStoppedWorkerKeepsItsSeriesUntilTheLinkGoes() {
        Metrics worker = new Metrics();
        Partition sensor = partition(worker, "t1", "a.orders", 0);
        record(sensor, 3);
        assertThat(records(worker)).isEqualTo(3.0);
        sensor.remove();
        assertThat(counters.totals(Map.of(), Set.of(LINK)))
                .containsEntry(new MirrorCounters.Key(LINK, "a.orders", "record-count"), 3.0);
        assertThat(counters.totals(Map.of(), Set.of())).isEmpty();
    }

    private double records(Metrics worker) {
        Map<MirrorCounters.Key, Double> totals = counters.totals(Map.of(LINK, worker), Set.of(LINK));
        double records = totals.get(new MirrorCounters.Key(LINK, "a.orders", "record-count"));
        assertThat(totals.get(new MirrorCounters.Key(LINK, "a.orders", "byte-count"))).as("10 bytes a record")
                .isEqualTo(records * 10);
        return records;
    }

    /** One partition's counters in one task, as MirrorSourceMetrics makes them (tags source, target, topic, partition). */
    private record Partition(Metrics metrics, Sensor records, Sensor bytes) {
        void remove() {
            metrics.removeSensor(records.name());
            metrics.removeSensor(bytes.name());
        }
    }

    private static Partition partition(Metrics metrics, String task, String topic, int partition) {
        Map<String, String> tags = Map.of("source", "a", "target", "b", "topic", topic,
                "partition", Integer.toString(partition), "task", task);
        String prefix = task + "-" + topic + "-" + partition;
        Sensor records = metrics.sensor(prefix + "-records-sent");
        records.add(new Meter(name(metrics, "record-rate", tags), name(metrics, "record-count", tags)));
        Sensor bytes = metrics.sensor(prefix + "-bytes-sent");
        bytes.add(new Meter(name(metrics, "byte-rate", tags), name(metrics, "byte-count", tags)));
        return new Partition(metrics, records, bytes);
    }

    private static void record(Partition partition, int n) {
        for (int i = 0; i < n; i++) {
            partition.records().record();
            partition.bytes().record(10.0);
        }
    }

    private static MetricName name(Metrics metrics, String name, Map<String, String> tags) {
        return metrics.metricName(name, "mirror-source-metrics", tags);
    }
}
