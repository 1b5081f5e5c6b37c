package io.strait.replication;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.cli.CommandResult;
import io.strait.daemon.StraitDaemon;
import io.strait.http.StatusServer;
import io.strait.replication.ReplicationVerifier.LinkReport;
import io.strait.replication.ReplicationVerifier.PartitionCheck;
import io.strait.replication.ReplicationVerifier.Verdict;
import io.strait.testing.Http;
import io.strait.testing.TestClusters;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What MirrorMaker 2 gets silently wrong on the source side, on real brokers: records of aborted
 * transactions, a source topic deleted and created again (while the link is stopped, and while it
 * runs), and records the source removes before they are copied (retention, deleted records). Each
 * test asserts the exact records on the target and what the link says about it.
 */
class SourceCorrectnessIT {

    static final Duration SETTLE = Duration.ofSeconds(90);
    static final LinkId LINK = LinkId.parse("a->b");
    static TestClusters clusters;

    @BeforeAll
    static void startClusters() throws Exception {
        clusters = TestClusters.start("a", "b");
    }

    @AfterAll
    static void stopClusters() {
        clusters.close();
    }

    @Test
    void recordsOfAbortedTransactionsAreNeverCopied() throws Exception {
        clusters.createTopic("a", "txn", 2, Map.of());
        List<String> committed = writeTransactions("txn", "t");
        try (Running daemon = Running.start("topics = [txn]")) {
            // A last committed transaction: once its records are on b, everything before them is too.
            List<String> last = writeTransaction("txn", "last", 0, 10, true);
            committed.addAll(last);
            await("the last transaction on b").atMost(SETTLE).pollInterval(Duration.ofMillis(200))
                    .until(() -> values("b", "a.txn", true).containsAll(last));
            List<String> onTarget = values("b", "a.txn", true);
            List<String> uncommittedRead = values("b", "a.txn", false);
            System.out.printf("[source] aborted transactions: %d committed records on a, %d on b (read_committed),"
                    + " %d (read_uncommitted)%n", committed.size(), onTarget.size(), uncommittedRead.size());
            assertThat(onTarget).as("records on b, read_committed").containsExactlyInAnyOrderElementsOf(committed);
            assertThat(uncommittedRead).as("records on b, read_uncommitted").containsExactlyInAnyOrderElementsOf(committed);
            assertThat(verify(daemon.topology(), "txn").verdict()).isEqualTo(Verdict.OK);
            // Transaction markers and skipped aborted records leave offset gaps: none of them is a loss, while
            // the task resolves them (at most every second) and after.
            await("no loss counted").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                    Double.isNaN(Http.sample(daemon.metrics(), "strait_source_records_lost_total{link=\"a->b\",source=\"a\",source_topic=\"txn\",target=\"b\",target_topic=\"a.txn\"}"))
                            && daemon.status().path("lostAtSource").asLong() == 0);
        }
    }

    @Test
    void aTransactionLeftOpenHoldsBackItsPartitionUntilItEnds() throws Exception {
        // The cost of reading committed records only: what follows an open transaction in its
        // partition is copied when the transaction ends, as for any read_committed consumer.
        clusters.createTopic("a", "open", 1, Map.of());
        try (Running daemon = Running.start("topics = [open]")) {
            clusters.produce("a", "open", 1, "before", 0, 10);
            await("first records on b").atMost(SETTLE).until(() -> clusters.total("b", "a.open") == 10);
            Map<String, Object> config = clusters.clientConfig("a");
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-open");
            try (KafkaProducer<byte[], byte[]> transactional = new KafkaProducer<>(config, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                transactional.initTransactions();
                transactional.beginTransaction();
                transactional.send(new ProducerRecord<>("open", 0, bytes("k"), bytes("in the transaction"))).get();
                clusters.produce("a", "open", 1, "after", 10, 10);
                Thread.sleep(4000);
                assertThat(clusters.total("b", "a.open")).as("copied while the transaction is open").isEqualTo(10);
                long committedAt = System.nanoTime();
                transactional.commitTransaction();
                await("the rest on b").atMost(SETTLE).pollInterval(Duration.ofMillis(50))
                        .until(() -> clusters.total("b", "a.open") == 21);
                System.out.printf("[source] 10 records held back 4 s by an open transaction; all on b %d ms after"
                        + " it committed%n", (System.nanoTime() - committedAt) / 1_000_000);
            }
        }
    }

    @Test
    void verifyReportsCopiesOfAbortedRecordsAsMismatch() throws Exception {
        // A target written by a copier that read uncommitted records (stock MirrorMaker 2 at-least-once).
        clusters.createTopic("a", "txnbad", 2, Map.of());
        clusters.createTopic("b", "a.txnbad", 2, Map.of());
        writeTransactions("txnbad", "x");
        copyByHand("txnbad", "a.txnbad");
        Topology topology = new TopologyLoader(Map.of()).parse(clusters.topology(
                "flows { dr { type = link, source = a, target = b, topics = [txnbad] } }"), "verify.conf");
        LinkReport report = verify(topology, "txnbad");
        System.out.println("[source] verify on a copy with aborted records: " + report.verdictLine());
        assertThat(report.verdict()).isEqualTo(Verdict.MISMATCH);
        assertThat(report.verdictLine()).contains("aborted transaction");
    }

    @Test
    void verifySaysLaggingWhileATargetTopicDoesNotExistYet() throws Exception {
        clusters.createTopic("a", "notyet", 2, Map.of());
        clusters.produce("a", "notyet", 2, "n", 0, 10);
        Topology topology = new TopologyLoader(Map.of()).parse(clusters.topology(
                "flows { dr { type = link, source = a, target = b, topics = [notyet] } }"), "verify.conf");
        LinkReport report = verify(topology, "notyet");
        System.out.println("[source] verify before the target topic exists: " + report.verdictLine());
        assertThat(report.verdict()).isEqualTo(Verdict.LAGGING);
        assertThat(report.lag()).isEqualTo(10);
    }

    @Test
    void aSourceTopicCreatedAgainWhileTheLinkIsStoppedIsCopiedFromItsBeginning() throws Exception {
        clusters.createTopic("a", "recreate", 2, Map.of());
        clusters.produce("a", "recreate", 2, "old", 0, 1000);
        try (Running daemon = Running.start("topics = [recreate]")) {
            await("old records on b").atMost(SETTLE).until(() -> clusters.total("b", "a.recreate") == 1000);
        }
        recreate("recreate", 2);
        clusters.produce("a", "recreate", 2, "new", 0, 3000);
        try (Running daemon = Running.start("topics = [recreate]")) {
            await("new records on b").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                    .until(() -> clusters.total("b", "a.recreate") >= 4000);
            assertOldThenNew("a.recreate", 500, 1500);
            assertRecreationReported(daemon, "recreate");
            PartitionCheck check = verify(daemon.topology(), "recreate").partitions().get(0);
            assertThat(check.verdict()).as(check.toString()).isEqualTo(Verdict.OK);
            assertThat(check.olderOnTarget()).isEqualTo(500);
        }
    }

    @Test
    void aSourceTopicCreatedAgainWhileTheLinkRunsIsCopiedFromItsBeginning() throws Exception {
        clusters.createTopic("a", "rerun", 2, Map.of());
        clusters.produce("a", "rerun", 2, "old", 0, 1000);
        // The source consumer looks at metadata every 500 ms, so it meets the new topic well before the
        // task's 5 s check of topic IDs: its position (500) is out of range in the new topic, which holds
        // fewer records, and goes back to offset 0. Records of the new topic copied then would be copied
        // again after the restart.
        try (Running daemon = Running.start("topics = [rerun], mirror { \"source.consumer.metadata.max.age.ms\" = 500 }")) {
            await("old records on b").atMost(SETTLE).until(() -> clusters.total("b", "a.rerun") == 1000);
            recreate("rerun", 2);
            clusters.produce("a", "rerun", 2, "new", 0, 400);
            await("the new topic's first records on b").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                    .until(() -> clusters.total("b", "a.rerun") >= 1400);
            clusters.produce("a", "rerun", 2, "new", 400, 2600);
            await("new records on b").atMost(SETTLE).pollInterval(Duration.ofMillis(500))
                    .until(() -> clusters.total("b", "a.rerun") >= 4000);
            // Nothing more arrives: no record of the new topic is copied twice.
            await("no more records on b").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> clusters.total("b", "a.rerun") == 4000);
            assertOldThenNew("a.rerun", 500, 1500);
            assertRecreationReported(daemon, "rerun");
        }
    }

    @Test
    void recordsTheSourceRemovesBeforeTheyAreCopiedAreCountedAndAgedOutCopiesAreNoMismatch() throws Exception {
        clusters.createTopic("a", "aged", 2, Map.of());
        clusters.produce("a", "aged", 2, "r", 0, 200);
        try (Running daemon = Running.start("topics = [aged]")) {
            await("first 200 on b").atMost(SETTLE).until(() -> clusters.total("b", "a.aged") == 200);
        }
        // Copied, then aged out at the source: the target keeps them, and verify must not call that a mismatch.
        deleteBefore("aged", 2, 50);
        Topology verifyTopology = new TopologyLoader(Map.of()).parse(clusters.topology(
                "flows { dr { type = link, source = a, target = b, topics = [aged] } }"), "verify.conf");
        LinkReport agedOut = verify(verifyTopology, "aged");
        System.out.println("[source] verify after the source aged out copied records: " + agedOut.verdictLine());
        assertThat(agedOut.verdict()).isEqualTo(Verdict.OK);
        assertThat(agedOut.partitions()).extracting(PartitionCheck::olderOnTarget).containsOnly(50L);

        // Removed at the source before the link copied them (the link is stopped): offsets 100 to 179 of each partition.
        clusters.produce("a", "aged", 2, "r", 200, 300);
        deleteBefore("aged", 2, 180);
        try (Running daemon = Running.start("topics = [aged]")) {
            await("the rest on b").atMost(SETTLE).until(() -> clusters.total("b", "a.aged") == 200 + 140);
            assertLossReported(daemon, "aged", 160);
            LinkReport report = verify(daemon.topology(), "aged");
            System.out.println("[source] verify after a loss at the source: " + report.verdictLine());
            assertThat(report.verdict()).isEqualTo(Verdict.LOST);
            assertThat(report.partitions()).extracting(PartitionCheck::lostAtSource).containsOnly(80L);
        }
    }

    @Test
    void recordsRemovedAtTheSourceWhileTheLinkRunsBehindAreCounted() throws Exception {
        clusters.createTopic("a", "behind", 2, Map.of());
        int total = 2000;
        clusters.produce("a", "behind", 2, "b", 0, total);
        // Slow the link to a few records a second (a fetch quota on the source), so it is behind.
        ClientQuotaEntity everyone = new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.CLIENT_ID, null));
        clusters.admin("a").alterClientQuotas(List.of(new ClientQuotaAlteration(everyone,
                List.of(new ClientQuotaAlteration.Op("consumer_byte_rate", 2048.0))))).all().get(30, TimeUnit.SECONDS);
        try (Running daemon = Running.start("topics = [behind], mirror { \"source.consumer.max.partition.fetch.bytes\" = 1024,"
                + " \"source.consumer.fetch.max.bytes\" = 2048 }")) {
            await("some copied").atMost(SETTLE).until(() -> clusters.total("b", "a.behind") >= 10);
            deleteBefore("behind", 2, 500);
            clusters.admin("a").alterClientQuotas(List.of(new ClientQuotaAlteration(everyone,
                    List.of(new ClientQuotaAlteration.Op("consumer_byte_rate", null))))).all().get(30, TimeUnit.SECONDS);
            await("the rest on b").atMost(SETTLE).until(() -> values("b", "a.behind", true).contains(lastValue(total)));
            long onTarget = clusters.total("b", "a.behind");
            long lost = total - onTarget;
            System.out.printf("[source] link behind while the source removed offsets below 500: %d of %d copied,"
                    + " %d lost%n", onTarget, total, lost);
            assertThat(lost).isPositive();
            assertLossReported(daemon, "behind", lost);
        } finally {
            clusters.admin("a").alterClientQuotas(List.of(new ClientQuotaAlteration(everyone,
                    List.of(new ClientQuotaAlteration.Op("consumer_byte_rate", null))))).all().get(30, TimeUnit.SECONDS);
        }
    }

    // ---- helpers ----

    /** A daemon with one link a->b and its HTTP server. */
    record Running(StraitDaemon daemon, StatusServer http) implements AutoCloseable {
        static Running start(String flowSettings) throws Exception {
            Topology topology = new TopologyLoader(Map.of()).parse(clusters.topology(
                    "flow-defaults.refresh-interval = 2s\n  flows { dr { type = link, source = a, target = b, "
                            + flowSettings + " } }"), "source.conf");
            StraitDaemon daemon = new StraitDaemon(topology);
            StatusServer http = StatusServer.start(topology.http(), daemon);
            daemon.start();
            return new Running(daemon, http);
        }

        Topology topology() {
            return daemon.topology();
        }

        JsonNode status() throws Exception {
            return Http.get(http.port(), "/status").json().path("links").get(0);
        }

        String metrics() throws Exception {
            return Http.get(http.port(), "/metrics").body();
        }

        @Override
        public void close() {
            daemon.stop();
            http.close();
        }
    }

    private static void assertRecreationReported(Running daemon, String topic) throws Exception {
        await("recreation reported").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode status = daemon.status();
            assertThat(status.path("events").toString()).contains("source topic " + topic
                    + " was deleted and created again");
            assertThat(Http.sample(daemon.metrics(), "strait_source_topic_recreations_total{link=\"a->b\",source=\"a\",source_topic=\""
                    + topic + "\",target=\"b\",target_topic=\"a." + topic + "\"}")).isEqualTo(1.0);
        });
    }

    private static void assertLossReported(Running daemon, String topic, long lost) throws Exception {
        await("loss reported").atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            JsonNode status = daemon.status();
            assertThat(status.path("events").toString()).contains("before the link copied them");
            JsonNode topicStatus = null;
            for (JsonNode t : status.path("topics")) {
                if (t.path("topic").asText().equals(topic)) {
                    topicStatus = t;
                }
            }
            assertThat(topicStatus).as(status.toString()).isNotNull();
            assertThat(topicStatus.path("lostAtSource").asLong()).isEqualTo(lost);
            assertThat(Http.sample(daemon.metrics(), "strait_source_records_lost_total{link=\"a->b\",source=\"a\",source_topic=\""
                    + topic + "\",target=\"b\",target_topic=\"a." + topic + "\"}")).isEqualTo((double) lost);
            CommandResult cli = CommandResult.run("status", "--url", "http://127.0.0.1:" + daemon.http().port());
            assertThat(cli.out()).as(cli.toString()).containsPattern("    " + topic + " -> a." + topic
                    + ": 2 partitions, lag \\d+, " + lost + " records lost at the source");
        });
    }

    /** Each partition of the target holds the old topic's records, then the new topic's, each in order, once. */
    private static void assertOldThenNew(String target, int oldPerPartition, int newPerPartition) throws Exception {
        SortedMap<Integer, List<ConsumerRecord<byte[], byte[]>>> records = clusters.readAll("b", target);
        for (var entry : records.entrySet()) {
            List<String> keys = new ArrayList<>();
            entry.getValue().forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
            List<String> expected = new ArrayList<>();
            int p = entry.getKey();
            for (int i = p; i < oldPerPartition * 2; i += 2) {
                expected.add("old-" + i);
            }
            for (int i = p; i < newPerPartition * 2; i += 2) {
                expected.add("new-" + i);
            }
            assertThat(keys).as("partition %d of %s", p, target).containsExactlyElementsOf(expected);
        }
    }

    private static void recreate(String topic, int partitions) throws Exception {
        clusters.admin("a").deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        await(topic + " gone").atMost(Duration.ofSeconds(30)).until(() -> !clusters.allTopics("a").contains(topic));
        await(topic + " created again").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            clusters.createTopic("a", topic, partitions, Map.of());
            return true;
        });
        await(topic + " has leaders").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                clusters.admin("a").describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                        .partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
    }

    private static void deleteBefore(String topic, int partitions, long offset) throws Exception {
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            delete.put(new TopicPartition(topic, p), RecordsToDelete.beforeOffset(offset));
        }
        clusters.admin("a").deleteRecords(delete).all().get(30, TimeUnit.SECONDS);
    }

    private static LinkReport verify(Topology topology, String topic) {
        return new ReplicationVerifier(new MirrorSettings(topology), Duration.ofSeconds(10))
                .verify(Optional.of(LINK), Optional.of(topic)).get(0);
    }

    /** 5 aborted and 5 committed transactions of 100 records, alternating, over 2 partitions; the committed values. */
    private static List<String> writeTransactions(String topic, String prefix) throws Exception {
        List<String> committed = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            boolean commit = t % 2 == 1;
            List<String> values = writeTransaction(topic, prefix, t * 100, 100, commit);
            if (commit) {
                committed.addAll(values);
            }
        }
        return committed;
    }

    private static List<String> writeTransaction(String topic, String prefix, int from, int count, boolean commit) {
        Map<String, Object> config = clusters.clientConfig("a");
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + topic + "-" + prefix + "-" + from);
        List<String> values = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = from; i < from + count; i++) {
                String value = prefix + "-" + i + (commit ? "-committed" : "-aborted");
                producer.send(new ProducerRecord<>(topic, i % 2, bytes("k-" + i), bytes(value)));
                values.add(value);
            }
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.flush();
                producer.abortTransaction();
            }
        }
        return values;
    }

    /** Copies every record of the source topic, aborted ones included, to the same partition of the target. */
    private static void copyByHand(String source, String target) throws Exception {
        Map<String, Object> config = clusters.clientConfig("a");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()); KafkaProducer<byte[], byte[]> producer = clusters.producer("b")) {
            List<TopicPartition> partitions = List.of(new TopicPartition(source, 0), new TopicPartition(source, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    producer.send(new ProducerRecord<>(target, r.partition(), r.timestamp(), r.key(), r.value(), r.headers()));
                }
            }
            producer.flush();
        }
    }

    private static List<String> values(String alias, String topic, boolean committedOnly) throws Exception {
        Map<String, Object> config = clusters.clientConfig(alias);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        List<String> values = new ArrayList<>();
        int partitions = clusters.partitions(alias, topic);
        if (partitions < 0) {
            return values;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> assigned = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                assigned.add(new TopicPartition(topic, p));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (assigned.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
            }
        }
        return values;
    }

    private static String lastValue(int total) {
        return "value " + (total - 1) + " of a";
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
