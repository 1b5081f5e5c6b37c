package io.strait.testing;

import io.strait.demo.LocalKafkaCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Real single-node KRaft clusters for one test, started in parallel, with the reads and writes
 * replication tests need. Test consumers never auto-create topics.
 */
public final class TestClusters implements AutoCloseable {

    private static final DefaultReplicationPolicy POLICY = new DefaultReplicationPolicy();

    /** Where the test brokers come from: {@code -Dstrait.brokers=inprocess} (default) or {@code testcontainers}. */
    public enum Provider {
        INPROCESS, TESTCONTAINERS;

        public static Provider fromSystemProperty() {
            String name = System.getProperty("strait.brokers", "inprocess");
            return switch (name) {
                case "inprocess" -> INPROCESS;
                case "testcontainers" -> TESTCONTAINERS;
                default -> throw new IllegalArgumentException("-Dstrait.brokers=" + name
                        + ": write inprocess or testcontainers");
            };
        }
    }

    /** A running test broker. */
    public interface Broker extends AutoCloseable {
        String bootstrapServers();

        /** Client settings beyond the address (security), for the test's own clients. */
        default Map<String, Object> clientProperties() {
            return Map.of();
        }

        @Override
        void close();
    }

    private final Map<String, Broker> clusters = new LinkedHashMap<>();
    private final Map<String, Admin> admins = new HashMap<>();

    private TestClusters() {
    }

    /** Starts one cluster per alias, in parallel, from the provider chosen by {@code -Dstrait.brokers}. */
    public static TestClusters start(String... aliases) throws Exception {
        return start(Provider.fromSystemProperty(), aliases);
    }

