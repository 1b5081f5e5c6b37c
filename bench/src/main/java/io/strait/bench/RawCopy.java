package io.strait.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reference copier: the least a partition-preserving copy must do. One thread: one consumer
 * assigned every partition of the source topic, one producer writing each record to the same
 * partition number of the target topic with its key, value, headers and timestamp. It creates the
 * target topic with the source's partition count, waits until every partition has a leader, then
 * copies until SIGTERM, as a replicator would.
 *
 * <p>Its clients have their own best settings (the ceiling Strait is measured against), not
 * Strait's: see {@link #CONSUMER} and {@link #PRODUCER}. Strait's producer keeps 1 request in
 * flight because of KAFKA-15591 (a topic created under a running producer); the raw copy creates
 * its topic before its producer starts, and the benchmark verifies the order of every partition.
 *
 * <p>{@code RawCopy SOURCE_BOOTSTRAP TARGET_BOOTSTRAP SOURCE_TOPIC TARGET_TOPIC}
 */
public final class RawCopy {

    /**
     * Consumer settings (besides addresses and deserializers): fetches of at least 1 MiB, or what
     * there is after 50 ms; up to 2,000 records per poll.
     */
    static final Map<String, Object> CONSUMER = ordered(
            ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1024 * 1024,
            ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);

    /**
     * Producer settings (besides addresses and serializers): idempotent with {@code acks=all}, so
     * no duplicate and no reordering from its own retries; 512 KiB batches, 10 ms linger, 5
     * requests in flight.
     */
    static final Map<String, Object> PRODUCER = ordered(
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
            ProducerConfig.LINGER_MS_CONFIG, 10,
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);

    private RawCopy() {
    }

    /** The settings in one line, for the report: "consumer `fetch.min.bytes=1048576`, ...; producer ...". */
    static String describeSettings() {
        return "consumer " + line(CONSUMER) + "; producer " + line(PRODUCER);
    }

    private static String line(Map<String, Object> settings) {
        return settings.entrySet().stream().map(e -> "`" + e.getKey() + "=" + e.getValue() + "`")
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(map);
    }

    private static Map<String, Object> with(Map<String, Object> settings, Object... keysAndValues) {
        Map<String, Object> map = new java.util.LinkedHashMap<>(ordered(keysAndValues));
        map.putAll(settings);
        return map;
    }

    /**
     * The client settings, with any {@code -Dbench.raw.producer.X=V} / {@code -Dbench.raw.consumer.X=V}
     * system property on top (experiments: {@code --jvm-opts '... -Dbench.raw.producer.linger.ms=0'}).
     */
    private static Map<String, Object> overridden(String prefix, Map<String, Object> config) {
        Map<String, Object> result = new java.util.HashMap<>(config);
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                .forEach(k -> result.put(k.substring(prefix.length()), System.getProperty(k)));
        if (result.size() != config.size() || !result.equals(config)) {
            System.out.println("Raw copy client settings changed by system properties: " + prefix + "* -> " + result);
        }
        return result;
    }

    /** Waits until every partition of the new topic has a leader, so that the first Produce requests find one. */
    private static void awaitLeaders(Admin admin, String topic, int partitions) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                var d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
                if (d.partitions().size() == partitions
                        && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return;
                }
            } catch (ExecutionException e) {
                // not visible yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic " + topic + " has no leader for every partition after 60 s");
            }
            Thread.sleep(20);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: RawCopy SOURCE_BOOTSTRAP TARGET_BOOTSTRAP SOURCE_TOPIC TARGET_TOPIC");
            System.exit(1);
        }
        String source = args[0];
        String target = args[1];
        String topic = args[2];
        String targetTopic = args[3];

        int partitions;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, source))) {
            partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, target))) {
            try {
                admin.createTopics(List.of(new NewTopic(targetTopic, Optional.of(partitions), Optional.empty())))
                        .all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            awaitLeaders(admin, targetTopic, partitions);
        }

        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(overridden("bench.raw.consumer.", with(CONSUMER,
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, source,
                ConsumerConfig.CLIENT_ID_CONFIG, "raw-copy-consumer",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(overridden("bench.raw.producer.", with(PRODUCER,
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target,
                ProducerConfig.CLIENT_ID_CONFIG, "raw-copy-producer",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())));

        List<TopicPartition> assigned = java.util.stream.IntStream.range(0, partitions)
                .mapToObj(p -> new TopicPartition(topic, p)).toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        System.out.printf("Raw copy %s -> %s: %d partitions, clients ready %d ms after JVM start%n", topic, targetTopic,
                partitions, java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());

        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Exception> failure = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.wakeup();
            try {
                done.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "raw-copy-shutdown"));

        long copied = 0;
        // -Dbench.raw.trace=true: every 5 s, how old records were when this consumer received them
        // (source side of the end-to-end latency), and how long a poll took.
        boolean trace = Boolean.getBoolean("bench.raw.trace");
        long[] ages = new long[trace ? 1 << 20 : 0];
        int aged = 0;
        long traceFrom = System.currentTimeMillis();
        try {
            while (failure.get() == null) {
                long before = System.nanoTime();
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (trace) {
                    long now = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        if (aged < ages.length) {
                            ages[aged++] = now - r.timestamp();
                        }
                    }
                    if (now - traceFrom >= 5000 && aged > 0) {
                        long[] sorted = java.util.Arrays.copyOf(ages, aged);
                        java.util.Arrays.sort(sorted);
                        System.out.printf("trace: %d records in %d ms, age at receipt p50 %d ms p99 %d ms max %d ms; last poll %d ms, %d records%n",
                                aged, now - traceFrom, sorted[aged / 2], sorted[(int) (aged * 0.99)], sorted[aged - 1],
                                (System.nanoTime() - before) / 1_000_000, records.count());
                        aged = 0;
                        traceFrom = now;
                    }
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(targetTopic, r.partition(), r.timestamp(), r.key(), r.value(),
                            r.headers()), (metadata, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                }
                            });
                }
                copied += records.count();
            }
            System.out.println("Raw copy failed: " + failure.get());
            failure.get().printStackTrace(System.out);
        } catch (WakeupException e) {
            System.out.printf("Raw copy stopping after %,d records%n", copied);
        } finally {
            producer.close(Duration.ofSeconds(10));
            consumer.close(Duration.ofSeconds(5));
            done.countDown();
        }
        if (failure.get() != null) {
            System.exit(3);
        }
    }
}
