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
        return taskProps("", flowSettings);
    }

    private static Map<String, String> taskProps(String sourceCluster, String flowSettings) throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { a { bootstrap-servers = "a:9092" %s }, b { bootstrap-servers = "b:9092" } }
                  flows { dr { type = link, source = a, target = b %s } }
                }""".formatted(sourceCluster, flowSettings), "t.conf");
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
     * partition, go to the source in batches of up to 100 ms on an at-least-once link (MirrorSettings):
     * with Kafka's 5 ms linger they cost the brokers some 520 Produce requests per million records copied
     * (bench/README.md). Only the offset-syncs producer lingers: the copy producer takes MM2's
     * {@code target.producer.*} (a 100 ms linger there raised the p99 latency to 112 ms). Not on an
     * exactly-once link (MirrorSourceTask keeps 10 syncs in flight and drops the rest), not with syncs on
     * the target, and a cluster's or link's own linger wins.
     */
    @Test
    void offsetSyncsAreWrittenInBatchesOfUpTo100MsOnAtLeastOnceLinks() throws Exception {
        assertThat(offsetSyncsProducer("", "")).containsEntry("linger.ms", "100")
                .containsEntry("bootstrap.servers", "a:9092");
        assertThat(StraitMirrorAccess.targetProducerConfig(taskProps("", ""), "replication-producer"))
                .as("MM2's target producer settings, which the copy producer takes").doesNotContainKey("linger.ms");
        assertThat(offsetSyncsProducer("", ", delivery = exactly-once")).doesNotContainKey("linger.ms");
        assertThat(offsetSyncsProducer("", ", mirror { \"offset-syncs.topic.location\" = target }"))
                .doesNotContainKey("linger.ms").containsEntry("bootstrap.servers", "b:9092");
        assertThat(offsetSyncsProducer("", ", mirror { \"source.producer.linger.ms\" = 0 }")).containsEntry("linger.ms", "0");
        assertThat(offsetSyncsProducer("", ", mirror { \"producer.linger.ms\" = 3 }")).containsEntry("linger.ms", "3");
        assertThat(offsetSyncsProducer(", kafka-clients { \"linger.ms\" = 7 }", "")).containsEntry("linger.ms", "7");
    }

    private static Map<String, Object> offsetSyncsProducer(String sourceCluster, String flowSettings) throws Exception {
        return new MirrorSourceTaskConfig(taskProps(sourceCluster, flowSettings)).offsetSyncsTopicProducerConfig();
    }

    @Test
    void namesTargetTopicsByTheLinksNaming() throws Exception {
        try (MirrorSourceTaskParts parts = new MirrorSourceTaskParts(taskProps(", naming = identity"))) {
            assertThat(parts.targetTopic("orders")).isEqualTo("orders");
        }
    }
}
