package io.strait.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.cli.CommandResult;
import io.strait.http.StatusServer;
import io.strait.replication.LinkReplicator;
import io.strait.testing.Http;
import io.strait.testing.TestClusters;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One Kafka cluster under two aliases, A (127.0.0.1:p) and A2 (localhost:p), on real brokers. A
 * link A->A2 would copy the cluster into itself without end (A.orders, A.A.orders, ...): it never
 * starts, not even Connect's internal topics are created, and it says why; the link A->B beside it
 * replicates. Links that would duplicate each other are refused, even a running one, and other
 * uses of the two aliases are warned about in each link's status events.
 */
class SameClusterIT {

    static final Duration SETTLE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void aLinkBetweenTwoAliasesOfOneClusterNeverStarts() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            clusters.createTopic("a", "orders", 3, Map.of());
            clusters.produce("a", "orders", 3, "o", 0, 30);
            String port = clusters.bootstrap("a").substring(clusters.bootstrap("a").lastIndexOf(':') + 1);
            String clusterId = clusters.admin("a").describeCluster().clusterId().get(30, TimeUnit.SECONDS);
            String self = """
                      self { type = link, source = A, target = A2 }
                      dr   { type = link, source = A, target = B }""";
            Path file = write("same.conf", port, clusters.bootstrap("b"), self);
            Files.copy(file, dir.resolve("first.conf"));

