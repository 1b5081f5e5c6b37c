package io.strait.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.http.StatusServer;
import io.strait.replication.LinkReplicator;
import io.strait.testing.Http;
import io.strait.testing.ReplicationChecks;
import io.strait.testing.TestClusters;
import io.strait.testing.TestProducer;
import io.strait.topology.LinkId;
import io.strait.topology.TopologyLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The daemon as an operator runs it: HTTP endpoints, metrics, status, and live reload. */
class OperatingIT {

    static final Duration SETTLE = Duration.ofSeconds(120);
    /** The labels of a->b's series for payments, copied to a.payments. */
    static final String PAYMENTS = "link=\"a->b\",source=\"a\",source_topic=\"payments\",target=\"b\",target_topic=\"a.payments\"";
    static TestClusters clusters;

    @TempDir
    Path dir;

    @BeforeAll
    static void startClusters() throws Exception {
        clusters = TestClusters.start("a", "b", "c");
        for (String alias : clusters.aliases()) {
            clusters.createTopic(alias, "orders", 3, Map.of());
        }
        clusters.createTopic("a", "payments", 3, Map.of());
    }

    @AfterAll
    static void stopClusters() {
        clusters.close();
    }

    @Test
    void healthReadinessMetricsAndStatus() throws Exception {
        // Its own topic: the clusters are shared with the reload test, which streams into orders.
        clusters.produce("a", "payments", 3, "m", 0, 30);
        Path file = write("http.conf", "flows { dr { type = link, source = a, target = b, topics = [payments] } }");
        TopologyLoader loader = new TopologyLoader(Map.of());
        StraitDaemon daemon = new StraitDaemon(loader.load(file), file, loader);
        StatusServer http = StatusServer.start(daemon.topology().http(), daemon);
        int port = http.port();
        try {
            daemon.start();
            Http.Response starting = Http.get(port, "/ready");
            assertThat(starting.status()).as(starting.body()).isEqualTo(503);
            assertThat(starting.json().path("links").path("a->b").path("state").asText()).isEqualTo("STARTING");
            assertThat(Http.get(port, "/healthy").status()).isEqualTo(200);

            await("ready").atMost(SETTLE).until(() -> Http.get(port, "/ready").status() == 200);
            await("b.a.payments copied").atMost(SETTLE).until(() -> clusters.total("b", "a.payments") == 30);
            await("metrics").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                String metrics = Http.get(port, "/metrics").body();
                assertThat(Http.sample(metrics, "strait_link_up{link=\"a->b\",source=\"a\",target=\"b\"}")).isEqualTo(1.0);
                assertThat(Http.sample(metrics, "strait_link_state{link=\"a->b\",source=\"a\",state=\"RUNNING\",target=\"b\"}")).isEqualTo(1.0);
                assertThat(Http.sample(metrics, "strait_replicated_records_total{" + PAYMENTS + "}"))
                        .isEqualTo(30.0);
                assertThat(Http.sample(metrics, "strait_replicated_bytes_total{" + PAYMENTS + "}"))
                        .isGreaterThan(30.0);
                assertThat(Http.sample(metrics, "strait_replication_latency_max_seconds{" + PAYMENTS + "}"))
                        .isNotNaN();
                assertThat(Http.sample(metrics, "strait_link_tasks{link=\"a->b\",source=\"a\",state=\"RUNNING\",target=\"b\"}")).isGreaterThanOrEqualTo(1.0);
                assertThat(Http.sample(metrics, "strait_reloads_total")).isEqualTo(0.0);
                assertThat(metrics).contains("jvm_memory_used_bytes");
            });
            // Lag is sampled from the committed positions (flushed every 10 s) every 10 s.
            await("lag sampled").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                String metrics = Http.get(port, "/metrics").body();
                assertThat(Http.sample(metrics, "strait_lag_records{" + PAYMENTS + "}")).isEqualTo(0.0);
                JsonNode link = Http.get(port, "/status").json().path("links").get(0);
                assertThat(link.path("link").asText()).isEqualTo("a->b");
                assertThat(link.path("state").asText()).isEqualTo("RUNNING");
                assertThat(link.path("lag").asLong()).isZero();
                assertThat(link.path("topics").get(0).path("target").asText()).isEqualTo("a.payments");
                assertThat(link.path("connectors").get(0).path("tasks").get(0).path("state").asText()).isEqualTo("RUNNING");
            });
            assertThat(Http.get(port, "/nope").status()).isEqualTo(404);

            var result = io.strait.cli.CommandResult.run("status", "--url", "http://127.0.0.1:" + port);
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.out()).as(result.toString()).containsPattern("a->b +RUNNING")
                    .contains("payments -> a.payments: 3 partitions, lag 0");
        } finally {
            daemon.stop();
            http.close();
        }
    }

    @Test
    void reloadAddsAndRemovesLinksWithoutTouchingUnchangedOnes() throws Exception {
        Path file = write("reload.conf", """
                flows {
                  dr    { type = link, source = a, target = b, topics = [orders] }
                  extra { type = link, source = a, target = c, topics = [orders] }
                }""");
        TopologyLoader loader = new TopologyLoader(Map.of());
        StraitDaemon daemon = new StraitDaemon(loader.load(file), file, loader);
        StatusServer http = StatusServer.start(daemon.topology().http(), daemon);
        TestProducer producer = TestProducer.start(clusters, "a", "orders", 3, "r");
        try {
            daemon.start();
            LinkId dr = LinkId.parse("a->b");
            await("both links replicating").atMost(SETTLE).until(() ->
                    clusters.total("b", "a.orders") > 0 && clusters.total("c", "a.orders") > 0
                            && daemon.statuses().values().stream().allMatch(s -> s.state() == LinkReplicator.State.RUNNING));
            LinkReplicator drBefore = daemon.links().get(dr);
            long taskStartsBefore = drBefore.taskStarts();
            assertThat(taskStartsBefore).isPositive();
            long copiedBefore = clusters.total("b", "a.orders");

            // Replace the file the way editors and config tools do: write aside, rename over.
            long begin = System.nanoTime();
            replace(file, """
                    flows {
                      dr   { type = link, source = a, target = b, topics = [orders] }
                      feed { type = link, source = c, target = b, topics = [orders] }
                    }""");
            await("reload applied").atMost(Duration.ofSeconds(30)).until(() -> daemon.reloadState().reloads() == 1);
            assertThat(daemon.links().keySet()).containsExactly(dr, LinkId.parse("c->b"));
            await("new link c->b replicating").atMost(SETTLE).until(() ->
                    daemon.statuses().get(LinkId.parse("c->b")).state() == LinkReplicator.State.RUNNING);
            System.out.printf("[reload] file replaced -> removed link stopped and new link running in %d ms%n",
                    (System.nanoTime() - begin) / 1_000_000);
            await("records still flowing on a->b").atMost(Duration.ofSeconds(30))
                    .until(() -> clusters.total("b", "a.orders") > copiedBefore);

            // An invalid file is refused; what runs stays as it is.
            replace(file, "flows { dr { type = link, source = a, target = nowhere } }");
            await("reload refused").atMost(Duration.ofSeconds(30)).until(() -> daemon.reloadState().failures() == 1);
            assertThat(daemon.reloadState().lastErrors()).singleElement().asString()
                    .contains(file + ":").contains("Unknown cluster nowhere");
            assertThat(daemon.links().keySet()).containsExactly(dr, LinkId.parse("c->b"));
            JsonNode reload = Http.get(http.port(), "/status").json().path("reload");
            assertThat(reload.path("refused").asLong()).isEqualTo(1);
            assertThat(reload.path("lastErrors").get(0).asText()).contains("Unknown cluster nowhere");
            String metrics = Http.get(http.port(), "/metrics").body();
            assertThat(Http.sample(metrics, "strait_reload_failures_total")).isEqualTo(1.0);
            assertThat(Http.sample(metrics, "strait_reloads_total")).isEqualTo(1.0);
            assertThat(Http.sample(metrics, "strait_reload_last_success")).isEqualTo(0.0);

            producer.close();
            await("a->b caught up").atMost(SETTLE)
                    .until(() -> clusters.total("b", "a.orders") == clusters.total("a", "orders"));

            // The unchanged link was never touched: same replicator, same herder, no task started again.
            assertThat(daemon.links().get(dr)).isSameAs(drBefore);
            assertThat(drBefore.status().starts()).isEqualTo(1);
            assertThat(drBefore.taskStarts()).as("task start-ups of a->b's worker").isEqualTo(taskStartsBefore);
            int compared = ReplicationChecks.assertSameRecords(clusters, "b", "a.orders", "a", "orders");
            System.out.printf("[reload] a->b copied all %d records across two reloads without a task restart%n", compared);
        } finally {
            producer.close();
            daemon.stop();
            http.close();
        }
    }

    private Path write(String name, String flows) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, clusters.topology("  reload.interval = 200ms\n" + flows));
        return file;
    }

    private void replace(Path file, String flows) throws Exception {
        Path next = dir.resolve(file.getFileName() + ".next");
        Files.writeString(next, clusters.topology("  reload.interval = 200ms\n" + flows));
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

}
