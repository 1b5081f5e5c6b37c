package io.strait.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.http.StatusServer;
import io.strait.replication.LinkReplicator;
import io.strait.testing.ChildKafkaBroker;
import io.strait.testing.Http;
import io.strait.testing.ReplicationChecks;
import io.strait.testing.TestClusters;
import io.strait.testing.TestProducer;
import io.strait.topology.LinkId;
import io.strait.topology.TopologyLoader;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster that goes away takes down only its own links: the others keep replicating, readiness
 * and status name the failing link, and when the cluster returns its links resume by themselves
 * with every record.
 */
class FailureIsolationIT {

    static final Duration SETTLE = Duration.ofSeconds(120);

    @Test
    void aTargetThatGoesAwayFailsOnlyItsLinkWhichResumesWhenItReturns() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            ChildKafkaBroker c = clusters.addChildBroker("c");
            clusters.createTopic("a", "orders", 3, Map.of());
            StraitDaemon daemon = new StraitDaemon(new TopologyLoader(Map.of()).parse(clusters.topology("""
                    flows {
                      near { type = link, source = a, target = b }
                      far  { type = link, source = a, target = c }
                    }"""), "isolation.conf"));
            StatusServer http = StatusServer.start(daemon.topology().http(), daemon);
            TestProducer producer = TestProducer.start(clusters, "a", "orders", 3, "k");
            try {
                daemon.start();
                await("both links copying").atMost(SETTLE).until(() ->
                        clusters.total("b", "a.orders") > 0 && clusters.total("c", "a.orders") > 0);

                c.kill();
                long killed = System.nanoTime();
                LinkId far = LinkId.parse("a->c");
                await("a->c reported failing").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    Http.Response ready = Http.get(http.port(), "/ready");
                    assertThat(ready.status()).isEqualTo(503);
                    assertThat(ready.json().path("links").path("a->c").path("reason").asText())
                            .contains("cannot reach cluster c");
                    assertThat(ready.json().path("links").has("a->b")).as(ready.body()).isFalse();
                });
                System.out.printf("[isolation] a->c reported failing %d ms after c was killed%n",
                        (System.nanoTime() - killed) / 1_000_000);
                JsonNode status = Http.get(http.port(), "/status").json();
                assertThat(status.toString()).contains("\"link\":\"a->c\",\"state\":\"FAILING\"");
                assertThat(daemon.statuses().get(far).detail()).get().asString().contains("cannot reach cluster c");
                String metrics = Http.get(http.port(), "/metrics").body();
                assertThat(Http.sample(metrics, "strait_link_up{link=\"a->c\",source=\"a\",target=\"c\"}")).isEqualTo(0.0);
                assertThat(Http.sample(metrics, "strait_link_up{link=\"a->b\",source=\"a\",target=\"b\"}")).isEqualTo(1.0);

                // The other link keeps replicating while c is away (20 s).
                long onB = clusters.total("b", "a.orders");
                await("a->b keeps copying").atMost(Duration.ofSeconds(30)).until(() -> clusters.total("b", "a.orders") > onB + 500);
                Duration away = Duration.ofSeconds(20).minus(Duration.ofNanos(System.nanoTime() - killed));
                if (!away.isNegative()) {
                    await("a->b running while c is away").during(away).atMost(away.plusSeconds(5))
                            .until(() -> daemon.statuses().get(LinkId.parse("a->b")).state() == LinkReplicator.State.RUNNING);
                }
                c.startProcess();
                long back = System.nanoTime();
                await("a->c running again").atMost(SETTLE).until(() ->
                        daemon.statuses().get(far).state() == LinkReplicator.State.RUNNING);
                producer.close();
                long produced = producer.acknowledged();
                await("c caught up").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                        .until(() -> clusters.total("c", "a.orders") >= produced);
                System.out.printf("[isolation] c back: a->c running and all %d records on c %d ms after c restarted%n",
                        produced, (System.nanoTime() - back) / 1_000_000);
                int duplicates = ReplicationChecks.assertAllArrivedInOrder(clusters, "c", "a.orders", "a", "orders");
                // The same check as `strait verify`: every partition of a->c OK up to the committed position.
                var report = new io.strait.replication.ReplicationVerifier(
                        new io.strait.replication.MirrorSettings(daemon.topology()), Duration.ofSeconds(10))
                        .verify(java.util.Optional.of(far), java.util.Optional.empty()).get(0);
                assertThat(report.verdict()).as(report.verdictLine())
                        .isEqualTo(io.strait.replication.ReplicationVerifier.Verdict.OK);
                assertThat(report.duplicates()).isEqualTo(duplicates);
                await("b caught up").atMost(SETTLE).until(() -> clusters.total("b", "a.orders") == produced);
                ReplicationChecks.assertSameRecords(clusters, "b", "a.orders", "a", "orders");
                System.out.printf("[isolation] target c killed mid-stream for 20 s: %d records, 0 lost, %d duplicated%n",
                        produced, duplicates);
            } finally {
                producer.close();
                daemon.stop();
                http.close();
            }
        }
    }

}
