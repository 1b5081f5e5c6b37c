package io.strait.replication;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Meter;
import org.apache.kafka.common.metrics.stats.Min;
import org.apache.kafka.common.metrics.stats.Value;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MirrorMaker 2's per-partition source metrics ({@code MirrorSourceMetrics}, {@code metric.names.formats
 * = new}): the same names, descriptions and tags ({@code source}, {@code target}, {@code topic} (the
 * target topic), {@code partition}) in the task's plugin metrics, so that JMX, Strait's
 * {@code /metrics} and anything built on MM2's metrics see no difference. They are recorded per
 * partition and batch instead of per record:
 * <ul>
 *   <li>{@code record-count}, {@code record-rate}, {@code byte-count}, {@code byte-rate}: exact
 *       (a {@link Meter} sums what it is given);</li>
 *   <li>{@code record-age-ms} and {@code replication-latency-ms}: {@code -max} and {@code -min} are
 *       exact; {@code -avg} is the mean of the batches' means (MM2: of every record), and the plain
 *       value is the last batch's mean.</li>
 * </ul>
 * Not thread-safe: one writer, the task's thread.
 */
final class CopyMetrics {

    private final PluginMetrics metrics;
    private final String source;
    private final String target;
    private final Map<TopicPartition, PartitionSensors> partitions = new HashMap<>();

    CopyMetrics(PluginMetrics metrics, String source, String target) {
        this.metrics = metrics;
        this.source = source;
        this.target = target;
    }

    /** The sensors of a target topic-partition, registered on first use. */
    PartitionSensors partition(TopicPartition targetPartition) {
        return partitions.computeIfAbsent(targetPartition, PartitionSensors::new);
    }

    /** What one batch of a partition adds to a distribution: its extremes and mean. */
    static final class Sample {
        long count;
        long sum;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;

        void add(long value) {
            count++;
            sum += value;
            if (value < min) {
                min = value;
            }
            if (value > max) {
                max = value;
            }
        }

        void clear() {
            count = 0;
            sum = 0;
            min = Long.MAX_VALUE;
            max = Long.MIN_VALUE;
        }
    }

    final class PartitionSensors {
        private final Sensor records;
        private final Sensor bytes;
        private final Sensor ageExtremes;
        private final Sensor ageMean;
        private final Sensor latencyExtremes;
        private final Sensor latencyMean;

        private PartitionSensors(TopicPartition tp) {
            String prefix = tp.topic() + "-" + tp.partition() + "-";
            LinkedHashMap<String, String> tags = new LinkedHashMap<>();
            tags.put("source", source);
            tags.put("target", target);
            tags.put("topic", tp.topic());
            tags.put("partition", Integer.toString(tp.partition()));
            records = metrics.addSensor(prefix + "records-sent");
            records.add(new Meter(name("record-rate", "Average number of source records replicated to the target cluster per second.", tags),
                    name("record-count", "Number of source records replicated to the target cluster.", tags)));
            bytes = metrics.addSensor(prefix + "bytes-sent");
            bytes.add(new Meter(name("byte-rate", "Average number of bytes replicated per second.", tags),
                    name("byte-count", "Number of bytes replicated to the target cluster.", tags)));
            Sensor[] age = distribution(prefix + "record-age", "record-age-ms", tags,
                    "The age of incoming source records when replicated to the target cluster.",
                    "The %s age of incoming source records when replicated to the target cluster.", "max", "min", "average");
            ageExtremes = age[0];
            ageMean = age[1];
            Sensor[] latency = distribution(prefix + "replication-latency", "replication-latency-ms", tags,
                    "Time it takes records to replicate from source to target cluster.",
                    "%s time it takes records to replicate from source to target cluster.", "Max", "Min", "Average");
            latencyExtremes = latency[0];
            latencyMean = latency[1];
        }

        /**
         * MM2's four metrics of a distribution, {@code metric} and its {@code -max}, {@code -min} and
         * {@code -avg}, with MM2's descriptions: a sensor for the extremes, one for the mean.
         */
        private Sensor[] distribution(String sensor, String metric, Map<String, String> tags, String description,
                                      String template, String max, String min, String average) {
            Sensor extremes = metrics.addSensor(sensor);
            extremes.add(name(metric + "-max", template.formatted(max), tags), new Max());
            extremes.add(name(metric + "-min", template.formatted(min), tags), new Min());
            Sensor mean = metrics.addSensor(sensor + "-mean");
            mean.add(name(metric, description, tags), new Value());
            mean.add(name(metric + "-avg", template.formatted(average), tags), new Avg());
            return new Sensor[] {extremes, mean};
        }

        private MetricName name(String name, String description, Map<String, String> tags) {
            return metrics.metricName(name, description, new LinkedHashMap<>(tags));
        }

        /** A batch polled from the source: its value bytes and the records' ages (ms). */
        void polled(long valueBytes, Sample ages) {
            bytes.record(valueBytes);
            record(ageExtremes, ageMean, ages);
        }

        /** Records the target acknowledged: how many, and their replication latencies (ms). */
        void acked(Sample latencies) {
            records.record(latencies.count);
            record(latencyExtremes, latencyMean, latencies);
        }

        private void record(Sensor extremes, Sensor mean, Sample sample) {
            if (sample.count == 0) {
                return;
            }
            extremes.record(sample.min);
            extremes.record(sample.max);
            mean.record((double) sample.sum / sample.count);
        }
    }
}
