package io.strait.replication;

import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The copy loop's order guarantees with more than one request in flight, against a MockConsumer and
 * a producer whose acknowledgements the test gives, in any order: the first write into a partition
 * goes alone until acknowledged (KAFKA-15591), and an acknowledgement out of order fails the task
 * with the committed position before the earlier record.
 */
class DirectCopyTest {

    static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    static final String OFFSETS_TOPIC = "mm2-offsets.b.internal";

    /** A producer that keeps every send and its callback; the test completes them. */
    static final class HandProducer extends MockProducer<byte[], byte[]> {
        final List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
        final List<Callback> callbacks = new ArrayList<>();

        HandProducer() {
            super(new Cluster("c", List.of(new Node(0, "b", 9092)),
                    List.of(new PartitionInfo(OFFSETS_TOPIC, 0, null, new Node[0], new Node[0])), java.util.Set.of(),
                    java.util.Set.of()), false, null, null, null);
        }

        final java.util.Set<Integer> acked = new java.util.HashSet<>();
        /** When set, every source offset commit fails with it. */
        volatile RuntimeException offsetsError;

        /** Keeps the send; a source offset commit (to the offsets topic) is acknowledged at once. */
        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            sent.add(record);
            callbacks.add(callback);
            if (record.topic().equals(OFFSETS_TOPIC)) {
                if (offsetsError != null) {
                    acked.add(sent.size() - 1);
                    callback.onCompletion(null, offsetsError);
                } else {
                    ack(sent.size() - 1, 0);
                }
            }
            return new CompletableFuture<>();
        }

        /** Acknowledges the {@code index}-th send (0-based) at target offset {@code offset}. */
        void ack(int index, long offset) {
            acked.add(index);
            ProducerRecord<byte[], byte[]> r = sent.get(index);
            callbacks.get(index).onCompletion(new RecordMetadata(new TopicPartition(r.topic(),
                    r.partition() == null ? 0 : r.partition()), offset, 0, 0L, 0, 0), null);
        }

        /** Acknowledges, in order, every send not acknowledged yet. */
        void ackRest() {
            for (int i = 0; i < sent.size(); i++) {
                if (!acked.contains(i)) {
                    ack(i, i);
                }
            }
        }

