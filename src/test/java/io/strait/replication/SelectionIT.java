package io.strait.replication;

import io.strait.cli.CommandResult;
import io.strait.daemon.StraitDaemon;
import io.strait.testing.TestClusters;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A link copies what its selection takes and MirrorMaker 2's own heartbeats, nothing else: a user
 * topic whose name merely ends in {@code .heartbeats} stays where it is, while the real
 * heartbeats still travel along every link (a copy of a copy included).
 */
class SelectionIT {

    static final Duration SETTLE = Duration.ofSeconds(120);
    /** Kafka's and MirrorMaker 2's internal topics, which no assertion here is about. */
    static final DefaultReplicationPolicy INTERNAL = new DefaultReplicationPolicy();

    @TempDir
    Path dir;

    @Test
    void onlySelectedTopicsAndMirrorMakersOwnHeartbeatsAreCopied() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b", "c")) {
            clusters.createTopic("a", "orders", 3, Map.of());
            clusters.produce("a", "orders", 3, "o", 0, 30);
            // User topics that MirrorMaker 2 takes for heartbeats: any name whose last segment is heartbeats.
            clusters.createTopic("a", "payments.heartbeats", 1, Map.of());
            clusters.produce("a", "payments.heartbeats", 1, "p", 0, 10);
            // Named after a cluster of the topology, but no link of it brings c's heartbeats to a.
            clusters.createTopic("a", "c.heartbeats", 1, Map.of());
            clusters.produce("a", "c.heartbeats", 1, "c", 0, 10);
            String flows = """
                      flow-defaults.refresh-interval = 2s
                      flows {
                        chain { type = pipe, clusters = [a, b, c], topics = [orders] }
                        back  { type = link, source = b, target = a, topics = [orders] }
                        copy  { type = link, source = a, target = c, naming = identity, topics = ["payments\\\\.heartbeats"] }
                      }""";
            String text = clusters.topology(flows);
            Topology topology = new TopologyLoader(Map.of()).parse(text, "selection.conf");
            StraitDaemon daemon = new StraitDaemon(topology);
            daemon.start();
            Map<String, Set<String>> expected = Map.of(
                    // heartbeats: written by b->a's heartbeat connector; b.heartbeats: b's, copied by b->a.
                    "a", Set.of("orders", "payments.heartbeats", "c.heartbeats", "heartbeats", "b.heartbeats"),
                    "b", Set.of("heartbeats", "a.orders", "a.heartbeats"),
                    // payments.heartbeats: selected by the identity link a->c, so it keeps its name.
                    "c", Set.of("heartbeats", "b.heartbeats", "b.a.heartbeats", "a.heartbeats", "a.b.heartbeats",
                            "b.a.orders", "payments.heartbeats"));
            try {
                long begin = System.nanoTime();
                try {
                    await("exactly the expected topics on every cluster").atMost(SETTLE)
                            .pollInterval(Duration.ofMillis(500))
                            .untilAsserted(() -> assertThat(topics(clusters)).isEqualTo(new TreeMap<>(expected)));
                } finally {
                    System.out.printf("[selection] topics on each cluster %d ms after start: %s%n",
                            (System.nanoTime() - begin) / 1_000_000, topics(clusters));
                    System.out.printf("[selection] records of a's payments.heartbeats on b as a.payments.heartbeats: %d,"
                            + " on c as b.a.payments.heartbeats: %d, as payments.heartbeats: %d%n",
                            clusters.total("b", "a.payments.heartbeats"), clusters.total("c", "b.a.payments.heartbeats"),
                            clusters.total("c", "payments.heartbeats"));
                }
                // Three refresh intervals more: nothing else shows up late.
                await("no topic appears later").during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> assertThat(topics(clusters)).isEqualTo(new TreeMap<>(expected)));
                await("the copies of heartbeats grow").atMost(Duration.ofSeconds(30)).until(() ->
                        clusters.total("c", "b.a.heartbeats") > 0 && clusters.total("c", "a.b.heartbeats") > 0);
                await("payments.heartbeats copied whole to c").atMost(SETTLE)
                        .until(() -> clusters.total("c", "payments.heartbeats") == 10);

                // verify compares the selected payments.heartbeats like any other topic, and skips real heartbeats.
                var reports = new ReplicationVerifier(new MirrorSettings(topology), Duration.ofSeconds(10))
                        .verify(Optional.of(LinkId.parse("a->c")), Optional.empty());
                assertThat(reports).singleElement().satisfies(report -> {
                    assertThat(report.verdict()).as(report.verdictLine()).isEqualTo(ReplicationVerifier.Verdict.OK);
                    assertThat(report.partitions()).extracting(p -> p.sourceTopic() + " -> " + p.targetTopic() + ": "
                            + p.replicated()).containsExactly("payments.heartbeats -> payments.heartbeats: 10");
                });
            } finally {
                daemon.stop();
            }

            // plan shows the same decisions.
            Path file = dir.resolve("selection.conf");
            Files.writeString(file, text);
            CommandResult plan = CommandResult.run("plan", "--no-settings", file.toString());
            assertThat(plan.exitCode()).as(plan.toString()).isZero();
            assertThat(section(plan.out(), "Link a->b")).as(plan.toString())
                    .containsPattern("orders +3 partitions -> a\\.orders \\(exists, 3 partitions\\)")
                    .containsPattern("heartbeats +1 partition +-> a\\.heartbeats \\(exists")
                    .containsPattern("payments\\.heartbeats +skipped: not included")
                    .containsPattern("c\\.heartbeats +skipped: not included")
                    .containsPattern("b\\.heartbeats +skipped: cycle");
            assertThat(section(plan.out(), "Link a->c")).as(plan.toString())
                    .containsPattern("payments\\.heartbeats +1 partition +-> payments\\.heartbeats \\(exists, 1 partition\\)")
                    .containsPattern("b\\.heartbeats +1 partition +-> a\\.b\\.heartbeats \\(exists")
                    .containsPattern("c\\.heartbeats +skipped: not included");
        }
    }

    /** Every topic on each cluster but Kafka's and MirrorMaker 2's internal ones. */
    private static Map<String, SortedSet<String>> topics(TestClusters clusters) throws Exception {
        Map<String, SortedSet<String>> all = new TreeMap<>();
        for (String alias : clusters.aliases()) {
            all.put(alias, clusters.allTopics(alias).stream().filter(t -> !INTERNAL.isInternalTopic(t))
                    .collect(Collectors.toCollection(TreeSet::new)));
        }
        return all;
    }

    /** The lines of one link's part of the plan. */
    static String section(String out, String header) {
        int start = out.indexOf(header);
        assertThat(start).as("no " + header + " in:\n" + out).isNotNegative();
        int end = out.indexOf("\nLink ", start + 1);
        return end < 0 ? out.substring(start) : out.substring(start, end);
    }
}
