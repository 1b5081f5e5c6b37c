package io.strait.replication;

import io.strait.daemon.StraitDaemon;
import io.strait.testing.ReplicationChecks;
import io.strait.testing.TestClusters;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A link's life on real clusters: new topics and partitions, restarts, and a cluster out of reach. */
class LinkLifecycleIT {

    static final Duration SETTLE = Duration.ofSeconds(120);
    static final String LINK = "  flow-defaults.refresh-interval = 3s\n  flows { dr { type = link, source = a, target = b } }";

    @Test
    void newTopicsAndNewPartitionsAreReplicatedWithinTheRefreshInterval() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            clusters.createTopic("a", "orders", 3, Map.of());
            clusters.produce("a", "orders", 3, "a", 0, 30);
            StraitDaemon daemon = start(clusters, LINK);
            long begin = System.nanoTime();
            try {
                await("first record on b").atMost(SETTLE).pollInterval(Duration.ofMillis(100))
                        .until(() -> clusters.total("b", "a.orders") > 0);
                System.out.printf("[lifecycle] first replicated record on the target %d ms after daemon start%n",
                        (System.nanoTime() - begin) / 1_000_000);
                ReplicationChecks.awaitCaughtUp(clusters, SETTLE);

                // A topic created after start: replicated within the refresh interval (3 s) plus start-up of its task.
                clusters.createTopic("a", "payments", 2, Map.of("retention.ms", "7200000"));
                clusters.produce("a", "payments", 2, "p", 0, 10);
                long created = System.nanoTime();
                await("a.payments on b").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> clusters.total("b", "a.payments") == 10);
                System.out.printf("[lifecycle] new topic replicated %d ms after it was created%n",
                        (System.nanoTime() - created) / 1_000_000);
                assertThat(clusters.partitions("b", "a.payments")).isEqualTo(2);

