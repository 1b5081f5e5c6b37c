package io.strait.http;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.MetricsReporter;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * MirrorMaker 2's per-partition counters ({@code record-count}, {@code byte-count} of
 * {@code MirrorSourceMetrics}) summed per link and target topic into counters that never go back.
 *
 * <p>MirrorMaker 2 registers those counters when a task starts and removes them when it stops, so a
 * sum of the live ones drops when a task restarts, a partition moves to another task or the link's
 * herder is rebuilt. Here the value of a counter that goes away is kept: a {@link MetricsReporter} on
 * the link's Connect worker {@link Metrics} hears each removal ({@code Metrics.removeMetric}) with the
 * counter's final value; a counter that vanishes unheard (its worker closed) keeps the value last read.
 * A series' total is what was kept plus the live counters, and is never exported below a value
 * exported before. A series goes with its link, or when its caller {@link #forget}s it (its topic is
 * no longer replicated).
 *
 * <p>Thread safety: the reporter only queues (it runs under the Metrics' and the sensor's locks);
 * {@link #totals} drains the queue, under the caller's lock.
 */
final class MirrorCounters {

    /** The MirrorMaker 2 counters summed here. */
    static final Set<String> COUNTERS = Set.of("record-count", "byte-count");

    /** One exported series: a link's target topic, for one MirrorMaker 2 counter. */
    record Key(String link, String targetTopic, String counter) {
    }

    private record Removal(String link, KafkaMetric metric, double value) {
    }

    private record Live(String link, Key key, double value) {
    }

    private final ConcurrentLinkedQueue<Removal> removals = new ConcurrentLinkedQueue<>();
    /** Worker Metrics objects a reporter was added to (identity; dropped with the worker). */
    private final Set<Metrics> watched = Collections.newSetFromMap(new WeakHashMap<>());
    /** Counters read at the last scrape and not gone since. */
    private final Map<KafkaMetric, Live> live = new IdentityHashMap<>();
    /** How much of each gone counter is already in {@link #kept} (KafkaMetric has identity equality). */
    private final Map<KafkaMetric, Double> credited = new WeakHashMap<>();
    /** The value of gone counters, per series. */
    private final Map<Key, Double> kept = new HashMap<>();
    /** The highest value exported per series. */
    private final Map<Key, Double> exported = new HashMap<>();

    /**
     * The total of every series of the given links, reading each link's worker metrics now (empty
     * when its worker is not running). Series of links not given are forgotten.
     */
    Map<Key, Double> totals(Map<String, Metrics> workers, Set<String> links) {
        workers.forEach((link, metrics) -> {
            if (watched.add(metrics)) {
                metrics.addReporter(new RemovalReporter(link));
            }
        });
        drainRemovals();
        Map<KafkaMetric, Live> seen = new IdentityHashMap<>();
        workers.forEach((link, metrics) -> metrics.metrics().forEach((name, metric) -> {
            Key key = key(link, name);
            if (key != null && metric.metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                seen.put(metric, new Live(link, key, n.doubleValue()));
            }
        }));
        // Gone without a removal heard (yet): keep the value last read; a later removal adds the rest.
        live.forEach((metric, was) -> {
            if (!seen.containsKey(metric)) {
                credit(metric, was.key(), was.value());
            }
        });
        drainRemovals();
        live.clear();
        seen.forEach((metric, now) -> {
            if (!credited.containsKey(metric)) {
                live.put(metric, now);
            }
        });

        kept.keySet().removeIf(k -> !links.contains(k.link()));
        exported.keySet().removeIf(k -> !links.contains(k.link()));
        Map<Key, Double> totals = new HashMap<>(kept);
        live.values().forEach(l -> totals.merge(l.key(), l.value(), Double::sum));
        totals.replaceAll((key, total) -> {
            double max = Math.max(total, exported.getOrDefault(key, 0.0));
            exported.put(key, max);
            return max;
        });
        return totals;
    }

    /** The series that have a live counter now (as of the last {@link #totals}). */
    Set<Key> live() {
        Set<Key> keys = new java.util.HashSet<>();
        live.values().forEach(l -> keys.add(l.key()));
        return keys;
    }

    /** Forgets a series that has no live counter: its topic is no longer replicated. */
    void forget(Key key) {
        if (!live().contains(key)) {
            kept.remove(key);
            exported.remove(key);
        }
    }

    private void drainRemovals() {
        for (Removal r; (r = removals.poll()) != null; ) {
            Key key = key(r.link(), r.metric().metricName());
            if (key != null) {
                live.remove(r.metric());
                credit(r.metric(), key, r.value());
            }
        }
    }

    /** Puts the part of {@code value} not yet kept for this counter into its series. */
    private void credit(KafkaMetric metric, Key key, double value) {
        double before = credited.getOrDefault(metric, 0.0);
        if (value > before) {
            kept.merge(key, value - before, Double::sum);
            credited.put(metric, value);
        } else {
            credited.putIfAbsent(metric, before);
        }
    }

    /** The series a MirrorMaker 2 partition counter belongs to, or null for any other metric. */
    private static Key key(String link, MetricName name) {
        String topic = name.tags().get("topic");
        if (!COUNTERS.contains(name.name()) || topic == null || !name.tags().containsKey("partition")) {
            return null;
        }
        return new Key(link, topic, name.name());
    }

    /** Hears counters removed from a link's worker metrics, with their final value. */
    private final class RemovalReporter implements MetricsReporter {
        private final String link;

        RemovalReporter(String link) {
            this.link = link;
        }

        @Override
        public void metricRemoval(KafkaMetric metric) {
            if (key(link, metric.metricName()) != null && metric.metricValue() instanceof Number n) {
                removals.add(new Removal(link, metric, n.doubleValue()));
            }
        }

        @Override
        public void init(List<KafkaMetric> metrics) {
        }

        @Override
        public void metricChange(KafkaMetric metric) {
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }
}
