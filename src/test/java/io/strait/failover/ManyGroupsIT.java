package io.strait.failover;

import io.strait.daemon.StraitDaemon;
import io.strait.replication.MirrorSettings;
import io.strait.testing.TestClusters;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The automatic sync with many groups, at Strait's default intervals (groups refreshed, checkpoints
 * emitted and offsets synced every 10 s): 200 groups commit at spread-out positions of one
 * partition of 20,000 records; every second, for up to one minute (until every group is exact on
 * both ends and MirrorMaker 2 has checkpointed every group), how many MirrorMaker 2 has checkpointed
 * and how far its translation is behind each group's real position, how many Strait has translated
 * exactly, and where the groups' offsets on the target stand (MirrorMaker 2's sync, then Strait's).
 */
class ManyGroupsIT {

    static final int GROUPS = 200;
    static final int RECORDS = 20_000;
    static final TopicPartition SOURCE = new TopicPartition("many", 0);
    static final TopicPartition COPY = new TopicPartition("a.many", 0);

    @Test
    void twoHundredGroupsAreTranslatedWithinAMinute() throws Exception {
        try (TestClusters clusters = TestClusters.start("a", "b")) {
            clusters.createTopic("a", "many", 1, Map.of());
            clusters.produce("a", "many", 1, "m", 0, RECORDS);
            Topology topology = new TopologyLoader(Map.of()).parse(clusters.topology(
                    "flows { dr { type = link, source = a, target = b, topics = [many], groups = [\"m-.*\"] } }"),
                    "many.conf");
            StraitDaemon daemon = new StraitDaemon(topology);
            daemon.start();
            try {
                await("the topic on b").atMost(Duration.ofSeconds(90)).until(() -> clusters.total("b", "a.many") == RECORDS);
                Map<String, Long> committed = new HashMap<>();
                for (int i = 0; i < GROUPS; i++) {
                    long offset = (long) (i + 1) * (RECORDS / GROUPS) - 1;
                    committed.put("m-" + i, offset);
                    clusters.admin("a").alterConsumerGroupOffsets("m-" + i, Map.of(SOURCE, new OffsetAndMetadata(offset)))
                            .all().get(30, TimeUnit.SECONDS);
                }
                long start = System.nanoTime();
                System.out.println("[many-groups]   t  MM2-checkpointed  MM2-re-read-avg  MM2-re-read-max"
                        + "  Strait-exact  on-b  on-b-re-read-avg  on-b-re-read-max");
                int[] last = new int[3];
                long lastMax = -1;
                try (LinkEnds ends = new LinkEnds(new MirrorSettings(topology), LinkId.parse("a->b"),
                        Duration.ofSeconds(10))) {
                    // A sample every second, up to a minute; a row every 5 s and at the end. Done once every
                    // group is translated exactly and on b where it is on a (the assertions below hold then),
                    // and MirrorMaker 2 has checkpointed every group too (the comparison the rows show).
                    for (int t = 1; t <= 60; t++) {
                        long wait = start + TimeUnit.SECONDS.toNanos(t) - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000);
                        }
                        var mm2 = ends.mm2Checkpoints(g -> g.startsWith("m-"));
                        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
                        committed.keySet().forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
                        Map<String, Map<TopicPartition, OffsetAndMetadata>> onB = clusters.admin("b")
                                .listConsumerGroupOffsets(specs).all().get(30, TimeUnit.SECONDS);
                        GroupCheckpoint.Store strait = ends.straitCheckpoints();
                        int synced = 0;
                        long sum = 0;
                        long max = 0;
                        long mm2Sum = 0;
                        long mm2Max = 0;
                        int exact = 0;
                        for (Map.Entry<String, Long> e : committed.entrySet()) {
                            // One lifetime, no gaps: the copy of source offset c is at target offset c.
                            LinkEnds.Mm2Checkpoint checkpoint = mm2.getOrDefault(e.getKey(), Map.of()).get(COPY);
                            if (checkpoint != null) {
                                mm2Sum += e.getValue() - checkpoint.downstream();
                                mm2Max = Math.max(mm2Max, e.getValue() - checkpoint.downstream());
                            }
                            OffsetAndMetadata om = onB.getOrDefault(e.getKey(), Map.of()).get(COPY);
                            if (om != null) {
                                synced++;
                                long reread = e.getValue() - om.offset();
                                sum += reread;
                                max = Math.max(max, reread);
                            }
                            GroupCheckpoint c = strait.of(e.getKey()).get(SOURCE);
                            if (c != null && c.exact() && c.upstream() == e.getValue() && c.downstream() == e.getValue()) {
                                exact++;
                            }
                        }
                        last = new int[] {mm2.size(), synced, exact};
                        lastMax = max;
                        boolean done = exact == GROUPS && synced == GROUPS && max == 0 && mm2.size() == GROUPS;
                        if (t % 5 == 0 || done) {
                            System.out.printf("[many-groups] %3ds  %16d  %15d  %15d  %12d  %4d  %16d  %16d%n", t,
                                    mm2.size(), mm2.isEmpty() ? 0 : mm2Sum / mm2.size(), mm2Max, exact, synced,
                                    synced == 0 ? 0 : sum / synced, max);
                        }
                        if (done) {
                            break;
                        }
                    }
                }
                assertThat(last[2]).as("groups Strait translated exactly within a minute").isEqualTo(GROUPS);
                assertThat(last[1]).as("groups with offsets on b within a minute").isEqualTo(GROUPS);
                assertThat(lastMax).as("records the worst group would read again on b").isZero();
            } finally {
                daemon.stop();
            }
        }
    }
}
