package org.apache.kafka.connect.mirror;

import io.strait.replication.MirrorSettings;
import io.strait.testing.TestClusters;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * MirrorMaker 2's automatic sync writes a group's translated offsets on the target when it takes
 * the group for new there (not in its last snapshot of idle groups): whatever the group holds,
 * even if it consumed further there (KAFKA-19794). Strait's checkpoint task writes only what moves
 * the group forward. Both tasks run against real brokers; the write is asked for directly.
 */
class StraitCheckpointTaskIT {

    static final TopicPartition COPY = new TopicPartition("a.orders", 0);
    static TestClusters clusters;
    static Map<String, String> props;

    @BeforeAll
    static void start() throws Exception {
        clusters = TestClusters.start("a", "b");
        clusters.createTopic("b", COPY.topic(), 1, Map.of());
        Topology topology = new TopologyLoader(Map.of()).parse(clusters.topology(
                "flows { dr { type = link, source = a, target = b } }"), "t.conf");
        props = new HashMap<>(new MirrorSettings(topology).connectorConfig(LinkId.parse("a->b"),
                MirrorCheckpointConnector.class));
        props.put("task.assigned.groups", "g");
        props.put("task.index", "0");
        // The old metric names only: the task then needs no Connect context.
        props.put("metric.names.formats", "legacy");
    }

    @AfterAll
    static void stop() {
        clusters.close();
    }

    @Test
    void mirrorMakersSyncMovesAGroupBackAndStraitsDoesNot() throws Exception {
        commit("back", 500);
        MirrorCheckpointTask stock = new MirrorCheckpointTask();
        stock.start(props);
        try {
            stock.syncGroupOffset("back", Map.of(COPY, new OffsetAndMetadata(100)));
            await().atMost(Duration.ofSeconds(10)).until(() -> offset("back") == 100);
        } finally {
            stock.stop();
        }
        System.out.println("[failover] MirrorMaker 2's sync of an idle group it took for new: 500 -> 100 on the target");

        commit("back", 500);
        StraitCheckpointTask strait = new StraitCheckpointTask();
        strait.start(props);
        try {
            strait.syncGroupOffset("back", Map.of(COPY, new OffsetAndMetadata(100)));
            await("never moved back").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> offset("back") == 500);
            strait.syncGroupOffset("back", Map.of(COPY, new OffsetAndMetadata(700)));
            await().atMost(Duration.ofSeconds(10)).until(() -> offset("back") == 700);
            // A group the target does not know is synced as MirrorMaker 2 does.
            strait.syncGroupOffset("new", Map.of(COPY, new OffsetAndMetadata(42)));
            await().atMost(Duration.ofSeconds(10)).until(() -> offset("new") == 42);
            // A group with members on the target is left alone.
            commit("active", 300);
            Map<String, Object> config = clusters.clientConfig("b");
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "active");
            config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(COPY.topic()));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(100));
                    return !consumer.assignment().isEmpty();
                });
                assertThat(strait.forwardOnly("active", Map.of(COPY, new OffsetAndMetadata(900)))).isEmpty();
            }
        } finally {
            strait.stop();
        }
    }

    static void commit(String group, long offset) throws Exception {
        clusters.admin("b").alterConsumerGroupOffsets(group, Map.of(COPY, new OffsetAndMetadata(offset))).all()
                .get(30, TimeUnit.SECONDS);
    }

    static long offset(String group) throws Exception {
        OffsetAndMetadata om = clusters.admin("b").listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).get(COPY);
        return om == null ? -1 : om.offset();
    }
}
