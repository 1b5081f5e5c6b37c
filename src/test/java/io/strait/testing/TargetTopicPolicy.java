package io.strait.testing;

import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;
import org.apache.kafka.server.policy.AlterConfigPolicy;
import org.apache.kafka.server.policy.CreateTopicPolicy;

import java.util.Map;

/**
 * A platform team's rules for user topics on a test broker, the kind real clusters enforce with
 * {@code create.topic.policy.class.name} and {@code alter.config.policy.class.name}: a user topic
 * may not be compacted, and may keep records for at most 7 days. Internal topics (Kafka's,
 * Connect's and MirrorMaker 2's, as {@link DefaultReplicationPolicy} names them, and heartbeats)
 * are exempt. A topic created without settings (a producer's auto-creation) passes.
 */
public final class TargetTopicPolicy implements CreateTopicPolicy, AlterConfigPolicy {

    /** The longest {@code retention.ms} a user topic may have: 7 days. */
    public static final long MAX_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;

    private static final DefaultReplicationPolicy NAMES = new DefaultReplicationPolicy();

    /** Broker settings that install this policy for both topic creation and config changes. */
    public static Map<String, String> brokerConfig() {
        return Map.of("create.topic.policy.class.name", TargetTopicPolicy.class.getName(),
                "alter.config.policy.class.name", TargetTopicPolicy.class.getName());
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void validate(CreateTopicPolicy.RequestMetadata request) throws PolicyViolationException {
        check(request.topic(), request.configs());
    }

    @Override
    public void validate(AlterConfigPolicy.RequestMetadata request) throws PolicyViolationException {
        if (request.resource().type() == ConfigResource.Type.TOPIC) {
            check(request.resource().name(), request.configs());
        }
    }

    private static void check(String topic, Map<String, String> configs) {
        if (topic.startsWith("__") || NAMES.isInternalTopic(topic) || NAMES.isHeartbeatsTopic(topic)) {
            return;
        }
        String cleanup = configs.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (cleanup != null && cleanup.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
            throw new PolicyViolationException("Topic " + topic + ": compacted user topics are not allowed on this cluster");
        }
        String retention = configs.get(TopicConfig.RETENTION_MS_CONFIG);
        if (retention != null && (Long.parseLong(retention) < 0 || Long.parseLong(retention) > MAX_RETENTION_MS)) {
            throw new PolicyViolationException("Topic " + topic + ": retention.ms " + retention
                    + " is above this cluster's limit of " + MAX_RETENTION_MS);
        }
    }

    @Override
    public void close() {
    }
}
