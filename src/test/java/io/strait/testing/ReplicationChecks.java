package io.strait.testing;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Checks of what replication promises, run against real clusters: every replicated topic is
 * compared with its immediate upstream (for {@code b.a.orders} on c: {@code a.orders} on b), which
 * by induction compares it with the original.
 */
public final class ReplicationChecks {

    private ReplicationChecks() {
    }

    /** Waits until every cluster holds exactly the expected user topics. */
    public static void awaitTopics(TestClusters clusters, Map<String, Set<String>> expected, Duration timeout) {
        await("topics on every cluster").atMost(timeout).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<String, Set<String>> actual = new TreeMap<>();
            for (String alias : expected.keySet()) {
                actual.put(alias, clusters.userTopics(alias));
            }
            assertThat(actual).isEqualTo(new TreeMap<>(expected));
        });
    }

    /** The upstream (cluster, topic) of a replicated topic {@code x.rest}, x an alias: (x, rest). */
    public static String[] upstream(String topic) {
        int dot = topic.indexOf('.');
        return new String[] {topic.substring(0, dot), topic.substring(dot + 1)};
    }

    /** Waits until every replicated topic has, per partition, as many records as its upstream. */
    public static void awaitCaughtUp(TestClusters clusters, Duration timeout) {
        await("every replicated partition caught up").atMost(timeout).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    for (String alias : clusters.aliases()) {
                        for (String topic : clusters.userTopics(alias)) {
                            if (!clusters.isCopy(topic)) {
                                continue;
                            }
                            String[] up = upstream(topic);
                            assertThat(clusters.counts(alias, topic))
                                    .as("records per partition of %s on %s vs %s on %s", topic, alias, up[1], up[0])
                                    .isEqualTo(clusters.counts(up[0], up[1]));
                        }
                    }
                });
    }

    /**
     * Every replicated topic has the same partition count as its upstream, and every partition holds
     * the same records (key, value, headers, timestamp) in the same order: nothing lost, nothing doubled.
     */
    public static int assertIdenticalToUpstream(TestClusters clusters) throws Exception {
        int compared = 0;
        for (String alias : clusters.aliases()) {
            for (String topic : clusters.userTopics(alias)) {
                if (!clusters.isCopy(topic)) {
                    continue;
                }
                String[] up = upstream(topic);
                compared += assertSameRecords(clusters, alias, topic, up[0], up[1]);
            }
        }
        return compared;
    }

    /** One topic against its source: same partitions, same records in the same order; returns the count. */
    public static int assertSameRecords(TestClusters clusters, String alias, String topic, String sourceAlias,
                                        String sourceTopic) throws Exception {
        SortedMap<Integer, List<String>> target = describeAll(clusters.readAll(alias, topic));
        SortedMap<Integer, List<String>> source = describeAll(clusters.readAll(sourceAlias, sourceTopic));
        assertThat(target.keySet()).as("partitions of %s on %s", topic, alias).isEqualTo(source.keySet());
        int compared = 0;
        for (Integer partition : source.keySet()) {
            assertThat(target.get(partition))
                    .as("records of %s-%d on %s, against %s-%d on %s", topic, partition, alias, sourceTopic,
                            partition, sourceAlias)
                    .containsExactlyElementsOf(source.get(partition));
            compared += source.get(partition).size();
        }
        return compared;
    }

    private static SortedMap<Integer, List<String>> describeAll(SortedMap<Integer, List<ConsumerRecord<byte[], byte[]>>> records) {
        SortedMap<Integer, List<String>> described = new TreeMap<>();
        records.forEach((partition, list) -> {
            List<String> texts = new ArrayList<>();
            list.forEach(r -> texts.add(TestClusters.describe(r)));
            described.put(partition, texts);
        });
        return described;
    }

    /**
     * At-least-once: every source record is on the target, in the same partition, and their first
     * arrivals are in source order; returns how many records arrived more than once.
     */
    public static int assertAllArrivedInOrder(TestClusters clusters, String alias, String topic, String sourceAlias,
                                              String sourceTopic) throws Exception {
        SortedMap<Integer, List<String>> target = describeAll(clusters.readAll(alias, topic));
        SortedMap<Integer, List<String>> source = describeAll(clusters.readAll(sourceAlias, sourceTopic));
        int duplicates = 0;
        for (Integer partition : source.keySet()) {
            List<String> firstArrivals = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (String record : target.getOrDefault(partition, List.of())) {
                if (seen.add(record)) {
                    firstArrivals.add(record);
                } else {
                    duplicates++;
                }
            }
            assertThat(firstArrivals).as("partition %d of %s on %s: every record of %s on %s, in order", partition,
                    topic, alias, sourceTopic, sourceAlias).containsExactlyElementsOf(source.get(partition));
        }
        return duplicates;
    }

    /** No topic anywhere, heartbeats included, carries an alias twice in its prefix chain. */
    public static void assertNoRepeatedAlias(TestClusters clusters) throws Exception {
        for (String alias : clusters.aliases()) {
            for (String topic : clusters.allTopics(alias)) {
                if (topic.startsWith("__") || topic.endsWith(".internal")) {
                    continue;
                }
                List<String> chain = clusters.prefixChain(topic);
                assertThat(new HashSet<>(chain)).as("prefix chain of %s on %s", topic, alias).hasSameSizeAs(chain);
                assertThat(chain).as("prefix chain of %s on %s: a topic never returns to a cluster it left", topic, alias)
                        .doesNotContain(alias);
            }
        }
    }

    /** A snapshot of every user topic's records per partition, on every cluster. */
    public static Map<String, Map<String, SortedMap<Integer, Long>>> snapshot(TestClusters clusters) throws Exception {
        Map<String, Map<String, SortedMap<Integer, Long>>> all = new TreeMap<>();
        for (String alias : clusters.aliases()) {
            Map<String, SortedMap<Integer, Long>> topics = new TreeMap<>();
            for (String topic : clusters.userTopics(alias)) {
                topics.put(topic, clusters.counts(alias, topic));
            }
            all.put(alias, topics);
        }
        return all;
    }
}
