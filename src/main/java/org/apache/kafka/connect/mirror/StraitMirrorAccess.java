package org.apache.kafka.connect.mirror;

import org.apache.kafka.common.TopicPartition;

import java.util.Map;
import java.util.Set;

/**
 * The few package-private parts of MirrorMaker 2 that Strait's source task needs, read exactly as
 * MirrorSourceTask reads them, so that Strait does not re-derive MM2's task configuration. It lives
 * in MM2's package for that reason only; {@code StraitMirrorAccessTest} pins what it relies on
 * (Kafka 4.3.1's {@link MirrorSourceTaskConfig#taskTopicPartitions()} and
 * {@link MirrorConnectorConfig#sourceAdminConfig(String)}).
 */
public final class StraitMirrorAccess {

    private StraitMirrorAccess() {
    }

    /** The source topic-partitions assigned to the task ({@code task.assigned.partitions}). */
    public static Set<TopicPartition> taskTopicPartitions(Map<String, String> taskProps) {
        return new MirrorSourceTaskConfig(taskProps).taskTopicPartitions();
    }

    /**
     * Settings of an admin client of the task's source cluster, with {@code role} in its client id, as
     * MirrorMaker 2 builds its own ({@code source.cluster.*}, {@code admin.*}, {@code source.admin.*}).
     */
    public static Map<String, Object> sourceAdminConfig(Map<String, String> taskProps, String role) {
        return new MirrorSourceTaskConfig(taskProps).sourceAdminConfig(role);
    }

    /**
     * Settings of a producer to the task's target cluster, with {@code role} in its client id, as
     * MirrorMaker 2 builds its own ({@code target.cluster.*}, {@code producer.*}, {@code target.producer.*}).
     */
    public static Map<String, Object> targetProducerConfig(Map<String, String> props, String role) {
        return new MirrorSourceConfig(props).targetProducerConfig(role);
    }

    /** Settings of an admin client of the connector's target cluster, as MirrorMaker 2 builds its own. */
    public static Map<String, Object> targetAdminConfig(Map<String, String> props, String role) {
        return new MirrorSourceConfig(props).targetAdminConfig(role);
    }

    /** The source cluster's alias. */
    public static String sourceAlias(Map<String, String> props) {
        return new MirrorSourceConfig(props).sourceClusterAlias();
    }

    /** Replication factor MirrorMaker 2 gives its offset-syncs topic ({@code offset-syncs.topic.replication.factor}). */
    public static short offsetSyncsReplicationFactor(Map<String, String> props) {
        return new MirrorSourceConfig(props).offsetSyncsTopicReplicationFactor();
    }

    /** Creates a compacted topic of one partition, or leaves an existing one, as MM2 creates its offset-syncs topic. */
    public static void createSinglePartitionCompactedTopic(String topic, short replicationFactor,
                                                           org.apache.kafka.clients.admin.Admin admin) {
        MirrorUtils.createSinglePartitionCompactedTopic(topic, replicationFactor, admin);
    }

    /** MirrorMaker 2's checkpoints topic on the target, for the checkpoint connector's settings. */
    public static String checkpointsTopic(Map<String, String> checkpointConnectorProps) {
        return new MirrorCheckpointConfig(checkpointConnectorProps).checkpointsTopic();
    }

    /** The checkpoint connector's group filter, configured as MirrorCheckpointConnector configures it. */
    public static GroupFilter groupFilter(Map<String, String> checkpointConnectorProps) {
        return new MirrorCheckpointConfig(checkpointConnectorProps).groupFilter();
    }

    /** Replication factor of MirrorMaker 2's checkpoints topic ({@code checkpoints.topic.replication.factor}). */
    public static short checkpointsReplicationFactor(Map<String, String> checkpointConnectorProps) {
        return new MirrorCheckpointConfig(checkpointConnectorProps).checkpointsTopicReplicationFactor();
    }

    /** How often MirrorMaker 2 emits checkpoints ({@code emit.checkpoints.interval.seconds}). */
    public static java.time.Duration emitCheckpointsInterval(Map<String, String> checkpointConnectorProps) {
        return new MirrorCheckpointConfig(checkpointConnectorProps).emitCheckpointsInterval();
    }

    /** {@code source->target}, the link the task belongs to. */
    public static String link(Map<String, String> taskProps) {
        MirrorSourceTaskConfig config = new MirrorSourceTaskConfig(taskProps);
        return config.sourceClusterAlias() + "->" + config.targetClusterAlias();
    }
}
