package org.apache.kafka.connect.mirror;

import io.strait.replication.MirrorSettings;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the parts of MirrorMaker 2 (Kafka 4.3.1) that Strait's source task reads through
 * {@link StraitMirrorAccess}, and how MirrorMaker 2 builds the source consumer from Strait's
 * connector settings: if an upgrade changes them, this fails.
 */
class StraitMirrorAccessTest {

    private static Map<String, String> taskProps(String delivery, String clusterClients) throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters {
                    a { bootstrap-servers = "a:9092", kafka-clients { %s } }
                    b { bootstrap-servers = "b:9092" }
                  }
                  flows { dr { type = link, source = a, target = b, delivery = %s } }
                }""".formatted(clusterClients, delivery), "t.conf");
        Map<String, String> props = new HashMap<>(new MirrorSettings(topology, 2)
                .connectorConfig(LinkId.parse("a->b"), MirrorSourceConnector.class));
        props.put(MirrorSourceConfig.TASK_TOPIC_PARTITIONS, "orders-0,orders-2,payments.eu-1");
        props.put("task.index", "0");
        return props;
    }

    @Test
    void readsTheTasksPartitionsLinkAndSourceAdminSettingsAsMirrorSourceTaskDoes() throws Exception {
        Map<String, String> props = taskProps("at-least-once", "\"security.protocol\" = PLAINTEXT");
        assertThat(StraitMirrorAccess.taskTopicPartitions(props)).containsExactlyInAnyOrder(
                new TopicPartition("orders", 0), new TopicPartition("orders", 2), new TopicPartition("payments.eu", 1));
        assertThat(StraitMirrorAccess.link(props)).isEqualTo("a->b");
        assertThat(StraitMirrorAccess.sourceAdminConfig(props, "guard"))
                .containsEntry("bootstrap.servers", "a:9092")
                .containsEntry("security.protocol", "PLAINTEXT")
                .hasEntrySatisfying("client.id", id -> assertThat(id.toString()).endsWith("|guard"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"at-least-once", "exactly-once"})
    void theSourceConsumerReadsCommittedRecordsOnlyWhateverLessSpecificSettingsSay(String delivery) throws Exception {
        Map<String, String> props = taskProps(delivery, "");
        // Whatever reaches the connector config at a less specific level loses.
        props.put("source.cluster.isolation.level", "read_uncommitted");
        props.put("consumer.isolation.level", "read_uncommitted");
        assertThat(MirrorSourceConfig.sourceConsumerConfig(props))
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }

    @Test
    void readsTheTargetClientsCheckpointTopicAndGroupFilterAsMirrorMakerDoes() throws Exception {
        Map<String, String> props = taskProps("at-least-once", "");
        assertThat(StraitMirrorAccess.sourceAlias(props)).isEqualTo("a");
        assertThat(StraitMirrorAccess.targetProducerConfig(props, "map"))
                .containsEntry("bootstrap.servers", "b:9092")
                .hasEntrySatisfying("client.id", id -> assertThat(id.toString()).endsWith("|map"));
        assertThat(StraitMirrorAccess.targetAdminConfig(props, "admin")).containsEntry("bootstrap.servers", "b:9092");
        assertThat(StraitMirrorAccess.offsetSyncsReplicationFactor(props)).isEqualTo((short) -1);
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { a { bootstrap-servers = "a:9092" }, b { bootstrap-servers = "b:9092" } }
                  flows { dr { type = link, source = a, target = b, groups = ["orders-.*"] } }
                }""", "t.conf");
        Map<String, String> checkpoint = new MirrorSettings(topology, 2)
                .connectorConfig(LinkId.parse("a->b"), MirrorCheckpointConnector.class);
        assertThat(StraitMirrorAccess.checkpointsTopic(checkpoint)).isEqualTo("a.checkpoints.internal");
        assertThat(StraitMirrorAccess.groupFilter(checkpoint).shouldReplicateGroup("orders-1")).isTrue();
        assertThat(StraitMirrorAccess.groupFilter(checkpoint).shouldReplicateGroup("billing")).isFalse();
        assertThat(StraitMirrorAccess.emitCheckpointsInterval(checkpoint)).hasSeconds(10);
    }
}
