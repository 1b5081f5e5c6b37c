package io.strait.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.cli.CommandResult;
import io.strait.daemon.StraitDaemon;
import io.strait.testing.TestClusters;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer groups follow the data from a to b, on real brokers: where each group would resume by
 * MirrorMaker 2's checkpoints and by Strait's translation ({@code strait offsets}), and where it does
 * resume after {@code strait failover --apply}, checked record by record against the source.
 *
 * <p>The scenario of issue 11: 20,000 records over 3 partitions; a group that committed before the
 * link started ({@code fo-before}, 3,000 per partition), one that committed after the backlog was
 * copied ({@code fo-mid}, 4,321 per partition) and one at the head after more records arrived
 * ({@code fo-head}).
 */
class FailoverIT {

    static final Duration SETTLE = Duration.ofSeconds(90);
    static final String TOPIC = "fo-orders";
    static final String COPY = "a." + TOPIC;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SWITCH = "sw-";
    static TestClusters clusters;
    static Path file;
    static StraitDaemon daemon;
    /** Per group, the committed offset on a of each partition. */
    static final Map<String, Map<Integer, Long>> committedOnA = new TreeMap<>();

    @BeforeAll
    static void scenario() throws Exception {
        clusters = TestClusters.start("a", "b");
        file = Files.createTempFile("failover-", ".conf");
        // Checkpoints every 2 s (Strait's default is 10 s): the same translations, sooner.
        Files.writeString(file, clusters.topology("""
                flow-defaults.refresh-interval = 2s
                flows { dr { type = link, source = a, target = b, topics = ["fo-.*"], groups = ["fo-.*", "sw-.*"],
                  mirror { "emit.checkpoints.interval.seconds" = 2, "sync.group.offsets.interval.seconds" = 2 } } }
                """));
        clusters.createTopic("a", TOPIC, 3, Map.of());
        clusters.produce("a", TOPIC, 3, "r", 0, 15_000);
        commit("fo-before", Map.of(0, 3000L, 1, 3000L, 2, 3000L));
        daemon = new StraitDaemon(load());
        daemon.start();
        await("the backlog on b").atMost(SETTLE).until(() -> clusters.total("b", COPY) == 15_000);
        commit("fo-mid", Map.of(0, 4321L, 1, 4321L, 2, 4321L));
        clusters.produce("a", TOPIC, 3, "r", 15_000, 5_000);
        await("all 20,000 on b").atMost(SETTLE).until(() -> clusters.total("b", COPY) == 20_000);
        Map<Integer, Long> head = new HashMap<>();
        clusters.counts("a", TOPIC).forEach((p, n) -> head.put(p, n - 7));
        commit("fo-head", head);
        // MirrorMaker 2 has checkpointed and synced every group (its automatic sync, as it is).
        await("MirrorMaker 2 synced the groups to b").atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            for (String group : committedOnA.keySet()) {
                if (onB(group).size() != 3 || onB(SWITCH + group).size() != 3) {
                    return false;
                }
            }
            return true;
        });
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
    void offsetsShowsMirrorMakersTranslationAndStraitsExactOneSideBySide() throws Exception {
        Map<Integer, List<String>> keysOnA = keys("a", TOPIC);
        Map<Integer, List<String>> keysOnB = keys("b", COPY);
        for (String group : committedOnA.keySet()) {
            CommandResult result = CommandResult.run("offsets", file.toString(), "--from", "a", "--to", "b",
                    "--group", group, "-o", "json");
            assertThat(result.exitCode()).as(result.toString()).isZero();
            JsonNode report = JSON.readTree(result.out()).get(0);
            long mm2Reread = 0;
            long straitReread = 0;
            for (JsonNode p : report.path("partitions")) {
                int partition = p.path("partition").asInt();
                long committed = committedOnA.get(group).get(partition);
                long exact = exactOnB(keysOnA.get(partition), keysOnB.get(partition), committed);
                assertThat(p.path("committed").asLong()).isEqualTo(committed);
                assertThat(p.path("straitOffset").asLong()).as("%s partition %d: %s", group, partition, p)
                        .isEqualTo(exact);
                assertThat(p.path("exact").asBoolean()).isTrue();
                // MirrorMaker 2's sync never skips; it reads again what its thinned offset syncs cannot place.
                long synced = p.path("targetOffset").asLong();
                assertThat(synced).isLessThanOrEqualTo(exact);
                assertThat(p.path("reread").asLong()).isEqualTo(exact - synced);
                assertThat(p.path("missed").asLong()).isZero();
                assertThat(p.path("status").asText()).isEqualTo(synced == exact ? "OK" : "STALE");
                mm2Reread += exact - p.path("mm2Offset").asLong();
                straitReread += p.path("straitOffset").asLong() - exact;
            }
            System.out.printf("[failover] %-9s committed %s on a: MM2's checkpoints re-read %d records (%d per"
                    + " partition), Strait's translation re-reads %d, misses 0%n", group, committedOnA.get(group),
                    mm2Reread, mm2Reread / 3, straitReread);
        }
        CommandResult text = CommandResult.run("offsets", file.toString(), "--from", "a", "--to", "b",
                "--group", "fo-before");
        System.out.println(text.out());
        assertThat(text.out()).as(text.toString()).contains("with Strait's translation: 0 records read again, 0 missed")
                .containsPattern("fo-orders -> a.fo-orders +0 +3000 ");
    }

    @Test
    void aGroupThatNeverCommittedIsReportedNotGuessed() throws Exception {
        CommandResult result = CommandResult.run("offsets", file.toString(), "--from", "a", "--to", "b",
                "--group", "fo-never");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("NO-COMMIT").contains("has no committed offset on a");
        JsonNode json = JSON.readTree(CommandResult.run("offsets", file.toString(), "--from", "a", "--to", "b",
                "--group", "fo-never", "-o", "json").out()).get(0);
        assertThat(json.path("partitions").get(0).path("status").asText()).isEqualTo("NO-COMMIT");
        assertThat(json.path("partitions").get(0).has("straitOffset")).isFalse();
    }

    @Test
    void aLinkThatDoesNotExistIsAnInputError() {
        CommandResult result = CommandResult.run("offsets", file.toString(), "--from", "b", "--to", "a",
                "--group", "fo-mid");
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).contains("no link b->a in").contains("its links are a->b");
    }

    @Test
    void aPlannedSwitchoverResumesEveryGroupAtTheRecordAfterTheLastItConsumed() throws Exception {
        Map<Integer, List<String>> keysOnA = keys("a", TOPIC);
        CommandResult dryRun = CommandResult.run("failover", file.toString(), "--from", "a", "--to", "b",
                "--groups", "sw-fo-.*");
        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(dryRun.out()).contains("--apply would set 3 partitions to Strait's translation");
        // A dry run changes nothing: the offsets on b are still MirrorMaker 2's.
        Map<String, Map<Integer, Long>> synced = new TreeMap<>();
        for (String group : committedOnA.keySet()) {
            Map<Integer, Long> offsets = new TreeMap<>();
            onB(SWITCH + group).forEach((tp, om) -> offsets.put(tp.partition(), om.offset()));
            synced.put(group, offsets);
        }

        CommandResult applied = CommandResult.run("failover", file.toString(), "--from", "a", "--to", "b",
                "--groups", "sw-fo-.*", "--apply");
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        System.out.println(applied.out());
        for (String group : committedOnA.keySet()) {
            Map<Integer, List<String>> read = consumeOnB(SWITCH + group);
            long missed = 0;
            long reread = 0;
            long mm2Reread = 0;
            for (int p = 0; p < 3; p++) {
                int c = committedOnA.get(group).get(p).intValue();
                List<String> expected = keysOnA.get(p).subList(c, keysOnA.get(p).size());
                List<String> got = read.getOrDefault(p, List.of());
                assertThat(got).as("%s partition %d read on b after failover", SWITCH + group, p)
                        .containsExactlyElementsOf(expected);
                java.util.Set<String> gotSet = new java.util.HashSet<>(got);
                missed += expected.stream().filter(k -> !gotSet.contains(k)).count();
                reread += got.size() - expected.size();
                mm2Reread += c - synced.get(group).get(p);
            }
            System.out.printf("[failover] planned switchover, %-9s: MM2's sync alone %d re-read, 0 missed; Strait's"
                    + " failover %d re-read, %d missed%n", group, mm2Reread, reread, missed);
        }
    }

    @Test
    void aGroupWithActiveMembersOnTheTargetIsRefused() throws Exception {
        commitOnA("fo-active", TOPIC, Map.of(0, 100L, 1, 100L, 2, 100L));
        Map<String, Object> config = clusters.clientConfig("b");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "fo-active");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(COPY));
            await("a member on b").atMost(SETTLE).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return !consumer.assignment().isEmpty();
            });
            Map<TopicPartition, OffsetAndMetadata> before = onB("fo-active");
            CommandResult result = CommandResult.run("failover", file.toString(), "--from", "a", "--to", "b",
                    "--group", "fo-active", "--apply");
            consumer.poll(Duration.ofMillis(10));
            assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
            assertThat(result.err()).contains("group fo-active has 1 active member on b: stop its consumers there first");
            assertThat(result.out()).contains("ACTIVE-ON-TARGET");
            assertThat(onB("fo-active")).isEqualTo(before);
        }
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
        commitOnA("sw-grow", "fo-grow", committed);
        assertSwitchover("sw-grow", "fo-grow", committed, "partitions added during the run");
    }

    @Test
    void theDaemonRestartedBetweenTheCommitAndTheFailover() throws Exception {
        clusters.createTopic("a", "fo-restart", 3, Map.of());
        clusters.produce("a", "fo-restart", 3, "s", 0, 3000);
        await("fo-restart on b").atMost(SETTLE).until(() -> clusters.total("b", "a.fo-restart") == 3000);
        Map<Integer, Long> committed = Map.of(0, 400L, 1, 800L, 2, 999L);
        commitOnA("sw-restart", "fo-restart", committed);
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
                            bytes(p + "-" + n / 2), bytes("v" + n))).get();
                }
            }
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
        commitOnA("sw-compact", "cx-compact", committed);

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
        // MirrorMaker 2's automatic sync first: where the group would resume without Strait (if it syncs it).
        try {
            await("MirrorMaker 2 synced " + group).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> GroupConsumer.committed(clusters, "b", group, "a." + topic).size() == committed.size());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.out.println(CommandResult.run("offsets", file.toString(), "--from", "a", "--to", "b", "--group",
                    group).out());
        }
        Map<Integer, Long> synced = GroupConsumer.committed(clusters, "b", group, "a." + topic);
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

    // ---- helpers ----

    static Topology load() throws Exception {
        return new TopologyLoader(Map.of()).load(file);
    }

    /** Commits the group's offsets on a, and the same for its twin {@code sw-...} (the switchover test moves those). */
    static void commit(String group, Map<Integer, Long> offsets) throws Exception {
        commitOnA(group, TOPIC, offsets);
        commitOnA(SWITCH + group, TOPIC, offsets);
        committedOnA.put(group, new TreeMap<>(offsets));
    }

    static void commitOnA(String group, String topic, Map<Integer, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((p, o) -> commit.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
        clusters.admin("a").alterConsumerGroupOffsets(group, commit).all().get(30, TimeUnit.SECONDS);
    }

    static Map<TopicPartition, OffsetAndMetadata> onB(String group) throws Exception {
        return clusters.admin("b").listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
    }

    /** Keys of every record, by partition, in offset order; index = offset (the topics here have no gaps). */
    static Map<Integer, List<String>> keys(String alias, String topic) throws Exception {
        Map<Integer, List<String>> keys = new TreeMap<>();
        SortedMap<Integer, List<ConsumerRecord<byte[], byte[]>>> records = clusters.readAll(alias, topic);
        records.forEach((p, list) -> {
            List<String> k = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : list) {
                assertThat(r.offset()).isEqualTo(k.size());
                k.add(new String(r.key(), StandardCharsets.UTF_8));
            }
            keys.put(p, k);
        });
        return keys;
    }

    /** The target offset of the copy of the record at source offset {@code committed} (its end when there is none). */
    static long exactOnB(List<String> onA, List<String> onB, long committed) {
        if (committed >= onA.size()) {
            return onB.size();
        }
        int at = onB.indexOf(onA.get((int) committed));
        assertThat(at).isNotNegative();
        return at;
    }

    /** Consumes the copy on b as the group, from its committed offsets, to the end: the keys read, by partition. */
    static Map<Integer, List<String>> consumeOnB(String group) {
        Map<String, Object> config = clusters.clientConfig("b");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        Map<Integer, List<String>> read = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(COPY));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Map<TopicPartition, Long> end = null;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read.computeIfAbsent(r.partition(), p -> new ArrayList<>())
                            .add(new String(r.key(), StandardCharsets.UTF_8));
                }
                if (consumer.assignment().size() == 3) {
                    if (end == null) {
                        end = consumer.endOffsets(consumer.assignment());
                    }
                    Map<TopicPartition, Long> ends = end;
                    if (consumer.assignment().stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp))) {
                        consumer.commitSync();
                        return read;
                    }
                }
            }
        }
        throw new AssertionError("could not consume " + COPY + " as " + group + " to its end within 60 s");
    }
}
