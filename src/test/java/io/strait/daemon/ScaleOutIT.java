package io.strait.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.testing.ChildDaemon;
import io.strait.testing.Http;
import io.strait.testing.ReplicationChecks;
import io.strait.testing.TestClusters;
import io.strait.testing.TestProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two daemon processes run the same topology and share the link's tasks through Kafka Connect's
 * group membership; when one is killed (SIGKILL), the other takes over every task and no record
 * is lost.
 */
class ScaleOutIT {

    static final Duration SETTLE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void twoInstancesShareTheTasksAndTheSurvivorTakesAllOfThem() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            clusters.createTopic("a", "orders", 8, Map.of());
            Path file = dir.resolve("scale.conf");
            // Ports come from the environment, as in Kubernetes: the file must not set http.port. The tasks of
            // a worker that left move after Connect's session timeout (10 s) plus scheduled.rebalance.max.delay.ms:
            // 1 s here instead of Strait's 10 s, so that the survivor takes them over about 10 s sooner.
            Files.writeString(file, clusters.topology("""
                    engine.worker { "scheduled.rebalance.max.delay.ms" = 1000 }
                    flows { dr { type = link, source = a, target = b, tasks = 4 } }""").replace("  http.port = 0\n", ""));
            // Logs where they outlive the test, for a look after a failure.
            Path logs = Files.createDirectories(Path.of("target", "scale-out-it"));
            ChildDaemon one = ChildDaemon.start(file, logs.resolve("one.log"), true);
            ChildDaemon two = ChildDaemon.start(file, logs.resolve("two.log"), true);
            TestProducer producer = TestProducer.start(clusters, "a", "orders", 8, "k");
            try {
                await("4 tasks spread over both instances").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            List<String> workers = taskWorkers(one);
                            assertThat(workers).hasSize(4);
                            assertThat(new HashSet<>(workers)).as("workers running a->b's tasks")
                                    .containsExactlyInAnyOrder(one.workerId("a->b"), two.workerId("a->b"));
                        });
                System.out.printf("[scale-out] a->b's 4 tasks run on both instances: %s%n", taskWorkers(one));
                await("records copied").atMost(SETTLE).until(() -> clusters.total("b", "a.orders") > 500);

                two.kill();
                long killed = System.nanoTime();
                await("the survivor runs every task").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> assertThat(taskWorkers(one)).hasSize(4).containsOnly(one.workerId("a->b")));
                long failover = (System.nanoTime() - killed) / 1_000_000;
                producer.close();
                long produced = producer.acknowledged();
                await("all records on b").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                        .until(() -> clusters.total("b", "a.orders") >= produced);
                int duplicates = ReplicationChecks.assertAllArrivedInOrder(clusters, "b", "a.orders", "a", "orders");
                System.out.printf("[scale-out] instance killed (SIGKILL): the survivor ran all 4 tasks %d ms later;"
                        + " %d records, 0 lost, %d duplicated%n", failover, produced, duplicates);
            } finally {
                producer.close();
                one.kill();
                two.kill();
            }
        }
    }

    /** The worker of each task of the link's source connector, as the instance reports it. */
    private static List<String> taskWorkers(ChildDaemon instance) throws Exception {
        JsonNode status = Http.get(instance.httpPort(), "/status").json();
        List<String> workers = new ArrayList<>();
        for (JsonNode link : status.path("links")) {
            for (JsonNode connector : link.path("connectors")) {
                if (connector.path("name").asText().equals("a->b")) {
                    for (JsonNode task : connector.path("tasks")) {
                        if ("RUNNING".equals(task.path("state").asText())) {
                            workers.add(task.path("worker").asText());
                        }
                    }
                }
            }
        }
        return workers;
    }

}
