package org.apache.kafka.connect.mirror;

import io.strait.replication.MirrorSettings;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins what the copy loop takes from MirrorMaker 2 (Kafka 4.3.1) through
 * {@link MirrorSourceTaskParts}, built from Strait's own connector settings: the partitions, the
 * naming, the poll timeout, the metric names and Connect's source partition map.
 */
class MirrorSourceTaskPartsTest {

    private static Map<String, String> taskProps(String flowSettings) throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { a { bootstrap-servers = "a:9092" }, b { bootstrap-servers = "b:9092" } }
                  flows { dr { type = link, source = a, target = b %s } }
                }""".formatted(flowSettings), "t.conf");
        Map<String, String> props = new HashMap<>(new MirrorSettings(topology, 2)
                .connectorConfig(LinkId.parse("a->b"), MirrorSourceConnector.class));
        props.put(MirrorSourceConfig.TASK_TOPIC_PARTITIONS, "orders-0,payments.eu-1");
        props.put("task.index", "0");
        // No offset-syncs producer in a unit test.
        props.put("emit.offset-syncs.enabled", "false");
        return props;
    }

    @Test
    void readsTheTasksPartitionsNamingAndMetricsAsMirrorSourceTaskDoes() throws Exception {
        try (MirrorSourceTaskParts parts = new MirrorSourceTaskParts(taskProps(""))) {
            assertThat(parts.partitions()).containsExactlyInAnyOrder(
                    new TopicPartition("orders", 0), new TopicPartition("payments.eu", 1));
            assertThat(parts.sourceAlias()).isEqualTo("a");
            assertThat(parts.targetAlias()).isEqualTo("b");
            assertThat(parts.targetTopic("orders")).isEqualTo("a.orders");
            assertThat(parts.pollTimeout()).isEqualTo(Duration.ofSeconds(1));
            // Strait sets metric.names.formats = new: the names Strait's /metrics reads, no legacy JMX tree.
            assertThat(parts.newMetricNames()).isTrue();
            assertThat(parts.legacyMetrics()).isFalse();
            assertThat(parts.sourcePartition(new TopicPartition("orders", 0)))
                    .isEqualTo(Map.of("cluster", "a", "topic", "orders", "partition", 0));
        }
    }

    /**
     * MirrorMaker 2's offset syncs, about 100 bytes each and one per {@code offset.lag.max} records of a
     * partition, go to the source in batches of up to 100 ms (reference.conf): with Kafka's 5 ms linger
     * they cost the brokers some 520 Produce requests per million records copied (bench/README.md). The
     * setting is the offset-syncs producer's alone: the copy producer, which takes MM2's
     * {@code target.producer.*}, keeps its own linger (a 100 ms one raised the p99 latency to 112 ms), and
     * so do syncs written to the target. A link's own setting wins.
     */
    @Test
    void offsetSyncsAreWrittenInBatchesOfUpTo100Ms() throws Exception {
        Map<String, Object> atSource = new MirrorSourceTaskConfig(taskProps("")).offsetSyncsTopicProducerConfig();
        assertThat(atSource).containsEntry("linger.ms", "100").containsEntry("bootstrap.servers", "a:9092");
        assertThat(StraitMirrorAccess.targetProducerConfig(taskProps(""), "replication-producer"))
                .as("MM2's target producer settings, which the copy producer takes").doesNotContainKey("linger.ms");
        Map<String, Object> atTarget = new MirrorSourceTaskConfig(
                taskProps(", mirror { \"offset-syncs.topic.location\" = target }")).offsetSyncsTopicProducerConfig();
        assertThat(atTarget).doesNotContainKey("linger.ms").containsEntry("bootstrap.servers", "b:9092");
        Map<String, Object> own = new MirrorSourceTaskConfig(
                taskProps(", mirror { \"source.producer.linger.ms\" = 0 }")).offsetSyncsTopicProducerConfig();
        assertThat(own).containsEntry("linger.ms", "0");
    }

    @Test
    void namesTargetTopicsByTheLinksNaming() throws Exception {
        try (MirrorSourceTaskParts parts = new MirrorSourceTaskParts(taskProps(", naming = identity"))) {
            assertThat(parts.targetTopic("orders")).isEqualTo("orders");
        }
    }
}
