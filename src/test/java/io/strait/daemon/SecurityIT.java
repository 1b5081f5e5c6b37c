package io.strait.daemon;

import io.strait.testing.ChildDaemon;
import io.strait.testing.ChildProcesses;
import io.strait.testing.Http;
import io.strait.testing.TestClusters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Replication from a cluster that takes SASL/PLAIN, with the credentials taken from the
 * environment through {@code ${VAR}}; the password never shows in logs, plan, status or metrics;
 * a wrong password fails that link clearly while the others run.
 */
class SecurityIT {

    static final String PASSWORD = "s3cr3t-Pa55word-42";
    static final String WRONG = "wr0ng-Pa55word-99";
    static final Duration SETTLE = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void saslCredentialsFromTheEnvironmentAreUsedAndNeverShown() throws Exception {
        try (TestClusters clusters = TestClusters.start("b", "c")) {
            clusters.addSaslBroker("a", PASSWORD);
            clusters.createTopic("a", "orders", 3, Map.of());
            clusters.produce("a", "orders", 3, "a", 0, 30);
            clusters.createTopic("b", "orders", 3, Map.of());
            clusters.produce("b", "orders", 3, "b", 0, 30);
            Path file = dir.resolve("secure.conf");
            Files.writeString(file, clusters.topology("""
                      flows {
                        secure { type = link, source = a, target = b }
                        other  { type = link, source = b, target = c, topics = [orders] }
                      }""").replace("  http.port = 0\n", "").replace(
                    "    a { bootstrap-servers = \"" + clusters.bootstrap("a") + "\" }",
                    "    a {\n      bootstrap-servers = \"" + clusters.bootstrap("a") + "\"\n"
                            + "      kafka-clients { \"security.protocol\" = SASL_PLAINTEXT, \"sasl.mechanism\" = PLAIN,"
                            + " \"sasl.jaas.config\" = ${A_JAAS} }\n    }"));
            assertThat(Files.readString(file)).contains("${A_JAAS}").doesNotContain(PASSWORD);

            // Logs where they outlive the test, for a look after a failure.
            Path logs = Files.createDirectories(Path.of("target", "security-it"));
            ChildDaemon daemon = ChildDaemon.start(file, logs.resolve("good.log"), false, Map.of("A_JAAS", jaas(PASSWORD)));
            String status;
            String metrics;
            try {
                await("a->b copies with SASL").atMost(SETTLE).until(() -> clusters.total("b", "a.orders") == 30);
                await("b->c copies").atMost(SETTLE).until(() -> clusters.total("c", "b.orders") == 30);
                status = Http.get(daemon.httpPort(), "/status").body();
                metrics = Http.get(daemon.httpPort(), "/metrics").body();
            } finally {
                daemon.stop();
            }
            String plan = run(List.of("plan", file.toString()), Map.of("A_JAAS", jaas(PASSWORD)));
            assertThat(plan).contains("source.cluster.sasl.jaas.config = [hidden]").contains("a.orders");
            assertThat(Files.readString(daemon.log())).as("the daemon's log").doesNotContain(PASSWORD);
            assertThat(status).as("/status").doesNotContain(PASSWORD);
            assertThat(metrics).as("/metrics").doesNotContain(PASSWORD);
            assertThat(plan).as("strait plan").doesNotContain(PASSWORD);

            // A wrong password: that link fails, says why, and the others run.
            ChildDaemon wrong = ChildDaemon.start(file, logs.resolve("wrong.log"), false, Map.of("A_JAAS", jaas(WRONG)));
            try {
                clusters.produce("b", "orders", 3, "b", 30, 30);
                await("a->b fails with an authentication error").atMost(SETTLE).untilAsserted(() -> {
                    Http.Response ready = Http.get(wrong.httpPort(), "/ready");
                    assertThat(ready.status()).isEqualTo(503);
                    assertThat(ready.json().path("links").path("a->b").path("reason").asText())
                            .containsIgnoringCase("authentication failed");
                    assertThat(ready.json().path("links").has("b->c")).as(ready.body()).isFalse();
                });
                await("b->c keeps copying").atMost(SETTLE).until(() -> clusters.total("c", "b.orders") >= 60);
                io.strait.testing.ReplicationChecks.assertAllArrivedInOrder(clusters, "c", "b.orders", "b", "orders");
                String log = Files.readString(wrong.log());
                assertThat(log).contains("Link a->b is failing").containsIgnoringCase("authentication failed");
                for (String text : List.of(log, Http.get(wrong.httpPort(), "/status").body(),
                        Http.get(wrong.httpPort(), "/metrics").body())) {
                    assertThat(text).doesNotContain(WRONG).doesNotContain(PASSWORD);
                }
            } finally {
                wrong.stop();
            }
            System.out.println("[security] SASL/PLAIN source with ${A_JAAS}: replicated; the password appears in none of"
                    + " log, plan, /status, /metrics; a wrong password fails only a->b, with the authentication error");
        }
    }

    private static String jaas(String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"strait\" password=\""
                + password + "\";";
    }

    /** Runs a strait command in its own JVM with the given environment; returns what it printed. */
    private String run(List<String> args, Map<String, String> env) throws Exception {
        Path out = dir.resolve("command-" + System.nanoTime() + ".out");
        Process process = ChildProcesses.java(List.of("-Xmx256m"), "io.strait.cli.StraitCommand", args, env, out);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String printed = Files.readString(out);
        assertThat(process.exitValue()).as(printed).isZero();
        return printed;
    }
}
