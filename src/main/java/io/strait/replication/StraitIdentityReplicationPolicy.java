package io.strait.replication;

import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;

import java.util.Map;

/**
 * MirrorMaker 2's {@link IdentityReplicationPolicy} (names unchanged, heartbeats prefixed with the
 * source alias), except that only MirrorMaker 2's own heartbeats topics count as heartbeats:
 * {@code heartbeats} and the copies the topology's links make of it (see {@link TopologyHeartbeats}).
 * IdentityReplicationPolicy takes every name ending in {@code heartbeats} for one, so it would copy a
 * user topic {@code payments.heartbeats} past the topic filter and rename it
 * {@code source.payments.heartbeats}; here such a topic is selected like any other and keeps its name.
 */
public class StraitIdentityReplicationPolicy extends IdentityReplicationPolicy {

    private TopologyHeartbeats heartbeats = TopologyHeartbeats.none();
    private String sourceClusterAlias;

    @Override
    public void configure(Map<String, ?> props) {
        super.configure(props);
        heartbeats = TopologyHeartbeats.from(props);
        Object alias = props.get(SOURCE_CLUSTER_ALIAS_CONFIG);
        sourceClusterAlias = alias == null ? null : alias.toString();
    }

    /** MirrorMaker 2's heartbeats, or a copy made by the topology's links, as named on the link's source. */
    @Override
    public boolean isHeartbeatsTopic(String topic) {
        return heartbeats.onSource(topic, heartbeatsTopic());
    }

    /** Heartbeats as IdentityReplicationPolicy names them ({@code source.heartbeats}); any other name unchanged. */
    @Override
    public String formatRemoteTopic(String sourceClusterAlias, String topic) {
        return isHeartbeatsTopic(topic) ? super.formatRemoteTopic(sourceClusterAlias, topic) : topic;
    }

    /**
     * For heartbeats copies, on the source or (prefixed by the source) on the target, the first
     * prefix; for any other name the link's source, as IdentityReplicationPolicy answers.
     */
    @Override
    public String topicSource(String topic) {
        return heartbeats.onSourceOrTarget(topic, heartbeatsTopic()) ? super.topicSource(topic) : sourceClusterAlias;
    }

    /** For heartbeats copies the name without its first prefix; any other name unchanged. */
    @Override
    public String upstreamTopic(String topic) {
        return heartbeats.onSourceOrTarget(topic, heartbeatsTopic()) ? super.upstreamTopic(topic) : topic;
    }
}
