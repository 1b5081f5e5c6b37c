package io.strait.topology;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Kafka cluster Strait reads from or writes to.
 *
 * @param alias            the cluster's name in the topology; prefixes topics replicated from it
 * @param bootstrapServers where to connect
 * @param kafkaClients     raw Kafka client settings (security and the like), Kafka's own dotted names
 * @param location         {@code file:line} of the cluster's definition
 */
public record ClusterSettings(String alias, String bootstrapServers, SortedMap<String, String> kafkaClients,
                              String location) {

    public ClusterSettings {
        kafkaClients = new TreeMap<>(kafkaClients);
    }
}