    /** Starts one cluster per alias, in parallel; skips the test when the provider cannot run here. */
    public static TestClusters start(Provider provider, String... aliases) throws Exception {
        if (provider == Provider.TESTCONTAINERS) {
            ContainerBroker.requireDocker();
        }
        TestClusters result = new TestClusters();
        ExecutorService pool = Executors.newFixedThreadPool(aliases.length);
        try {
            Map<String, Future<Broker>> starting = new LinkedHashMap<>();
            for (String alias : aliases) {
                starting.put(alias, pool.submit(() -> provider == Provider.TESTCONTAINERS
                        ? ContainerBroker.start(alias) : inProcess(alias)));
            }
            for (Map.Entry<String, Future<Broker>> entry : starting.entrySet()) {
                result.clusters.put(entry.getKey(), entry.getValue().get(120, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            result.close();
            throw e;
        } finally {
            pool.shutdown();
        }
        return result;
    }

    /**
     * Starts one in-process cluster per key, in parallel, each with its own extra broker settings
     * (for example a {@code create.topic.policy.class.name} from this package).
     */
    public static TestClusters start(Map<String, Map<String, String>> brokerConfigs) throws Exception {
        TestClusters result = new TestClusters();
        ExecutorService pool = Executors.newFixedThreadPool(brokerConfigs.size());
        try {
            Map<String, Future<Broker>> starting = new LinkedHashMap<>();
            brokerConfigs.forEach((alias, config) -> starting.put(alias, pool.submit(() -> inProcess(alias, config))));
            for (Map.Entry<String, Future<Broker>> entry : starting.entrySet()) {
                result.clusters.put(entry.getKey(), entry.getValue().get(120, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            result.close();
            throw e;
        } finally {
            pool.shutdown();
        }
        return result;
    }

    /** Adds a broker in its own JVM, which the test can kill and restart. */
    public ChildKafkaBroker addChildBroker(String alias) throws Exception {
        return add(alias, ChildKafkaBroker.start(alias));
    }

    /** Adds a broker in its own JVM that takes SASL/PLAIN; the user {@code strait} has the given password. */
    public ChildKafkaBroker addSaslBroker(String alias, String straitPassword) throws Exception {
        return add(alias, ChildKafkaBroker.startSasl(alias, straitPassword));
    }

    /** As {@link #addSaslBroker(String, String)}, with more users by name and password; safe to call in parallel. */
    public ChildKafkaBroker addSaslBroker(String alias, String straitPassword, Map<String, String> moreUsers)
            throws Exception {
        return add(alias, ChildKafkaBroker.startSasl(alias, straitPassword, moreUsers));
    }

    private synchronized ChildKafkaBroker add(String alias, ChildKafkaBroker broker) {
        clusters.put(alias, broker);
        return broker;
    }

    /** Client settings for the test's clients of a cluster: address and security. */
    public Map<String, Object> clientConfig(String alias) {
        Map<String, Object> config = new HashMap<>(cluster(alias).clientProperties());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(alias));
        return config;
    }

    private static Broker inProcess(String alias) throws Exception {
        return inProcess(alias, Map.of());
    }

    private static Broker inProcess(String alias, Map<String, String> brokerConfig) throws Exception {
        LocalKafkaCluster cluster = LocalKafkaCluster.start(alias, brokerConfig);
        return new Broker() {
            @Override
            public String bootstrapServers() {
                return cluster.bootstrapServers();
            }

            @Override
            public void close() {
                cluster.close();
            }
        };
    }

    public Set<String> aliases() {
        return clusters.keySet();
    }

    public String bootstrap(String alias) {
        return cluster(alias).bootstrapServers();
    }

    private Broker cluster(String alias) {
        Broker cluster = clusters.get(alias);
        if (cluster == null) {
            throw new IllegalArgumentException("No test cluster " + alias);
        }
        return cluster;
    }

    public synchronized Admin admin(String alias) {
        return admins.computeIfAbsent(alias, a -> Admin.create(clientConfig(a)));
    }

    /** A topology file's text: every cluster of this test, plus the given HOCON inside {@code strait { }}. */
    public String topology(String body) {
        StringBuilder text = new StringBuilder("strait {\n  clusters {\n");
        clusters.forEach((alias, cluster) -> text.append("    ").append(alias)
                .append(" { bootstrap-servers = \"").append(cluster.bootstrapServers()).append("\" }\n"));
        text.append("  }\n  http.port = 0\n").append(body).append("\n}\n");
        return text.toString();
    }

    public void createTopic(String alias, String topic, int partitions, Map<String, String> configs) throws Exception {
        admin(alias).createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
                .all().get(30, TimeUnit.SECONDS);
    }

    public void addPartitions(String alias, String topic, int totalPartitions) throws Exception {
        admin(alias).createPartitions(Map.of(topic, NewPartitions.increaseTo(totalPartitions))).all()
                .get(30, TimeUnit.SECONDS);
    }

    /**
     * Writes {@code count} records to the topic, record i to partition {@code i % partitions}, with
     * key {@code <prefix>-i}, two headers and a distinct timestamp; waits until all are acknowledged.
     */
    public void produce(String alias, String topic, int partitions, String prefix, int from, int count) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(alias)) {
            // Recent enough that the brokers' 7-day retention keeps them: older records are deleted
            // by the broker's first retention check, 30 s after it starts.
            long baseTimestamp = (System.currentTimeMillis() / 1000 - 86_400) * 1000;
            List<Future<?>> sent = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, i % partitions,
                        baseTimestamp + i * 1000L, bytes(prefix + "-" + i), bytes("value " + i + " of " + alias));
                record.headers().add("origin", bytes(alias)).add("seq", bytes(Integer.toString(i)));
                sent.add(producer.send(record));
            }
            for (Future<?> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
        }
    }

    public KafkaProducer<byte[], byte[]> producer(String alias) {
        Map<String, Object> config = clientConfig(alias);
        // One request in flight, as Strait's own producer: with more, a producer writing into a
        // partition that is still being created can stall for good (KAFKA-15591), as seen in a test
        // that re-creates a topic and writes into it at once.
        config.putAll(Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1));
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Topics a user would see: not internal to Kafka or MirrorMaker 2, and not MM2's heartbeats
     * (a user topic whose name merely ends in {@code .heartbeats} is one a user sees).
     */
    public SortedSet<String> userTopics(String alias) throws Exception {
        return allTopics(alias).stream()
                .filter(t -> !POLICY.isInternalTopic(t) && !isHeartbeats(t))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    public SortedSet<String> allTopics(String alias) throws Exception {
        return new TreeSet<>(admin(alias).listTopics().names().get(30, TimeUnit.SECONDS));
    }

    /**
     * MirrorMaker 2's heartbeats topic or a copy of it made by replication between these clusters:
     * {@code heartbeats} prefixed by aliases of these clusters only ({@code a.heartbeats},
     * {@code b.a.heartbeats}), not {@code payments.heartbeats}.
     */
    public boolean isHeartbeats(String topic) {
        List<String> chain = prefixChain(topic);
        return topic.equals(String.join(".", chain) + (chain.isEmpty() ? "" : ".") + "heartbeats");
    }

    /** True for a name that starts with an alias of these clusters: a copy made by prefix naming. */
    public boolean isCopy(String topic) {
        return !prefixChain(topic).isEmpty();
    }

    /** Partition count of a topic, or -1 when it does not exist. */
    public int partitions(String alias, String topic) throws Exception {
        if (!allTopics(alias).contains(topic)) {
            return -1;
        }
        TopicDescription description = admin(alias).describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic);
        return description.partitions().size();
    }

    /** Records per partition (end offset minus start offset). */
    public SortedMap<Integer, Long> counts(String alias, String topic) throws Exception {
        int partitions = partitions(alias, topic);
        SortedMap<Integer, Long> counts = new TreeMap<>();
        if (partitions < 0) {
            return counts;
        }
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        var start = admin(alias).listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
        var end = admin(alias).listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            counts.put(p, end.get(tp).offset() - start.get(tp).offset());
        }
        return counts;
    }

    public long total(String alias, String topic) throws Exception {
        return counts(alias, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Every record of the topic, by partition, in offset order. */
    public SortedMap<Integer, List<ConsumerRecord<byte[], byte[]>>> readAll(String alias, String topic) throws Exception {
        SortedMap<Integer, List<ConsumerRecord<byte[], byte[]>>> records = new TreeMap<>();
        int partitions = partitions(alias, topic);
        if (partitions < 0) {
            return records;
        }
        Map<String, Object> config = clientConfig(alias);
        config.putAll(Map.of(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                assigned.add(new TopicPartition(topic, p));
                records.put(p, new ArrayList<>());
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (assigned.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Could not read " + topic + " on " + alias + " to its end within 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> records.get(r.partition()).add(r));
            }
        }
        return records;
    }

    public Map<String, String> topicConfig(String alias, String topic, String... names) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin(alias).describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        Map<String, String> values = new TreeMap<>();
        for (String name : names) {
            values.put(name, config.get(name).value());
        }
        return values;
    }

    /** A record as a comparable text: key, value, headers and timestamp. */
    public static String describe(ConsumerRecord<byte[], byte[]> record) {
        StringBuilder headers = new StringBuilder();
        for (Header header : record.headers()) {
            headers.append(header.key()).append('=').append(text(header.value())).append(';');
        }
        return "key=" + text(record.key()) + " value=" + text(record.value()) + " headers=" + headers
                + " timestamp=" + record.timestamp() + "/" + record.timestampType();
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        admins.values().forEach(admin -> admin.close(Duration.ofSeconds(5)));
        admins.clear();
        // Close in parallel: each broker takes a few seconds to shut down.
        clusters.values().parallelStream().forEach(Broker::close);
        clusters.clear();
    }

    /**
     * The aliases of these clusters that prefix a topic name, e.g. [b, a] for b.a.orders; the first
     * segment that is not an alias, and all after it, are the topic ([] for payments.heartbeats).
     */
    public List<String> prefixChain(String topic) {
        List<String> segments = new ArrayList<>(Arrays.asList(topic.split("\\.", -1)));
        List<String> chain = new ArrayList<>();
        for (int i = 0; i < segments.size() - 1 && clusters.containsKey(segments.get(i)); i++) {
            chain.add(segments.get(i));
        }
        return chain;
    }
}