            TopologyLoader loader = new TopologyLoader(Map.of());
            Topology topology = loader.load(file);
            StraitDaemon daemon = new StraitDaemon(topology, file, loader);
            StatusServer http = StatusServer.start(topology.http(), daemon);
            LinkId selfLink = LinkId.parse("A->A2");
            LinkId dr = LinkId.parse("A->B");
            String sentence = "clusters A and A2 are one Kafka cluster (cluster ID " + clusterId + "): link A->A2 would"
                    + " copy that cluster into itself without end (orders into A.orders, then A.A.orders, and so on);"
                    + " remove the link, or point A2 at another cluster";
            try {
                long begin = System.nanoTime();
                daemon.start();
                await("A->B copies all 30 records").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                        .until(() -> clusters.total("b", "A.orders") == 30);
                try {
                    await("A->A2 refused").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        JsonNode link = link(http, "A->A2");
                        assertThat(link.path("state").asText()).isEqualTo("FAILING");
                        assertThat(link.path("detail").asText()).isEqualTo(sentence);
                    });
                    // Three refresh intervals after A->B copied everything: nothing of A->A2 on the cluster.
                    await("no topic of A->A2 appears").during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(20))
                            .untilAsserted(() -> assertThat(topics(clusters, "a"))
                                    .as("topics on the cluster behind A and A2")
                                    // A->B keeps its offset syncs on its source.
                                    .isEqualTo(Set.of("orders", "mm2-offset-syncs.B.internal")));
                } finally {
                    SortedSet<String> topics = topics(clusters, "a");
                    System.out.printf("[same-cluster] %d ms after start: A->A2 %s (%s), A->B %s; on the cluster behind"
                                    + " A and A2: %s; records in A.orders %d, A.A.orders %d, A.A.A.orders %d%n",
                            (System.nanoTime() - begin) / 1_000_000, daemon.statuses().get(selfLink).state(),
                            daemon.statuses().get(selfLink).detail().orElse(""), daemon.statuses().get(dr).state(),
                            topics, clusters.total("a", "A.orders"), clusters.total("a", "A.A.orders"),
                            clusters.total("a", "A.A.A.orders"));
                }
                assertThat(daemon.statuses().get(selfLink).starts()).as("herders built for A->A2").isZero();
                assertThat(daemon.statuses().get(dr).state()).isEqualTo(LinkReplicator.State.RUNNING);

                // A second link between the same two clusters is refused, and so is the running one.
                replace(file, write("dup.conf", port, clusters.bootstrap("b"), self + """

                          dup  { type = link, source = A2, target = B }"""));
                await("reload applied").atMost(Duration.ofSeconds(30)).until(() -> daemon.reloadState().reloads() == 1);
                String duplicate = "clusters A and A2 are one Kafka cluster (cluster ID " + clusterId + "): links A->B"
                        + " and A2->B copy between the same two Kafka clusters and every record would be copied twice,"
                        + " and the links would share the offset-syncs topic mm2-offset-syncs.B.internal, so"
                        + " consumer-group offsets would be translated wrongly; keep one of them";
                await("A->B and A2->B refused").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    for (String id : new String[] {"A->B", "A2->B"}) {
                        JsonNode link = link(http, id);
                        assertThat(link.path("state").asText()).as(id).isEqualTo("FAILING");
                        assertThat(link.path("detail").asText()).as(id).isEqualTo(duplicate);
                    }
                });
                assertThat(daemon.statuses().get(LinkId.parse("A2->B")).starts()).as("herders built for A2->B").isZero();
                assertThat(clusters.allTopics("b")).as("topics on B").doesNotContain("A2.orders");

                // Other uses of both aliases run, with a warning in each link's status events.
                replace(file, write("back.conf", port, clusters.bootstrap("b"), self + """

                          back { type = link, source = B, target = A2, topics = ["nothing"] }"""));
                await("reload applied").atMost(Duration.ofSeconds(30)).until(() -> daemon.reloadState().reloads() == 2);
                String warning = "clusters A and A2 are one Kafka cluster (cluster ID " + clusterId + "), used under both"
                        + " names by links A->B and B->A2: MirrorMaker 2 tells clusters apart by alias, so topics can"
                        + " come back to that cluster under a longer name; give each Kafka cluster one alias";
                await("the warning in both links' events").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    for (String id : new String[] {"A->B", "B->A2"}) {
                        assertThat(link(http, id).path("events").toString()).as(id).contains(warning);
                    }
                });
                await("B->A2 running").atMost(SETTLE)
                        .until(() -> daemon.statuses().get(LinkId.parse("B->A2")).state() == LinkReplicator.State.RUNNING);
                assertThat(link(http, "A->A2").path("detail").asText()).isEqualTo(sentence);
            } finally {
                daemon.stop();
                http.close();
            }
            Files.writeString(file, Files.readString(dir.resolve("first.conf")));
            // validate cannot know cluster IDs: it warns, and accepts the file.
            CommandResult validate = CommandResult.run("validate", file.toString());
            assertThat(validate.exitCode()).as(validate.toString()).isZero();
            assertThat(validate.err()).as(validate.toString()).contains(file + ":4: warning: clusters A (127.0.0.1:"
                    + port + ") and A2 (localhost:" + port + ") list the same Kafka servers: link A->A2 would copy that"
                    + " cluster into itself without end");
            // plan asks the clusters: the link is refused, with the cluster ID.
            CommandResult plan = CommandResult.run("plan", "--no-settings", file.toString());
            assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(1);
            assertThat(plan.out()).as(plan.toString()).contains("Link A->A2 (flow self)\n  REFUSED, will not start: "
                    + sentence).containsPattern("Link A->B \\(flow dr\\)\n  Replicates \\d+ of \\d+ source topics")
                    .containsPattern("orders +3 partitions -> A\\.orders \\(exists, 3 partitions\\)");
            // verify does not pretend to judge a link that never runs.
            CommandResult verify = CommandResult.run("verify", file.toString());
            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(1);
            assertThat(verify.out()).as(verify.toString()).contains("A->A2: REFUSED, not verified: " + sentence)
                    .contains("A->B: OK");

            assertThat(topics(clusters, "a")).as("topics on the cluster behind A and A2")
                    .noneMatch(t -> t.startsWith("A.") || t.equals("mm2-configs.A.internal")
                            || t.equals("mm2-offset-syncs.A2.internal"));
        }
    }

    /** A topology: A and A2 on test cluster a under two host names, B on test cluster b. */
    private Path write(String name, String port, String bootstrapB, String flows) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, """
                strait {
                  clusters {
                    A  { bootstrap-servers = "127.0.0.1:%s" }
                    A2 { bootstrap-servers = "localhost:%s" }
                    B  { bootstrap-servers = "%s" }
                  }
                  http.port = 0
                  reload.interval = 200ms
                  flow-defaults.refresh-interval = 2s
                  flows {
                %s
                  }
                }
                """.formatted(port, port, bootstrapB, flows));
        return file;
    }

    /** Puts another file's text in place of the topology file, as a config tool would (rename over). */
    private static void replace(Path file, Path next) throws Exception {
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static JsonNode link(StatusServer http, String id) throws Exception {
        for (JsonNode link : Http.get(http.port(), "/status").json().path("links")) {
            if (link.path("link").asText().equals(id)) {
                return link;
            }
        }
        throw new AssertionError("no link " + id + " in /status");
    }

    /** Every topic on the cluster but Kafka's own ({@code __*}). */
    private static SortedSet<String> topics(TestClusters clusters, String alias) throws Exception {
        return clusters.allTopics(alias).stream().filter(t -> !t.startsWith("__"))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
