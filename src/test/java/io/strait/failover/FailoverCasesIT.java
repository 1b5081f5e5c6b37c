package io.strait.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.cli.CommandResult;
import io.strait.daemon.StraitDaemon;
import io.strait.testing.TestClusters;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.strait.failover.GroupConsumer.commit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failover in the cases where a copier that keeps order still has to think: partitions added while
 * the link runs, a compacted source (offset gaps everywhere) that the link starts to copy after a
 * reload, and the daemon restarted between the group's commit and the failover. Each moves a group
 * with {@code strait failover --apply} and reads the copy as the group, record by record.
 */
class FailoverCasesIT {

    static final Duration SETTLE = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();
    static TestClusters clusters;
    static Path file;
    static StraitDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        clusters = TestClusters.start("a", "b");
        file = Files.createTempFile("failover-cases-", ".conf");
        Files.writeString(file, clusters.topology("""
                flow-defaults.refresh-interval = 2s
                flows { dr { type = link, source = a, target = b, topics = ["fo-.*"], groups = ["sw-.*"],
                  mirror { "emit.checkpoints.interval.seconds" = 2, "sync.group.offsets.interval.seconds" = 2 } } }
                """));
        daemon = new StraitDaemon(new TopologyLoader(Map.of()).load(file));
        daemon.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.stop();
        }
        clusters.close();
        Files.deleteIfExists(file);
    }

    @Test
    void partitionsAddedDuringTheRunAreTranslatedLikeTheOthers() throws Exception {
        clusters.createTopic("a", "fo-grow", 2, Map.of());
        clusters.produce("a", "fo-grow", 2, "g", 0, 1000);
        await("fo-grow on b").atMost(SETTLE).until(() -> clusters.total("b", "a.fo-grow") == 1000);
        clusters.addPartitions("a", "fo-grow", 3);
        clusters.produce("a", "fo-grow", 3, "h", 0, 1500);
        await("the new partition on b").atMost(SETTLE).until(() -> clusters.partitions("b", "a.fo-grow") == 3
                && clusters.total("b", "a.fo-grow") == 2500);
        Map<Integer, Long> committed = Map.of(0, 700L, 1, 600L, 2, 250L);
        commitOnA(clusters, "sw-grow", "fo-grow", committed);
        assertSwitchover("sw-grow", "fo-grow", committed, "partitions added during the run");
    }

    @Test
    void theDaemonRestartedBetweenTheCommitAndTheFailover() throws Exception {
        clusters.createTopic("a", "fo-restart", 3, Map.of());
        clusters.produce("a", "fo-restart", 3, "s", 0, 3000);
        await("fo-restart on b").atMost(SETTLE).until(() -> clusters.total("b", "a.fo-restart") == 3000);
        Map<Integer, Long> committed = Map.of(0, 400L, 1, 800L, 2, 999L);
        commitOnA(clusters, "sw-restart", "fo-restart", committed);
        daemon.stop();
        clusters.produce("a", "fo-restart", 3, "s", 3000, 900);
        daemon = new StraitDaemon(load());
        daemon.start();
        clusters.produce("a", "fo-restart", 3, "s", 3900, 900);
        await("the rest on b").atMost(SETTLE).until(() -> clusters.total("b", "a.fo-restart") == 4800);
        assertSwitchover("sw-restart", "fo-restart", committed, "daemon restarted between commit and failover");
    }

    @Test
    void aCompactedTopicCopiedAfterALinkReloadIsTranslatedExactly() throws Exception {
        // A compacted source topic with offset gaps, which the link starts to copy only after the group
        // committed: the link is reloaded (its topic selection changes) between the commit and the failover.
        clusters.createTopic("a", "cx-compact", 3, Map.of("cleanup.policy", "compact", "segment.ms", "100",
                "min.cleanable.dirty.ratio", "0.001", "delete.retention.ms", "100"));
        try {
            clusters.admin("a").incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, ""),
                    List.of(new AlterConfigOp(new ConfigEntry("log.cleaner.backoff.ms", "200"),
                            AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.out.println("[failover] log.cleaner.backoff.ms cannot be changed at run time here: " + e);
        }
        // Two records per key, one after the other: compaction removes every other offset.
        try (var producer = clusters.producer("a")) {
            for (int n = 0; n < 1000; n++) {
                for (int p = 0; p < 3; p++) {
                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("cx-compact", p,
                            bytes(p + "-" + n / 2), bytes("v" + n)));
                }
                if (n % 100 == 99) {
                    // A few segments (segment.ms = 100), so that most of the log can be cleaned.
                    producer.flush();
                    Thread.sleep(120);
                }
            }
            producer.flush();
            Thread.sleep(300);
            for (int p = 0; p < 3; p++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>("cx-compact", p,
                        bytes("last-" + p), bytes("last"))).get();
            }
        }
        await("a compacted cx-compact").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> GroupConsumer.offsets(clusters, "a", "cx-compact").values().stream()
                        .mapToInt(List::size).sum() == 1503);
        Map<Integer, List<Long>> offsets = GroupConsumer.offsets(clusters, "a", "cx-compact");
        // One partition at an offset compaction removed, one at a record, one at the end.
        long gap = offsets.get(0).get(10) - 1;
        assertThat(offsets.get(0)).doesNotContain(gap);
        Map<Integer, Long> committed = Map.of(0, gap, 1, offsets.get(1).get(50), 2, offsets.get(2).get(
                offsets.get(2).size() - 1) + 1);
        commitOnA(clusters, "sw-compact", "cx-compact", committed);

        String reloaded = Files.readString(file).replace("topics = [\"fo-.*\"]", "topics = [\"fo-.*\", \"cx-.*\"]");
        Files.writeString(file, reloaded);
        daemon.apply(load());
        long records = GroupConsumer.offsets(clusters, "a", "cx-compact").values().stream().mapToInt(List::size).sum();
        await("cx-compact copied").atMost(SETTLE).until(() -> clusters.partitions("b", "a.cx-compact") == 3
                && GroupConsumer.offsets(clusters, "b", "a.cx-compact").values().stream().mapToInt(List::size).sum()
                == records);
        assertSwitchover("sw-compact", "cx-compact", committed, "compacted topic, link reloaded");
    }

    /**
     * Moves the group to b with {@code failover --apply}, reads the copy there as the group, and checks
     * that it read exactly the records of a at or after its committed offsets.
     */
    static void assertSwitchover(String group, String topic, Map<Integer, Long> committed, String what)
            throws Exception {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> onA = clusters.readAll("a", topic);
        // MirrorMaker 2's checkpoints: where its automatic sync would put the group (once it checkpointed it).
        try {
            await("MirrorMaker 2 checkpointed " + group).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> mm2Offsets(group).size() == committed.size());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println(CommandResult.run("offsets", file.toString(), "--from", "a", "--to", "b", "--group",
                    group).out());
        }
        Map<Integer, Long> synced = mm2Offsets(group);
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> onB = clusters.readAll("b", "a." + topic);
        CommandResult applied = CommandResult.run("failover", file.toString(), "--from", "a", "--to", "b",
                "--group", group, "--apply");
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        Map<Integer, List<String>> read = GroupConsumer.consume(clusters, "b", "a." + topic, group);
        long missed = 0;
        long reread = 0;
        long mm2Reread = 0;
        long mm2Missed = 0;
        long mm2Unsynced = 0;
        for (var entry : committed.entrySet()) {
            List<String> expected = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : onA.get(entry.getKey())) {
                if (r.offset() >= entry.getValue()) {
                    expected.add(new String(r.key(), StandardCharsets.UTF_8));
                }
            }
            List<String> got = read.getOrDefault(entry.getKey(), List.of());
            java.util.Set<String> gotSet = new java.util.HashSet<>(got);
            long notRead = expected.stream().filter(k -> !gotSet.contains(k)).count();
            missed += notRead;
            reread += got.size() - (expected.size() - notRead);
            assertThat(got).as("%s partition %d read on b after failover:%n%s", group, entry.getKey(), applied)
                    .containsExactlyElementsOf(expected);
            // The exact position on b: the copy of the first record the group had not consumed.
            List<ConsumerRecord<byte[], byte[]>> copies = onB.get(entry.getKey());
            long exact = copies.isEmpty() ? 0 : copies.get(copies.size() - 1).offset() + 1;
            for (ConsumerRecord<byte[], byte[]> r : copies) {
                if (!expected.isEmpty() && new String(r.key(), StandardCharsets.UTF_8).equals(expected.get(0))) {
                    exact = r.offset();
                    break;
                }
            }
            if (!synced.containsKey(entry.getKey())) {
                mm2Unsynced++;
                continue;
            }
            long s = synced.get(entry.getKey());
            long at = exact;
            mm2Reread += copies.stream().filter(r -> r.offset() >= s && r.offset() < at).count();
            mm2Missed += copies.stream().filter(r -> r.offset() >= at && r.offset() < s).count();
        }
        System.out.printf("[failover] %s: MM2's sync alone %d re-read, %d missed%s; Strait's failover %d re-read,"
                + " %d missed%n", what, mm2Reread, mm2Missed, mm2Unsynced == 0 ? ""
                : " (" + mm2Unsynced + " partitions never synced: NO-CHECKPOINT)", reread, missed);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static void commitOnA(TestClusters clusters, String group, String topic, Map<Integer, Long> offsets)
            throws Exception {
        commit(clusters, "a", group, topic, offsets);
    }

    static io.strait.topology.Topology load() throws Exception {
        return new TopologyLoader(Map.of()).load(file);
    }

    /** MirrorMaker 2's translated offsets of the group (its latest checkpoints), by partition, as {@code offsets} reads them. */
    static Map<Integer, Long> mm2Offsets(String group) throws Exception {
        CommandResult result = CommandResult.run("offsets", file.toString(), "--from", "a", "--to", "b", "--group",
                group, "-o", "json");
        Map<Integer, Long> offsets = new TreeMap<>();
        for (JsonNode p : JSON.readTree(result.out()).get(0).path("partitions")) {
            if (p.has("mm2Offset")) {
                offsets.put(p.path("partition").asInt(), p.path("mm2Offset").asLong());
            }
        }
        return offsets;
    }

}
