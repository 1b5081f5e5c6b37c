package io.strait.replication;

import io.strait.daemon.StraitDaemon;
import io.strait.testing.ReplicationChecks;
import io.strait.testing.TestClusters;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every flow shape, replicated by the real daemon between real KRaft clusters: the exact topics on
 * every cluster, every record in the same partition with key, value, headers and timestamp intact
 * and in order, exact counts, the source's partition count and topic configuration on the target,
 * and (where there are cycles) counts that stay put once settled.
 */
class TopologyShapesIT {

    static final int RECORDS = 60;
    static final int PARTITIONS = 3;
    static final Map<String, String> ORDERS_CONFIG = Map.of("cleanup.policy", "compact", "retention.ms", "3600000");
    static final Duration SETTLE = Duration.ofSeconds(120);
    /** Short refresh so that new topics show up fast in tests. */
    static final String FAST = "  flow-defaults.refresh-interval = 3s\n";

    @Test
    void fanOut() throws Exception {
        shape("fan-out", new String[] {"a", "b", "c"},
                "flows { f { type = fan-out, source = a, targets = [b, c] } }",
                Map.of("a", Set.of("orders"),
                        "b", Set.of("orders", "a.orders"),
                        "c", Set.of("orders", "a.orders")),
                false);
    }

    @Test
    void fanIn() throws Exception {
        shape("fan-in", new String[] {"a", "b", "c"},
                "flows { f { type = fan-in, sources = [a, b], target = c } }",
                Map.of("a", Set.of("orders"),
                        "b", Set.of("orders"),
                        "c", Set.of("orders", "a.orders", "b.orders")),
                false);
    }

    @Test
    void pipe() throws Exception {
        shape("pipe", new String[] {"a", "b", "c"},
                "flows { f { type = pipe, clusters = [a, b, c], topics = [orders] } }",
                Map.of("a", Set.of("orders"),
                        "b", Set.of("orders", "a.orders"),
                        "c", Set.of("orders", "b.orders", "b.a.orders")),
                false);
    }

    @Test
    void bidirectional() throws Exception {
        shape("bidirectional", new String[] {"a", "b"},
                "flows { f { type = bidirectional, clusters = [a, b] } }",
                Map.of("a", Set.of("orders", "b.orders"),
                        "b", Set.of("orders", "a.orders")),
                true);
    }

    @Test
    void complex() throws Exception {
        shape("complex", new String[] {"a", "b", "c", "d"},
                """
                flows {
                  active  { type = bidirectional, clusters = [a, b] }
                  feed    { type = link, source = c, target = b }
                  archive { type = link, source = a, target = d }
                }""",
                Map.of("a", Set.of("orders", "b.orders", "b.c.orders"),
                        "b", Set.of("orders", "a.orders", "c.orders"),
                        "c", Set.of("orders"),
                        "d", Set.of("orders", "a.orders", "a.b.orders", "a.b.c.orders")),
                true);
    }

    private void shape(String name, String[] aliases, String flows, Map<String, Set<String>> expected,
                       boolean hasCycles) throws Exception {
        try (TestClusters clusters = TestClusters.start(aliases)) {
            for (String alias : aliases) {
                clusters.createTopic(alias, "orders", PARTITIONS, ORDERS_CONFIG);
                clusters.produce(alias, "orders", PARTITIONS, alias, 0, RECORDS);
            }
            Topology topology = new TopologyLoader(Map.of()).parse(clusters.topology(FAST + flows), name + ".conf");
            StraitDaemon daemon = new StraitDaemon(topology);
            long begin = System.nanoTime();
            daemon.start();
            try {
                ReplicationChecks.awaitTopics(clusters, expected, SETTLE);
                ReplicationChecks.awaitCaughtUp(clusters, SETTLE);
                long settled = (System.nanoTime() - begin) / 1_000_000;
                int compared = ReplicationChecks.assertIdenticalToUpstream(clusters);
                ReplicationChecks.assertNoRepeatedAlias(clusters);
                assertCreatedLikeSource(clusters, expected);
                if (hasCycles) {
                    var before = ReplicationChecks.snapshot(clusters);
                    // Three refresh intervals: long enough for a loop to show up as new topics or records.
                    await("counts stay put after settling").during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(20))
                            .pollInterval(Duration.ofSeconds(1))
                            .untilAsserted(() -> assertThat(ReplicationChecks.snapshot(clusters)).isEqualTo(before));
                }
                System.out.printf("[%s] settled %d ms after daemon start; %d replicated records compared, "
                        + "0 lost, 0 duplicated%n", name, settled, compared);
            } finally {
                daemon.stop();
            }
        }
    }

    /** Replicated topics have their upstream's partition count, cleanup.policy and retention.ms. */
    private static void assertCreatedLikeSource(TestClusters clusters, Map<String, Set<String>> expected) throws Exception {
        for (Map.Entry<String, Set<String>> cluster : expected.entrySet()) {
            for (String topic : cluster.getValue()) {
                if (!clusters.isCopy(topic)) {
                    continue;
                }
                String[] up = ReplicationChecks.upstream(topic);
                assertThat(clusters.partitions(cluster.getKey(), topic)).as("partitions of %s", topic)
                        .isEqualTo(clusters.partitions(up[0], up[1]));
                await("config of " + topic + " on " + cluster.getKey()).atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(clusters.topicConfig(cluster.getKey(), topic,
                                "cleanup.policy", "retention.ms")).isEqualTo(ORDERS_CONFIG));
            }
        }
    }
}
