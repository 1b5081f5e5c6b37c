package io.strait.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.cli.CommandResult;
import io.strait.http.StatusServer;
import io.strait.testing.Http;
import io.strait.testing.TargetTopicPolicy;
import io.strait.testing.TestAuthorizer;
import io.strait.testing.TestClusters;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A link that runs but does not do its whole job, for the reasons MirrorMaker 2 only logs, each
 * made to happen on real brokers: the target refuses to create a topic (a producer then creates it
 * with the broker's defaults), the target refuses a config sync, and the source answers ListGroups
 * too slowly for MirrorMaker 2's admin client (KAFKA-17232), so the checkpoint connector runs with
 * no task. Each must show as DEGRADED, with the reason, in /status, /ready, /metrics, {@code strait
 * status}, and the config differences in {@code strait plan}.
 */
class DegradedLinkIT {

    static final Duration DEGRADED_WITHIN = Duration.ofSeconds(90);
    static TestClusters clusters;

    @TempDir
    Path dir;

    @BeforeAll
    static void startClusters() throws Exception {
        Map<String, Map<String, String>> brokers = new LinkedHashMap<>();
        // a: a plain source.
        brokers.put("a", Map.of());
        // b: a target that allows no compacted user topics and no retention above 7 days, and on which
        // no one may add partitions to a topic (the replicator's principal lacks Alter on topics).
        Map<String, String> target = new HashMap<>(TargetTopicPolicy.brokerConfig());
        target.putAll(TestAuthorizer.brokerConfig(Map.of(TestAuthorizer.DENY, "TOPIC:ALTER")));
        brokers.put("b", target);
        // g: a source that takes 6 s to answer ListGroups, as one with very many groups does.
        brokers.put("g", TestAuthorizer.brokerConfig(Map.of(TestAuthorizer.LIST_GROUPS_DELAY, "6000",
                "num.io.threads", "16")));
        clusters = TestClusters.start(brokers);
    }

    @AfterAll
    static void stopClusters() {
        clusters.close();
    }

    @Test
    void targetTopicCreatedWithBrokerDefaultsInsteadOfTheSourcesSettings() throws Exception {
        clusters.createTopic("a", "ledger", 3, Map.of("cleanup.policy", "compact"));
        clusters.produce("a", "ledger", 3, "l", 0, 30);
        Path file = write("ledger.conf", """
                flows { dr { type = link, source = a, target = b, topics = [ledger], refresh-interval = 2s,
                             mirror { "sync.topic.configs.interval.seconds" = 3 } } }""");
        try (Running daemon = Running.start(file)) {
            JsonNode link = daemon.awaitState("a->b", "DEGRADED");
            // What happened on b: MirrorMaker 2's creation was refused, the producer created the topic
            // with the broker's defaults, and neither the partitions nor the config could be fixed.
            assertThat(clusters.partitions("b", "a.ledger")).isEqualTo(1);
            assertThat(clusters.topicConfig("b", "a.ledger", "cleanup.policy")).containsEntry("cleanup.policy", "delete");

            assertThat(link.path("detail").asText()).as(link.toPrettyString())
                    .contains("a.ledger").contains("1 partition on b").contains("3 on a")
                    .contains("cleanup.policy").contains("delete on b").contains("compact on a");
            assertThat(reasons(link)).as(link.toPrettyString())
                    .contains("target_partitions", "target_cleanup_policy");
            daemon.assertReadyWithDetail("a->b", "a.ledger");
            daemon.assertMetrics("a->b", "target_partitions", "target_cleanup_policy");
            daemon.assertStatusCommand("a->b", "a.ledger: 1 partition on b, 3 on a");
        }
        String plan = planSection(file, "Link a->b");
        assertThat(plan).containsPattern("ledger +3 partitions -> a\\.ledger \\(exists, 1 partition, fewer than the source\\)")
                .containsPattern("cleanup\\.policy: compact on a, delete on b \\(MirrorMaker 2 syncs it every 3 s\\)");
    }

    @Test
    void configSyncRefusedByTheTarget() throws Exception {
        clusters.createTopic("a", "accounts", 2, Map.of("message.timestamp.type", "LogAppendTime"));
        clusters.produce("a", "accounts", 2, "c", 0, 20);
        Path file = write("accounts.conf", """
                flows { dr { type = link, source = a, target = b, topics = [accounts], refresh-interval = 2s,
                             mirror { "sync.topic.configs.interval.seconds" = 3 } } }""");
        try (Running daemon = Running.start(file)) {
            daemon.awaitState("a->b", "RUNNING");
            await("a.accounts copied").atMost(DEGRADED_WITHIN).until(() -> clusters.total("b", "a.accounts") == 20);
            // No false alarm: a config that MirrorMaker 2 does not sync by design (message.timestamp.type), and
            // a checkpoint connector without task while the source has no group, leave it RUNNING past every grace.
            await("a->b stays RUNNING").during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(20))
                    .until(() -> daemon.link("a->b").path("state").asText().equals("RUNNING"));
            // The source now keeps records for 14 days; b refuses more than 7.
            ConfigResource accounts = new ConfigResource(ConfigResource.Type.TOPIC, "accounts");
            clusters.admin("a").incrementalAlterConfigs(Map.of(accounts, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", "1209600000"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);

            JsonNode link = daemon.awaitState("a->b", "DEGRADED");
            assertThat(clusters.topicConfig("b", "a.accounts", "retention.ms")).containsEntry("retention.ms", "604800000");
            assertThat(link.path("detail").asText()).as(link.toPrettyString())
                    .contains("a.accounts").contains("retention.ms").contains("604800000 on b").contains("1209600000 on a");
            assertThat(reasons(link)).as(link.toPrettyString()).containsExactly("target_config");
            daemon.assertReadyWithDetail("a->b", "retention.ms");
            daemon.assertMetrics("a->b", "target_config");
            daemon.assertStatusCommand("a->b", "retention.ms");
        }
        String plan = planSection(file, "Link a->b");
        assertThat(plan).containsPattern("accounts +2 partitions -> a\\.accounts \\(exists, 2 partitions\\)")
                .containsPattern("retention\\.ms: 1209600000 on a, 604800000 on b \\(MirrorMaker 2 syncs it every 3 s\\)")
                .containsPattern("message\\.timestamp\\.type: LogAppendTime on a, CreateTime on b \\(not synced by"
                        + " MirrorMaker 2, by design")
                .doesNotContain("cleanup.policy");
    }

    @Test
    void checkpointConnectorWithoutTasksWhileGroupsHaveOffsets() throws Exception {
        clusters.createTopic("g", "orders", 2, Map.of());
        clusters.produce("g", "orders", 2, "o", 0, 20);
        consumeAndCommit("g", "orders", "billing", 20);
        // MirrorMaker 2's source admin gives up after 3 s; the source answers ListGroups after 6 s.
        Path file = write("groups.conf", """
                flows { dr { type = link, source = g, target = b, topics = [orders], refresh-interval = 2s,
                             mirror { "source.admin.request.timeout.ms" = 3000, "source.admin.default.api.timeout.ms" = 3000 } } }""");
        try (Running daemon = Running.start(file)) {
            JsonNode link = daemon.awaitState("g->b", "DEGRADED");
            await("g.orders copied").atMost(DEGRADED_WITHIN).until(() -> clusters.total("b", "g.orders") == 20);
            JsonNode checkpoint = connector(link, "g->b.checkpoint");
            assertThat(checkpoint.path("state").asText()).isEqualTo("RUNNING");
            assertThat(checkpoint.path("tasks").size()).as(link.toPrettyString()).isZero();
            assertThat(link.path("detail").asText()).as(link.toPrettyString())
                    .contains("g->b.checkpoint").contains("no task").contains("billing");
            assertThat(reasons(link)).as(link.toPrettyString()).containsExactly("checkpoint_tasks");
            daemon.assertReadyWithDetail("g->b", "billing");
            daemon.assertMetrics("g->b", "checkpoint_tasks");
            daemon.assertStatusCommand("g->b", "billing");
        }
    }

    /** A daemon with its HTTP server, for one test. */
    record Running(StraitDaemon daemon, StatusServer http) implements AutoCloseable {

        static Running start(Path file) throws Exception {
            TopologyLoader loader = new TopologyLoader(Map.of());
            StraitDaemon daemon = new StraitDaemon(loader.load(file), file, loader);
            StatusServer http = StatusServer.start(daemon.topology().http(), daemon);
            daemon.start();
            return new Running(daemon, http);
        }

        JsonNode link(String id) throws Exception {
            for (JsonNode link : Http.get(http.port(), "/status").json().path("links")) {
                if (link.path("link").asText().equals(id)) {
                    return link;
                }
            }
            throw new AssertionError("no link " + id + " in /status");
        }

        /** Waits for the link's state; fails with the last /status of the link. */
        JsonNode awaitState(String id, String state) {
            AtomicReference<JsonNode> last = new AtomicReference<>();
            long begin = System.nanoTime();
            try {
                await(id + " " + state).atMost(DEGRADED_WITHIN).pollInterval(Duration.ofMillis(500)).until(() -> {
                    last.set(link(id));
                    return last.get().path("state").asText().equals(state);
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("link " + id + " not " + state + " within " + DEGRADED_WITHIN.toSeconds()
                        + " s; last /status of it:\n" + (last.get() == null ? "none" : last.get().toPrettyString()), e);
            }
            System.out.printf("[degraded] %s %s after %d ms: %s%n", id, state, (System.nanoTime() - begin) / 1_000_000,
                    last.get().path("detail").asText());
            return last.get();
        }

        void assertReadyWithDetail(String id, String text) throws Exception {
            Http.Response ready = Http.get(http.port(), "/ready");
            // A degraded link copies: the pod stays ready (a rollout is not held up), and says why it is degraded.
            assertThat(ready.status()).as(ready.body()).isEqualTo(200);
            assertThat(ready.json().path("ready").asBoolean()).as(ready.body()).isTrue();
            assertThat(ready.json().path("links").path(id).path("state").asText()).as(ready.body()).isEqualTo("DEGRADED");
            assertThat(ready.json().path("links").path(id).path("reason").asText()).as(ready.body()).contains(text);
        }

        void assertMetrics(String id, String... reasons) throws Exception {
            String metrics = Http.get(http.port(), "/metrics").body();
            // Labels in exposition order: link, then reason or state, then source, then target.
            String link = "link=\"" + id + "\"";
            String source = "source=\"" + id.split("->")[0] + "\"";
            String target = "target=\"" + id.split("->")[1] + "\"";
            assertThat(Http.sample(metrics, "strait_link_state{" + link + "," + source + ",state=\"DEGRADED\"," + target + "}")).as(metrics).isEqualTo(1.0);
            assertThat(Http.sample(metrics, "strait_link_state{" + link + "," + source + ",state=\"RUNNING\"," + target + "}")).as(metrics).isEqualTo(0.0);
            assertThat(Http.sample(metrics, "strait_link_up{" + link + "," + source + "," + target + "}")).as(metrics).isEqualTo(1.0);
            for (String reason : reasons) {
                assertThat(Http.sample(metrics, "strait_link_degraded{" + link + ",reason=\"" + reason + "\"," + source + "," + target + "}"))
                        .as(reason + " in\n" + metrics).isGreaterThanOrEqualTo(1.0);
            }
            assertThat(Http.sample(metrics, "strait_link_degraded{" + link + ",reason=\"source_tasks\"," + source + "," + target + "}")).as(metrics)
                    .isEqualTo(0.0);
        }

        void assertStatusCommand(String id, String text) {
            CommandResult result = CommandResult.run("status", "--url", "http://127.0.0.1:" + http.port());
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.out()).as(result.toString()).containsPattern(java.util.regex.Pattern.quote(id) + " +DEGRADED")
                    .contains(text);
        }

        @Override
        public void close() {
            daemon.stop();
            http.close();
        }
    }

    private static List<String> reasons(JsonNode link) {
        List<String> reasons = new java.util.ArrayList<>();
        link.path("problems").forEach(p -> reasons.add(p.path("reason").asText()));
        return reasons;
    }

    private static JsonNode connector(JsonNode link, String name) {
        for (JsonNode connector : link.path("connectors")) {
            if (connector.path("name").asText().equals(name)) {
                return connector;
            }
        }
        throw new AssertionError("no connector " + name + " in " + link.toPrettyString());
    }

    private static void consumeAndCommit(String alias, String topic, String group, int records) {
        Map<String, Object> config = clusters.clientConfig(alias);
        config.putAll(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            int read = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read < records && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertThat(read).isEqualTo(records);
            consumer.commitSync();
        }
    }

    private Path write(String name, String flows) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, clusters.topology("  reload.watch = false\n" + flows));
        return file;
    }

    private static String planSection(Path file, String header) {
        CommandResult result = CommandResult.run("plan", "--no-settings", file.toString());
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String out = result.out();
        int start = out.indexOf(header);
        assertThat(start).as("no " + header + " in:\n" + result).isNotNegative();
        int end = out.indexOf("\nLink ", start + 1);
        System.out.println("[degraded] plan:\n" + out.substring(start, end < 0 ? out.length() : end));
        return end < 0 ? out.substring(start) : out.substring(start, end);
    }
}
