package io.strait.replication;

import io.strait.daemon.StraitDaemon;
import io.strait.testing.ReplicationChecks;
import io.strait.testing.TestClusters;
import io.strait.topology.TopologyLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Bidirectional replication between brokers in containers: the second broker provider, for
 * machines with Docker. Where there is no Docker engine it is skipped, never failed. (All
 * integration tests run on containers with -Dstrait.brokers=testcontainers.)
 */
class ContainerBrokersIT {

    @Test
    void replicatesBetweenContainerBrokers() throws Exception {
        try (TestClusters clusters = TestClusters.start(TestClusters.Provider.TESTCONTAINERS, "a", "b")) {
            for (String alias : clusters.aliases()) {
                clusters.createTopic(alias, "orders", 3, Map.of());
                clusters.produce(alias, "orders", 3, alias, 0, 30);
            }
            StraitDaemon daemon = new StraitDaemon(new TopologyLoader(Map.of()).parse(clusters.topology(
                    "flows { f { type = bidirectional, clusters = [a, b] } }"), "containers.conf"));
            daemon.start();
            try {
                ReplicationChecks.awaitTopics(clusters, Map.of("a", Set.of("orders", "b.orders"),
                        "b", Set.of("orders", "a.orders")), Duration.ofSeconds(120));
                ReplicationChecks.awaitCaughtUp(clusters, Duration.ofSeconds(120));
                ReplicationChecks.assertIdenticalToUpstream(clusters);
            } finally {
                daemon.stop();
            }
        }
    }
}