                // Partitions added to a source topic appear on the target, and their records land in them.
                clusters.addPartitions("a", "orders", 5);
                clusters.produce("a", "orders", 5, "grown", 100, 20);
                await("a.orders grown on b").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> clusters.partitions("b", "a.orders") == 5);
                ReplicationChecks.awaitCaughtUp(clusters, Duration.ofSeconds(30));
                ReplicationChecks.assertIdenticalToUpstream(clusters);
                assertThat(clusters.counts("b", "a.orders").get(4)).as("records in new partition 4").isEqualTo(4L);
            } finally {
                daemon.stop();
            }
        }
    }

    @Test
    void aLinkWithNothingToCopyRunsItsCheckpointAndHeartbeatConnectorsAndPicksUpATopicLater() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            StraitDaemon daemon = start(clusters, LINK);
            LinkId link = LinkId.parse("a->b");
            try {
                // With no topic to copy, the source connector has no task; the link runs all the same.
                await("link running").atMost(SETTLE).untilAsserted(() -> {
                    LinkReplicator.Status status = daemon.statuses().get(link);
                    assertThat(status.state()).isEqualTo(LinkReplicator.State.RUNNING);
                    assertThat(status.connectors()).extracting(c -> c.name() + " " + c.connector().state())
                            .containsExactlyInAnyOrder("a->b RUNNING", "a->b.checkpoint RUNNING", "a->b.heartbeat RUNNING");
                });
                await("heartbeats on b").atMost(SETTLE).until(() -> clusters.total("b", "heartbeats") > 0);

                clusters.createTopic("a", "orders", 2, Map.of());
                clusters.produce("a", "orders", 2, "late", 0, 20);
                await("a.orders on b").atMost(SETTLE).until(() -> clusters.total("b", "a.orders") == 20);
                ReplicationChecks.assertIdenticalToUpstream(clusters);
            } finally {
                daemon.stop();
            }
        }
    }

    @Test
    void aRestartMidStreamResumesWithoutLosingRecords() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            clusters.createTopic("a", "orders", 3, Map.of());
            int total = 3000;
            AtomicInteger produced = new AtomicInteger();
            AtomicBoolean failed = new AtomicBoolean();
            Thread producer = new Thread(() -> {
                try (KafkaProducer<byte[], byte[]> p = clusters.producer("a")) {
                    for (int i = 0; i < total; i++) {
                        p.send(new ProducerRecord<>("orders", i % 3, bytes("k-" + i), bytes("v-" + i)), (m, e) -> {
                            if (e != null) {
                                failed.set(true);
                            }
                        });
                        produced.incrementAndGet();
                        if (i % 3 == 2) {
                            Thread.sleep(10);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-producer");

            StraitDaemon first = start(clusters, LINK);
            producer.start();
            await("mid-stream").atMost(SETTLE).pollInterval(Duration.ofMillis(100))
                    .until(() -> clusters.total("b", "a.orders") > 300);
            first.stop();
            long copiedBeforeStop = clusters.total("b", "a.orders");
            StraitDaemon second = start(clusters, LINK);
            try {
                producer.join(Duration.ofSeconds(60).toMillis());
                assertThat(failed).as("test producer failed").isFalse();
                assertThat(produced.get()).isEqualTo(total);
                await("all records on b").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                        .until(() -> clusters.total("b", "a.orders") >= total);

                SortedMap<Integer, List<ConsumerRecord<byte[], byte[]>>> source = clusters.readAll("a", "orders");
                SortedMap<Integer, List<ConsumerRecord<byte[], byte[]>>> target = clusters.readAll("b", "a.orders");
                int duplicates = 0;
                for (int partition : source.keySet()) {
                    List<String> expected = keys(source.get(partition));
                    List<String> firstSeen = new ArrayList<>();
                    Set<String> seen = new HashSet<>();
                    for (String key : keys(target.get(partition))) {
                        if (seen.add(key)) {
                            firstSeen.add(key);
                        } else {
                            duplicates++;
                        }
                    }
                    assertThat(firstSeen).as("partition %d: every record, in source order", partition)
                            .containsExactlyElementsOf(expected);
                }
                System.out.printf("[restart] stopped after %d of %d records were copied; after the restart all %d"
                        + " arrived, 0 lost, %d duplicated%n", copiedBeforeStop, total, total, duplicates);
            } finally {
                second.stop();
            }
        }
    }

    @Test
    void aClusterOutOfReachFailsOnlyItsOwnLinks() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            clusters.createTopic("a", "orders", 3, Map.of());
            clusters.produce("a", "orders", 3, "a", 0, 30);
            // Nothing listens on port 1 of the loopback address.
            String flows = """
                    flows {
                      dr  { type = link, source = a, target = b }
                      far { type = link, source = a, target = gone }
                    }""";
            String text = clusters.topology(flows).replace("  clusters {\n",
                    "  clusters {\n    gone { bootstrap-servers = \"127.0.0.1:1\" }\n");
            StraitDaemon daemon = start(text);
            try {
                await("a->b copies all 30 records").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                        .until(() -> clusters.total("b", "a.orders") == 30);
                await("a->gone reported failing").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    LinkReplicator.Status status = daemon.statuses().get(LinkId.parse("a->gone"));
                    assertThat(status.state()).isEqualTo(LinkReplicator.State.FAILING);
                    assertThat(status.detail()).get().asString().contains("cannot reach cluster gone at 127.0.0.1:1");
                });
                assertThat(daemon.statuses().get(LinkId.parse("a->b")).state()).isEqualTo(LinkReplicator.State.RUNNING);
            } finally {
                daemon.stop();
            }
        }
    }

    private static StraitDaemon start(TestClusters clusters, String body) throws Exception {
        return start(clusters.topology(body));
    }

    private static StraitDaemon start(String text) throws Exception {
        Topology topology = new TopologyLoader(Map.of()).parse(text, "lifecycle.conf");
        StraitDaemon daemon = new StraitDaemon(topology);
        daemon.start();
        return daemon;
    }

    private static List<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> keys = new ArrayList<>();
        records.forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
        return keys;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
