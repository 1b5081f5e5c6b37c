package io.strait.bench;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end latency at a fixed rate: an application produces to the source at {@code rate}
 * records per second from the replicator's launch on; a consumer on the target notes, for every
 * record, its arrival time minus the timestamp the producer gave it. Once the replicator has
 * caught up (in every partition, a record arrives less than a second after it was produced), a short settling time
 * has passed and the replicator has run for at least {@code --latency-warmup} (its JIT compiler's first work, the
 * same for every replicator), the records produced during the next {@code duration} are the sample.
 */
final class LatencyRun {

    record Result(long samples, long p50, long p99, long p999, long max, double mean, double caughtUpAt,
                  long produced, double achievedRate) {
    }

    private LatencyRun() {
    }

    static Result run(BenchOptions options, BenchRecords shape, ChildBroker source, ChildBroker target,
                      ChildJvm replicator, String topic, String targetTopic) throws Exception {
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLong produced = new AtomicLong();
        AtomicReference<Exception> produceFailure = new AtomicReference<>();
        Map<String, Object> producerConfig = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, source.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "bench-latency-producer",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        Thread producerThread = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig)) {
                long begin = System.nanoTime();
                long seq = 0;
                while (producing.get() && produceFailure.get() == null) {
                    long due = (System.nanoTime() - begin) * options.latencyRate / 1_000_000_000L;
                    for (; seq < due; seq++) {
                        producer.send(shape.record(topic, seq, options.partitions, System.currentTimeMillis()), (m, e) -> {
                            if (e != null) {
                                produceFailure.compareAndSet(null, e);
                            }
                        });
                    }
                    produced.set(seq);
                    LockSupport.parkNanos(1_000_000);
                }
                producer.flush();
            }
        }, "bench-latency-producer");
        producerThread.start();

        BenchRecords.LongList latencies = new BenchRecords.LongList();
        double caughtUpAt = -1;
        long windowProduced = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                BenchRecords.consumerConfig(target.bootstrapServers(), "bench-latency-consumer"))) {
            List<TopicPartition> partitions = awaitTopic(target, targetTopic, replicator, options.variantTimeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = replicator.launchNanos + options.variantTimeout.toNanos();
            long windowStart = Long.MAX_VALUE;
            long windowEnd = Long.MAX_VALUE;
            long producedAtStart = 0;
            long expectedTotal = Long.MAX_VALUE;
            // Caught up: the latest record of every partition arrived less than a second after it was produced.
            Map<Integer, Long> lastLatency = new java.util.HashMap<>();
            while (true) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    long latency = now - r.timestamp();
                    lastLatency.put(r.partition(), latency);
                    if (caughtUpAt < 0 && lastLatency.size() == partitions.size()
                            && lastLatency.values().stream().allMatch(l -> l < 1000)) {
                        caughtUpAt = replicator.secondsSinceLaunch();
                        // Steady state: settled after catching up, and past the JVM's warm-up (JIT) for
                        // every replicator alike, however soon it caught up.
                        windowStart = Math.max(now + options.latencySettle.toMillis(),
                                replicator.launchEpochMillis + options.latencyWarmup.toMillis());
                        windowEnd = windowStart + options.latencyDuration.toMillis();
                        Bench.log("  caught up %.1f s after launch; measuring %d s from %.1f s after launch on", caughtUpAt,
                                options.latencyDuration.toSeconds(), (windowStart - replicator.launchEpochMillis) / 1000.0);
                    }
                    if (r.timestamp() >= windowStart && r.timestamp() < windowEnd) {
                        latencies.add(latency);
                    }
                }
                if (produceFailure.get() != null) {
                    throw new IllegalStateException("producing to the source failed", produceFailure.get());
                }
                if (!replicator.alive()) {
                    throw new IllegalStateException(replicator.name + " exited; its log ends:\n" + replicator.tail(30));
                }
                if (now >= windowStart && producedAtStart == 0) {
                    producedAtStart = produced.get();
                }
                if (now >= windowEnd && producing.get()) {
                    windowProduced = produced.get() - producedAtStart;
                    producing.set(false);
                    producerThread.join(30_000);
                    // Everything produced must arrive: read on until the target holds what the source holds.
                    Map<TopicPartition, Long> sourceEnds = endOffsets(source, topic);
                    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    expectedTotal = sourceEnds.values().stream().mapToLong(Long::longValue).sum();
                }
                if (!producing.get()) {
                    long position = partitions.stream().mapToLong(consumer::position).sum();
                    if (position >= expectedTotal) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(caughtUpAt < 0
                            ? "the replicator never caught up within " + options.variantTimeout.toSeconds() + " s"
                            : "records produced during the measurement had not all arrived 60 s after it");
                }
            }
        } finally {
            producing.set(false);
            producerThread.join(30_000);
        }
        long[] sorted = latencies.toArray();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(Double.NaN);
        return new Result(sorted.length, percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 99.9),
                sorted.length == 0 ? -1 : sorted[sorted.length - 1], mean, caughtUpAt, produced.get(),
                windowProduced / (double) options.latencyDuration.toSeconds());
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static List<TopicPartition> awaitTopic(ChildBroker target, String topic, ChildJvm replicator, Duration timeout)
            throws Exception {
        long deadline = replicator.launchNanos + timeout.toNanos();
        while (true) {
            try {
                var d = target.admin().describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic);
                return d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            } catch (java.util.concurrent.ExecutionException e) {
                // not created yet
            }
            if (!replicator.alive()) {
                throw new IllegalStateException(replicator.name + " exited; its log ends:\n" + replicator.tail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(topic + " not created within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(ChildBroker broker, String topic) throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                BenchRecords.consumerConfig(broker.bootstrapServers(), "bench-latency-ends"))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions, Duration.ofSeconds(30));
        }
    }
}
