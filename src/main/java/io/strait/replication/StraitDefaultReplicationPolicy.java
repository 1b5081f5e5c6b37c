package io.strait.replication;

import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;

import java.util.Map;

/**
 * MirrorMaker 2's {@link DefaultReplicationPolicy} ({@code source<separator>topic}), except that
 * only MirrorMaker 2's own heartbeats topics count as heartbeats: {@code heartbeats} and the copies
 * the topology's links make of it (see {@link TopologyHeartbeats}). MirrorSourceConnector copies
 * heartbeats whatever the topic filter says, so with MirrorMaker 2's rule any user topic named
 * {@code *.heartbeats} would leak past the selection. Every other name is treated as in
 * DefaultReplicationPolicy.
 */
public class StraitDefaultReplicationPolicy extends DefaultReplicationPolicy {

    private TopologyHeartbeats heartbeats = TopologyHeartbeats.none();

    @Override
    public void configure(Map<String, ?> props) {
        super.configure(props);
        heartbeats = TopologyHeartbeats.from(props);
    }

    /** MirrorMaker 2's heartbeats, or a copy made by the topology's links, as named on the link's source. */
    @Override
    public boolean isHeartbeatsTopic(String topic) {
        return heartbeats.onSource(topic, heartbeatsTopic());
    }
}
