package io.strait.failover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strait.cli.CommandResult;
import io.strait.daemon.StraitDaemon;
import io.strait.replication.MirrorSettings;
import io.strait.testing.ChildKafkaBroker;
import io.strait.testing.TestClusters;
import io.strait.topology.LinkId;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.strait.failover.GroupConsumer.commit;
import static io.strait.failover.GroupConsumer.committed;
import static io.strait.failover.GroupConsumer.consume;
import static io.strait.failover.GroupConsumer.keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A disaster and the way back, on real brokers: a is a broker in its own process, killed while
 * the groups' applications run on it; they fail over to b with {@code strait failover --apply}
 * while a is gone, work on b, and return to a with {@code strait failback --apply} once it is back.
 * Every record of the run is read once, by one side or the other.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverDisasterIT {

    static final Duration SETTLE = Duration.ofSeconds(90);
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> GROUPS = List.of("fo-before", "fo-mid", "fo-head");
    static TestClusters clusters;
    static ChildKafkaBroker a;
    static Path file;
    static StraitDaemon daemon;
    static final Map<String, Map<Integer, Long>> committedOnA = new TreeMap<>();
    /** a's orders as they were when a was lost, and b's copy of them then. */
    static Map<Integer, List<String>> onAWhenLost;
    static Map<Integer, List<String>> onBWhenLost;

    @BeforeAll
    static void start() throws Exception {
        clusters = TestClusters.start("b");
        a = clusters.addChildBroker("a");
        file = Files.createTempFile("disaster-", ".conf");
        Files.writeString(file, clusters.topology("""
                flow-defaults.refresh-interval = 2s
                flows { active { type = bidirectional, clusters = [a, b], topics = [orders], groups = ["fo-.*"],
                  mirror { "emit.checkpoints.interval.seconds" = 2, "sync.group.offsets.interval.seconds" = 2,
                    # Small fetches, so that a fetch quota slows the link at once (see throttle).
                    "source.consumer.max.partition.fetch.bytes" = 1024, "source.consumer.fetch.max.bytes" = 2048 } } }
                """));
        daemon = new StraitDaemon(new TopologyLoader(Map.of()).load(file));
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
    @Order(1)
    void whenTheSourceIsLostEveryGroupResumesOnTheTargetWhereItWas() throws Exception {
        clusters.createTopic("a", "orders", 3, Map.of());
        clusters.produce("a", "orders", 3, "r", 0, 15_000);
        commitOnA("fo-before", Map.of(0, 3000L, 1, 3000L, 2, 3000L));
        daemon.start();
        await("the backlog on b").atMost(SETTLE).until(() -> clusters.total("b", "a.orders") == 15_000);
        commitOnA("fo-mid", Map.of(0, 4321L, 1, 4321L, 2, 4321L));
        clusters.produce("a", "orders", 3, "r", 15_000, 5_000);
        await("all 20,000 on b").atMost(SETTLE).until(() -> clusters.total("b", "a.orders") == 20_000);
        Map<Integer, Long> head = new HashMap<>();
        clusters.counts("a", "orders").forEach((p, n) -> head.put(p, n - 7));
        commitOnA("fo-head", head);
        // Strait checkpointed every group at least once since its last commit.
        try (LinkEnds ends = new LinkEnds(new MirrorSettings(daemon.topology()), LinkId.parse("a->b"),
                Duration.ofSeconds(10))) {
            await("Strait's checkpoints of every group").atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).until(() -> {
                GroupCheckpoint.Store store = ends.straitCheckpoints();
                return GROUPS.stream().allMatch(g -> store.of(g).size() == 3 && store.of(g).values().stream()
                        .allMatch(c -> c.upstream() == committedOnA.get(g).get(c.source().partition())));
            });
        }
        await("MirrorMaker 2 synced every group to b").atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).until(() ->
                GROUPS.stream().allMatch(g -> {
                    try {
                        return committed(clusters, "b", g, "a.orders").size() == 3;
                    } catch (Exception e) {
                        return false;
                    }
                }));
        // The link falls behind just before the disaster: a fetch quota on a, and 600 more records.
        onAWhenLost = keys(clusters, "a", "orders");
        throttle(256.0);
        clusters.produce("a", "orders", 3, "r", 20_000, 600);
        for (int i = 20_000; i < 20_600; i++) {
            onAWhenLost.get(i % 3).add("r-" + i);
        }
        // a is lost once a round of Strait's checkpoints has seen these records on a, and the offset map
        // the 20,000 copied before them (it learns positions at each offset flush): what failover reports
        // at risk is the link's lag at that last round.
        try (LinkEnds ends = new LinkEnds(new MirrorSettings(daemon.topology()), LinkId.parse("a->b"),
                Duration.ofSeconds(10))) {
            await("a round of Strait's checkpoints with all 20,600 records on a, 20,000 of them copied")
                    .atMost(SETTLE).pollInterval(Duration.ofMillis(500)).until(() -> ends.straitCheckpoints().round()
                            .map(r -> sum(r, 0) == 20_600 && sum(r, 1) >= 20_000).orElse(false));
        }
        a.kill();
        onBWhenLost = keys(clusters, "b", "a.orders");
        long lost = total(onAWhenLost) - total(onBWhenLost);
        assertThat(lost).as("records a held that b did not when a was lost").isPositive();

        CommandResult plan = CommandResult.run("failover", file.toString(), "--from", "a", "--to", "b",
                "--groups", "fo-.*", "--timeout", "5s", "-o", "json");
        assertThat(plan.exitCode()).as(plan.toString()).isZero();
        Map<String, Long> bound = new HashMap<>();
        // MirrorMaker 2's translation of each group (its last checkpoints): where its sync alone would resume.
        Map<String, Map<Integer, Long>> synced = new TreeMap<>();
        long atRisk = 0;
        for (JsonNode report : JSON.readTree(plan.out())) {
            assertThat(report.path("sourceReachable").asBoolean()).isFalse();
            long b = 0;
            long risk = 0;
            Map<Integer, Long> mm2 = new TreeMap<>();
            synced.put(report.path("group").asText(), mm2);
            for (JsonNode p : report.path("partitions")) {
                mm2.put(p.path("partition").asInt(), p.path("mm2Offset").asLong());
                b += p.path("uncertainty").asLong();
                risk += p.path("atRisk").asLong();
            }
            bound.put(report.path("group").asText(), b);
            atRisk = Math.max(atRisk, risk);
        }
        CommandResult applied = CommandResult.run("failover", file.toString(), "--from", "a", "--to", "b",
                "--groups", "fo-.*", "--timeout", "5s", "--apply");
        System.out.println(applied.out());
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(applied.out()).contains("SOURCE UNREACHABLE").contains("records at risk:");
        System.out.printf("[failover] disaster: a killed with %d records not on b; failover printed %d records at"
                + " risk (the link's lag at the last round, from positions at most one offset flush old)%n", lost, atRisk);
        assertThat(atRisk).isGreaterThanOrEqualTo(lost);

        for (String group : GROUPS) {
            Map<Integer, List<String>> read = consume(clusters, "b", "a.orders", group);
            long missed = 0;
            long reread = 0;
            long mm2Reread = 0;
            for (int p = 0; p < 3; p++) {
                int c = committedOnA.get(group).get(p).intValue();
                Map<String, Integer> indexOnA = new HashMap<>();
                for (int i = 0; i < onAWhenLost.get(p).size(); i++) {
                    indexOnA.put(onAWhenLost.get(p).get(i), i);
                }
                // What the group had not consumed on a, of what reached b before a was lost.
                List<String> expected = onBWhenLost.get(p).subList(c, onBWhenLost.get(p).size());
                List<String> got = read.getOrDefault(p, List.of());
                java.util.Set<String> gotSet = new java.util.HashSet<>(got);
                missed += expected.stream().filter(k -> !gotSet.contains(k)).count();
                reread += got.stream().filter(k -> indexOnA.get(k) < c).count();
                mm2Reread += c - synced.get(group).get(p);
                assertThat(got).as("%s partition %d read on b after failover", group, p).containsAll(expected);
            }
            System.out.printf("[failover] disaster, %-9s: MM2's sync alone %d re-read, 0 missed; Strait's failover"
                    + " %d re-read (bound printed: %d), %d missed%n", group, mm2Reread, reread, bound.get(group),
                    missed);
            assertThat(missed).isZero();
            assertThat(reread).isLessThanOrEqualTo(bound.get(group)).isLessThanOrEqualTo(100 * 3);
        }
    }

    @Test
    @Order(2)
    void afterAReturnsTheGroupsGoBackWithoutMissingARecordOnEitherSide() throws Exception {
        // While a was gone, applications wrote to b's own orders; fo-mid read 300 of each partition.
        clusters.createTopic("b", "orders", 3, Map.of());
        clusters.produce("b", "orders", 3, "bo", 0, 900);
        commit(clusters, "b", "fo-mid", "orders", Map.of(0, 100L, 1, 100L, 2, 100L));
        Map<Integer, Long> onBCopy = committed(clusters, "b", "fo-mid", "a.orders");

        a.startProcess();
        throttle(null);
        await("b's orders copied to a").atMost(SETTLE).until(() -> clusters.total("a", "b.orders") == 900);
        await("a's last records copied to b").atMost(SETTLE).until(() ->
                clusters.total("b", "a.orders") == total(onAWhenLost));
        await("the b->a link's offset map on a").atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            try (LinkEnds ends = new LinkEnds(new MirrorSettings(daemon.topology()), LinkId.parse("b->a"),
                    Duration.ofSeconds(10))) {
                return ends.offsetMap().covers(new org.apache.kafka.common.TopicPartition("orders", 0),
                        java.util.Optional.empty());
            }
        });

        CommandResult applied = CommandResult.run("failback", file.toString(), "--from", "b", "--to", "a",
                "--group", "fo-mid", "--apply");
        System.out.println(applied.out());
        assertThat(applied.exitCode()).as(applied.toString()).isZero();

        // Back on a: a's own orders, from the record after the last copy fo-mid read on b.
        Map<Integer, List<String>> ordersOnA = keys(clusters, "a", "orders");
        Map<Integer, List<String>> readOrders = consume(clusters, "a", "orders", "fo-mid");
        Map<Integer, List<String>> readCopies = consume(clusters, "a", "b.orders", "fo-mid");
        Map<Integer, List<String>> bOrders = keys(clusters, "b", "orders");
        long missed = 0;
        long reread = 0;
        for (int p = 0; p < 3; p++) {
            // Read on a before the disaster, then on b, then on a again: every record of a's orders once.
            List<String> all = ordersOnA.get(p);
            int c = committedOnA.get("fo-mid").get(p).intValue();
            List<String> readOverTheRun = new ArrayList<>(all.subList(0, c));
            readOverTheRun.addAll(onBWhenLost.get(p).subList(c, onBCopy.get(p).intValue()));
            readOverTheRun.addAll(readOrders.getOrDefault(p, List.of()));
            java.util.Set<String> readSet = new java.util.HashSet<>(readOverTheRun);
            missed += all.stream().filter(k -> !readSet.contains(k)).count();
            reread += readOverTheRun.size() - all.size();
            assertThat(readOverTheRun).as("a's orders partition %d over the whole run", p).containsExactlyElementsOf(all);
            // b's own orders: 100 read on b, the rest from their copies on a.
            List<String> expectedCopies = bOrders.get(p).subList(100, bOrders.get(p).size());
            assertThat(readCopies.getOrDefault(p, List.of())).as("b.orders partition %d read on a", p)
                    .containsExactlyElementsOf(expectedCopies);
        }
        System.out.printf("[failover] failback of fo-mid: %d records of a's orders over the whole run, %d missed,"
                + " %d read twice; b's orders: 300 read on b, %d read from their copies on a, 0 missed%n",
                total(ordersOnA), missed, reread, total(readCopies));
    }

    // ---- helpers ----

    static void commitOnA(String group, Map<Integer, Long> offsets) throws Exception {
        commit(clusters, "a", group, "orders", offsets);
        committedOnA.put(group, new TreeMap<>(offsets));
    }

    /**
     * A fetch quota (null removes it) on the link's source consumers, whose client ids MirrorMaker 2
     * builds as {@code a->b|a->b-<task>|replication-consumer}: the link falls behind, nothing else slows.
     */
    static void throttle(Double bytesPerSecond) throws Exception {
        List<ClientQuotaAlteration> alterations = new ArrayList<>();
        for (int task = 0; task < 4; task++) {
            ClientQuotaEntity consumer = new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.CLIENT_ID,
                    "a->b|a->b-" + task + "|replication-consumer"));
            alterations.add(new ClientQuotaAlteration(consumer,
                    List.of(new ClientQuotaAlteration.Op("consumer_byte_rate", bytesPerSecond))));
        }
        clusters.admin("a").alterClientQuotas(alterations).all().get(30, TimeUnit.SECONDS);
    }

    /** A round's source ends (0) or copied positions (1), summed over the partitions of orders. */
    static long sum(GroupCheckpoint.Round round, int which) {
        return round.partitions().entrySet().stream().filter(e -> e.getKey().topic().equals("orders"))
                .mapToLong(e -> e.getValue()[which]).sum();
    }

    static long total(Map<Integer, List<String>> keys) {
        return keys.values().stream().mapToLong(List::size).sum();
    }
}
