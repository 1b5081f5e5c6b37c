package org.apache.kafka.connect.mirror;

import java.util.Map;
import java.util.Optional;

/**
 * MirrorSourceConnector's own decisions for a connector configuration, through the constructor
 * and methods Kafka keeps visible for its tests: which source topics it replicates
 * ({@code shouldReplicateTopic}) and under which name. Lets Strait's tests check that {@code plan}
 * decides exactly as the connector does.
 */
public final class SourceConnectorDecisions {

    private final MirrorSourceConnector connector;

    public SourceConnectorDecisions(Map<String, String> connectorConfig) {
        MirrorSourceConfig config = new MirrorSourceConfig(connectorConfig);
        this.connector = new MirrorSourceConnector(new SourceAndTarget(config.sourceClusterAlias(),
                config.targetClusterAlias()), config.replicationPolicy(), config.topicFilter(),
                config.configPropertyFilter(), config.heartbeatsReplicationEnabled());
    }

    /** The topic's name on the target when the connector replicates it, or empty. */
    public Optional<String> target(String topic) {
        return connector.shouldReplicateTopic(topic) ? Optional.of(connector.formatRemoteTopic(topic)) : Optional.empty();
    }
}
