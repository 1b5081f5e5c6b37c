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

    /** {@code source->target}, the link the task belongs to. */
    public static String link(Map<String, String> taskProps) {
        MirrorSourceTaskConfig config = new MirrorSourceTaskConfig(taskProps);
        return config.sourceClusterAlias() + "->" + config.targetClusterAlias();
    }
}