        List<ProducerRecord<byte[], byte[]>> to(String topic) {
            return sent.stream().filter(r -> r.topic().equals(topic)).toList();
        }
    }

    HandProducer producer;
    /** The producer of source offset commits. */
    HandProducer commits;
    Function<Map<String, Object>, Producer<byte[], byte[]>> factory;
    MockConsumer<byte[], byte[]> consumer;
    DirectCopy copy;
    final Map<TopicPartition, SourcePositionTracker.Partition> positions = new HashMap<>();

    @BeforeEach
    void setUp() {
        producer = new HandProducer();
        commits = new HandProducer();
        factory = SharedProducers.factory;
        SharedProducers.factory = config -> {
            configs.add(config);
            return String.valueOf(config.get("client.id")).startsWith("strait-commits|") ? commits : producer;
        };
        consumer = new MockConsumer<>("earliest");
        consumer.updateBeginningOffsets(Map.of(ORDERS_0, 0L));
    }

    final List<Map<String, Object>> configs = new ArrayList<>();

    /** The copy loop of a task assigned orders-0, with 10 records there to read. */
    void open(Map<String, String> props) {
        OffsetMapWriter offsetMap = new OffsetMapWriter(new MockProducer<>(true, null, null, null),
                "strait-offset-map.a", "a->b", t -> null);
        copy = new DirectCopy("a->b", props, new PluginMetricsImpl(new Metrics(), Map.of()), NO_OFFSETS,
                offsetMap, Time.SYSTEM, parts -> consumer);
        for (int i = 0; i < 10; i++) {
            consumer.addRecord(new ConsumerRecord<>("orders", 0, i, bytes("k" + i), bytes("v" + i)));
        }
    }

    @AfterEach
    void close() {
        // Returns the shared producer's lease, so that the next test gets its own.
        producer.ackRest();
        if (copy != null) {
            copy.close();
        }
        SharedProducers.factory = factory;
        assertThat(SharedProducers.inUse()).isZero();
    }

    @Test
    void thePartitionsFirstWriteGoesAloneUntilTheTargetAcknowledgesIt() throws Exception {
        open(taskProps());
        assertThat(configs.get(0)).containsEntry("max.in.flight.requests.per.connection", "5");
        copy.poll(this::admit);
        assertThat(producer.to("a.orders")).as("sent before the first acknowledgement").hasSize(1);
        assertThat(consumer.paused()).containsExactly(ORDERS_0);
        copy.poll(this::admit);
        assertThat(producer.to("a.orders")).hasSize(1);

        producer.ack(0, 0);
        // The acknowledgement woke the consumer's poll up: the held records go now, not after its timeout.
        assertThatThrownBy(() -> consumer.poll(Duration.ZERO)).isInstanceOf(WakeupException.class);
        copy.poll(this::admit);
        List<ProducerRecord<byte[], byte[]>> sent = producer.to("a.orders");
        assertThat(sent).hasSize(10);
        assertThat(consumer.paused()).isEmpty();
        for (int i = 0; i < 10; i++) {
            assertThat(sent.get(i).partition()).isZero();
            assertThat(new String(sent.get(i).key(), StandardCharsets.UTF_8)).isEqualTo("k" + i);
        }
    }

    @Test
    void anAcknowledgementOutOfOrderFailsTheTaskWithItsPositionBeforeTheEarlierRecord() throws Exception {
        open(taskProps());
        copy.poll(this::admit);
        producer.ack(0, 0);
        copy.poll(this::admit);
        producer.ack(1, 1);
        // The record at source offset 3 acknowledged before the one at 2: KAFKA-15591's reordering.
        producer.ack(3, 2);
        producer.ack(2, 3);
        assertThatThrownBy(() -> copy.poll(this::admit)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("offset 3 of orders-0").hasMessageContaining("KAFKA-15591");
        copy.close();
        copy = null;
        List<ProducerRecord<byte[], byte[]>> committed = commits.to(OFFSETS_TOPIC);
        assertThat(committed).hasSize(1);
        assertThat(new String(committed.get(0).value(), StandardCharsets.UTF_8)).contains("\"offset\":1");
    }

    @Test
    void sourceOffsetsAreCommittedThroughAProducerOfTheirOwnWithTheCopyProducersConnection() throws Exception {
        open(taskProps());
        copy.poll(this::admit);
        producer.ackRest();
        copy.poll(this::admit);
        producer.ackRest();
        copy.close();
        copy = null;
        assertThat(producer.to(OFFSETS_TOPIC)).as("no commit queued behind the copied records").isEmpty();
        assertThat(commits.to(OFFSETS_TOPIC)).hasSize(1);
        assertThat(new String(commits.to(OFFSETS_TOPIC).get(0).value(), StandardCharsets.UTF_8)).contains("\"offset\":9");
        Map<String, Object> copyConfig = new HashMap<>(configs.get(0));
        Map<String, Object> commitConfig = new HashMap<>(configs.get(1));
        assertThat(copyConfig).containsEntry("client.id", "strait-copy|a->b").containsKey("batch.size");
        assertThat(commitConfig).containsEntry("client.id", "strait-commits|a->b")
                .doesNotContainKeys("batch.size", "linger.ms", "buffer.memory", "compression.type");
        copyConfig.keySet().removeAll(List.of("client.id", "batch.size", "linger.ms", "buffer.memory", "compression.type"));
        commitConfig.remove("client.id");
        assertThat(commitConfig).as("the same cluster, security and acknowledgements").isEqualTo(copyConfig);
    }

    @Test
    void aCommitProducerThatCannotWriteAnyMoreFailsTheTask() throws Exception {
        Map<String, String> props = taskProps();
        props.put(DirectCopy.COMMIT_INTERVAL_MS, "0");
        commits.offsetsError = new org.apache.kafka.common.errors.TopicAuthorizationException("no write to the offsets topic");
        open(props);
        copy.poll(this::admit);
        producer.ackRest();
        // The first acknowledgement wakes the consumer up: this poll ends early, the next commits.
        copy.poll(this::admit);
        copy.poll(this::admit);
        assertThat(commits.to(OFFSETS_TOPIC)).as("a commit was tried").isNotEmpty();
        assertThatThrownBy(() -> copy.poll(this::admit)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("source offsets could not be committed")
                .hasMessageContaining("no write to the offsets topic");
    }

    @Test
    void withOneRequestInFlightNothingIsHeld() throws Exception {
        Map<String, String> props = taskProps();
        props.put(DirectCopy.PRODUCER_PREFIX + "max.in.flight.requests.per.connection", "1");
        open(props);
        assertThat(configs.get(0)).containsEntry("max.in.flight.requests.per.connection", "1");
        copy.poll(this::admit);
        assertThat(producer.to("a.orders")).hasSize(10);
        assertThat(consumer.paused()).isEmpty();
    }

    private SourcePositionTracker.Partition admit(TopicPartition tp, long offset) {
        return positions.computeIfAbsent(tp, p -> new SourcePositionTracker.Partition(null, offset, 0));
    }

    private static Map<String, String> taskProps() throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { a { bootstrap-servers = "a:9092" }, b { bootstrap-servers = "b:9092" } }
                  flows { dr { type = link, source = a, target = b } }
                }""", "t.conf");
        Map<String, String> props = new HashMap<>(new MirrorSettings(topology, 2)
                .connectorConfig(LinkId.parse("a->b"), MirrorSourceConnector.class));
        props.put("task.assigned.partitions", "orders-0");
        props.put("task.index", "0");
        props.put(DirectCopy.OFFSETS_TOPIC, OFFSETS_TOPIC);
        // Offsets are committed at close only, however slow the test's polls are.
        props.put(DirectCopy.COMMIT_INTERVAL_MS, "3600000");
        // No offset-syncs producer in a unit test.
        props.put("emit.offset-syncs.enabled", "false");
        return props;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final OffsetStorageReader NO_OFFSETS = new OffsetStorageReader() {
        @Override
        public <T> Map<String, Object> offset(Map<String, T> partition) {
            return null;
        }

        @Override
        public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
            return Map.of();
        }
    };
}
