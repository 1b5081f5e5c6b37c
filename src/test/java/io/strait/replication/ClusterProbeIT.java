package io.strait.replication;

import io.strait.testing.TestClusters;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins what {@link LinkReplicator} relies on when it asks a link's target for the coordinator of
 * the link's group before it builds the herder ({@link ClusterProbe#findGroupCoordinator}): on a
 * cluster where no group was ever used, that question alone makes the broker create its
 * {@code __consumer_offsets} topic, so that the herder's join later finds the coordinator ready.
 */
class ClusterProbeIT {

    @Test
    void askingForALinksGroupCoordinatorPreparesItOnANewTarget() throws Exception {
        try (TestClusters clusters = TestClusters.start("b")) {
            Topology topology = new TopologyLoader(Map.of()).parse("""
                    strait {
                      clusters { a.bootstrap-servers = "127.0.0.1:1", b.bootstrap-servers = "%s" }
                      flows { ab { type = link, source = a, target = b } }
                    }
                    """.formatted(clusters.bootstrap("b")), "inline.conf");
            assertThat(topics(clusters)).as("a new cluster").doesNotContain("__consumer_offsets");
            try (ClusterProbe probe = new ClusterProbe(LinkId.parse("a->b"), topology, Duration.ofSeconds(10))) {
                probe.findGroupCoordinator("a-mm2");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!topics(clusters).contains("__consumer_offsets") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(topics(clusters)).as("the target prepared its group coordinator").contains("__consumer_offsets");
            }
        }
    }

    @Test
    void askingForALinksGroupCoordinatorDoesNotWaitForTheAnswer() throws Exception {
        // Nothing listens at the target's address: waiting for an answer would take the admin's whole timeout.
        Topology topology = new TopologyLoader(Map.of()).parse("""
                strait {
                  clusters { a.bootstrap-servers = "127.0.0.1:1", b.bootstrap-servers = "127.0.0.1:2" }
                  flows { ab { type = link, source = a, target = b } }
                }
                """, "inline.conf");
        try (ClusterProbe probe = new ClusterProbe(LinkId.parse("a->b"), topology, Duration.ofSeconds(10))) {
            long asked = System.nanoTime();
            probe.findGroupCoordinator("a-mm2");
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("returns without waiting for the answer")
                    .isLessThan(Duration.ofSeconds(3));
        }
    }

    private static Set<String> topics(TestClusters clusters) throws Exception {
        return clusters.admin("b").listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
    }
}
