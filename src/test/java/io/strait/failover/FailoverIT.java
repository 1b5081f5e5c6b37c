package io.strait.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.cli.CommandResult;
import io.strait.daemon.StraitDaemon;
import io.strait.http.StatusServer;
import io.strait.testing.Http;
import io.strait.testing.TestClusters;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.mirror.OffsetSync;
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
        // MirrorMaker 2 has checkpointed and synced every group (its automatic sync, as it is). Strait's
        // exact sync may be first on b, so MM2's own checkpoints are awaited too: the switchover test
        // compares with them.
        await("MirrorMaker 2 synced the groups to b").atMost(SETTLE).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    for (String group : committedOnA.keySet()) {
                        assertThat(onB(group)).as("%s's offsets on b", group).hasSize(3);
                        assertThat(onB(SWITCH + group)).as("%s's offsets on b", SWITCH + group).hasSize(3);
                        assertThat(mm2Offsets(SWITCH + group)).as("MirrorMaker 2's checkpoints of %s", SWITCH + group)
                                .hasSize(3);
                    }
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
                // The offsets on b: MirrorMaker 2's sync, then Strait's (exact); neither ever skips a record.
                long synced = p.path("targetOffset").asLong();
                assertThat(synced).isLessThanOrEqualTo(exact);
                assertThat(p.path("reread").asLong()).isEqualTo(exact - synced);
                assertThat(p.path("missed").asLong()).isZero();
                assertThat(p.path("status").asText()).isEqualTo(synced == exact ? "OK" : "STALE");
                // MirrorMaker 2's translation reads again what its thinned offset syncs cannot place.
                assertThat(p.path("mm2Offset").asLong()).isLessThanOrEqualTo(exact);
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

    /**
     * Every offset sync MirrorMaker 2's rules call for is written (OffsetSyncWriter: a partition's first,
     * then one at least every {@code offset.lag.max} = 100 records, and the last): its checkpoints can
     * only translate a group's offset at or after a sync. Fails when syncs of a burst replace each
     * other before they are sent (the copy loop with MM2's 10 syncs in flight).
     */
    @Test
    void mirrorMakersOffsetSyncsAreWrittenAsItsRulesAsk() throws Exception {
        Map<Integer, java.util.TreeSet<Long>> upstream = new TreeMap<>();
        clusters.readAll("a", "mm2-offset-syncs.b.internal").values().forEach(records -> records.forEach(r -> {
            OffsetSync sync = OffsetSync.deserializeRecord(r);
            if (sync.topicPartition().topic().equals(TOPIC)) {
                upstream.computeIfAbsent(sync.topicPartition().partition(), p -> new java.util.TreeSet<>())
                        .add(sync.upstreamOffset());
            }
        }));
        Map<Integer, Long> ends = clusters.counts("a", TOPIC);
        assertThat(upstream.keySet()).containsExactlyInAnyOrderElementsOf(ends.keySet());
        upstream.forEach((partition, syncs) -> {
            assertThat(syncs.first()).as("partition %d's first sync", partition).isZero();
            long previous = -1;
            for (long offset : syncs) {
                assertThat(offset - previous).as("partition %d: syncs %d and %d", partition, previous, offset)
                        .isLessThanOrEqualTo(101);
                previous = offset;
            }
            assertThat(syncs.last()).as("partition %d's last sync", partition).isEqualTo(ends.get(partition) - 1);
        });
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
        Map<String, Map<Integer, Long>> mm2 = new TreeMap<>();
        Map<String, Map<Integer, Long>> before = new TreeMap<>();
        for (String group : committedOnA.keySet()) {
            mm2.put(group, mm2Offsets(SWITCH + group));
            Map<Integer, Long> offsets = new TreeMap<>();
            onB(SWITCH + group).forEach((tp, om) -> offsets.put(tp.partition(), om.offset()));
            before.put(group, offsets);
        }
        CommandResult dryRun = CommandResult.run("failover", file.toString(), "--from", "a", "--to", "b",
                "--groups", "sw-fo-.*");
        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(dryRun.out()).contains("--apply would set");

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
                mm2Reread += c - mm2.get(group).get(p);
            }
            System.out.printf("[failover] planned switchover, %-9s: MM2's sync alone %d re-read, 0 missed; Strait's"
                    + " failover %d re-read, %d missed (offsets on b before it: %s, Strait's sync)%n", group, mm2Reread,
                    reread, missed, before.get(group));
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
    void statusAndMetricsShowEachGroupsStandingOnTheTarget() throws Exception {
        try (StatusServer http = StatusServer.start(daemon.topology().http(), daemon)) {
            await("fo-before in /status").atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                JsonNode groups = Http.get(http.port(), "/status").json().path("links").get(0).path("groups");
                JsonNode before = null;
                for (JsonNode g : groups.path("groups")) {
                    if (g.path("group").asText().equals("fo-before")) {
                        before = g;
                    }
                }
                assertThat(before).as(groups.toString()).isNotNull();
                // MirrorMaker 2's translation of the group's 3,000 is behind it (its thinned offset syncs).
                assertThat(before.path("mm2Trail").asLong()).isBetween(1L, 3 * 3000L);
                // Strait's sync moved the offsets on b to the exact position: nothing read again, nothing missed.
                assertThat(before.path("reread").asLong()).isZero();
                assertThat(before.path("missed").asLong()).isZero();
                assertThat(before.path("notSynced").size()).as(before.toString()).isZero();
                assertThat(before.path("mm2CheckpointAgeSeconds").isNumber()).isTrue();
            });
            String metrics = Http.get(http.port(), "/metrics").body();
            assertThat(Http.sample(metrics, "strait_group_translation_trail_records{group=\"fo-before\",link=\"a->b\",source=\"a\",target=\"b\"}"))
                    .as(metrics).isBetween(1.0, 3 * 3000.0);
            assertThat(Http.sample(metrics,
                    "strait_group_partitions{group=\"fo-before\",link=\"a->b\",source=\"a\",status=\"OK\",target=\"b\"}")).isEqualTo(3.0);
            assertThat(Http.sample(metrics, "strait_group_failover_missed_records{group=\"fo-before\",link=\"a->b\",source=\"a\",target=\"b\"}"))
                    .isZero();
        }
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
    static Map<Integer, List<String>> consumeOnB(String group) throws Exception {
        return GroupConsumer.consume(clusters, "b", COPY, group);
    }
}
