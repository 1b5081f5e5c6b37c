package io.strait.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.testing.ChildDaemon;
import io.strait.testing.Http;
import io.strait.testing.TestClusters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Raw Kafka settings that Kafka refuses are refused by a live reload too, as by {@code validate}: the
 * daemon ({@code strait run}, in its own JVM) keeps the running topology, counts the refusal and says
 * where and why; the link it runs is not restarted and keeps copying.
 */
class KafkaSettingsIT {

    static final Duration SETTLE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void reloadWithSettingsKafkaRefusesIsRefusedAndCounted() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            clusters.createTopic("a", "orders", 2, Map.of());
            clusters.produce("a", "orders", 2, "first", 0, 100);
            Path file = dir.resolve("settings.conf");
            write(clusters, file, "", "\"emit.heartbeats.enabled\" = true");
            ChildDaemon daemon = ChildDaemon.start(file, dir.resolve("daemon.log"), false);
            try {
                int port = daemon.httpPort();
                await("a->b copying").atMost(SETTLE).until(() -> clusters.total("b", "a.orders") == 100
                        && "RUNNING".equals(link(port).path("state").asText()));
                long herderStarts = link(port).path("herderStarts").asLong();
                assertThat(herderStarts).isEqualTo(1);

                // A mirror setting that is not a boolean: the old main applied it and restarted the link.
                long begin = System.nanoTime();
                write(clusters, file, "", "\"emit.heartbeats.enabled\" = maybe");
                await("reload decided").atMost(Duration.ofSeconds(30)).until(() -> decided(port, 1));
                JsonNode reload = Http.get(port, "/status").json().path("reload");
                System.out.printf("[settings] reload with a bad mirror value: applied %d, refused %d after %d ms: %s%n",
                        reload.path("applied").asLong(), reload.path("refused").asLong(),
                        (System.nanoTime() - begin) / 1_000_000, reload.path("lastErrors"));
                assertThat(reload.path("refused").asLong()).as(reload.toString()).isEqualTo(1);
                assertThat(reload.path("applied").asLong()).as(reload.toString()).isZero();
                assertThat(reload.path("lastErrors").get(0).asText()).isEqualTo(file + ":10: Invalid value maybe for"
                        + " emit.heartbeats.enabled in the mirror block of flow dr: Expected value to be either true or"
                        + " false");

                // A misspelt client setting: no Kafka client knows it.
                write(clusters, file, "kafka-clients { \"securty.protocol\" = PLAINTEXT }",
                        "\"emit.heartbeats.enabled\" = true");
                await("second reload decided").atMost(Duration.ofSeconds(30)).until(() -> decided(port, 2));
                reload = Http.get(port, "/status").json().path("reload");
                assertThat(reload.path("refused").asLong()).as(reload.toString()).isEqualTo(2);
                assertThat(reload.path("applied").asLong()).as(reload.toString()).isZero();
                assertThat(reload.path("lastErrors").get(0).asText()).startsWith(file + ":3: Unknown key securty.protocol"
                        + " in kafka-clients of cluster a").endsWith("(did you mean security.protocol?)");
                String metrics = Http.get(port, "/metrics").body();
                assertThat(Http.sample(metrics, "strait_reload_failures_total")).isEqualTo(2.0);
                assertThat(Http.sample(metrics, "strait_reloads_total")).isEqualTo(0.0);
                assertThat(Http.sample(metrics, "strait_reload_last_success")).isEqualTo(0.0);

                // The running link was left as it was: same herder, still copying.
                clusters.produce("a", "orders", 2, "second", 100, 100);
                await("a->b still copying").atMost(SETTLE).until(() -> clusters.total("b", "a.orders") == 200);
                JsonNode link = link(port);
                assertThat(link.path("state").asText()).isEqualTo("RUNNING");
                assertThat(link.path("herderStarts").asLong()).as(link.toString()).isEqualTo(herderStarts);
                assertThat(Files.readString(daemon.log())).contains("Reload refused: " + file + ":10: Invalid value maybe");
            } finally {
                daemon.stop();
            }
        }
    }

    /** True once the n-th reload was either applied or refused. */
    private static boolean decided(int port, long n) throws Exception {
        JsonNode reload = Http.get(port, "/status").json().path("reload");
        return reload.path("applied").asLong() + reload.path("refused").asLong() >= n;
    }

    private static JsonNode link(int port) throws Exception {
        return Http.get(port, "/status").json().path("links").get(0);
    }

    /**
     * Writes the topology aside and renames it over the file, as editors do. Line 3 is cluster a, line 10
     * the mirror block of flow dr. The port comes from the environment, as in Kubernetes.
     */
    private static void write(TestClusters clusters, Path file, String clientsOfA, String mirror) throws Exception {
        String text = clusters.topology("""
                  reload.interval = 200ms
                  flows {
                    dr {
                      type = link, source = a, target = b, topics = [orders], refresh-interval = 2s
                      mirror { %s }
                    }
                  }""".formatted(mirror)).replace("  http.port = 0\n", "");
        if (!clientsOfA.isEmpty()) {
            text = text.replaceFirst("(    a \\{ bootstrap-servers = \"[^\"]*\")", "$1, " + java.util.regex.Matcher
                    .quoteReplacement(clientsOfA));
        }
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
