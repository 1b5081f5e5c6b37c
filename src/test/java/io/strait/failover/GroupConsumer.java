package io.strait.failover;

import io.strait.testing.TestClusters;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** An application's consumer in a test: reads topics as a group, from its committed offsets, to their end. */
final class GroupConsumer {

    private GroupConsumer() {
    }

    /**
     * Consumes the topic on the cluster as the group, from its committed offsets (a partition without
     * one fails: {@code auto.offset.reset = none}) to the end, and commits: the keys read, by partition.
     */
    static Map<Integer, List<String>> consume(TestClusters clusters, String alias, String topic, String group)
            throws Exception {
        int partitions = clusters.partitions(alias, topic);
        Map<String, Object> config = clusters.clientConfig(alias);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<Integer, List<String>> read = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Map<TopicPartition, Long> end = null;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    read.computeIfAbsent(r.partition(), p -> new ArrayList<>())
                            .add(new String(r.key(), StandardCharsets.UTF_8));
                }
                if (consumer.assignment().size() == partitions) {
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
        throw new AssertionError("could not consume " + topic + " on " + alias + " as " + group + " to its end");
    }

    /** Commits offsets for the group on the cluster, as a consumer that read that far would. */
    static void commit(TestClusters clusters, String alias, String group, String topic, Map<Integer, Long> offsets)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((p, o) -> commit.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
        clusters.admin(alias).alterConsumerGroupOffsets(group, commit).all().get(30, TimeUnit.SECONDS);
    }

    /** The group's committed offsets on the cluster, by partition of the topic. */
    static Map<Integer, Long> committed(TestClusters clusters, String alias, String group, String topic)
            throws Exception {
        Map<Integer, Long> offsets = new TreeMap<>();
        clusters.admin(alias).listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                .forEach((tp, om) -> {
                    if (om != null && tp.topic().equals(topic)) {
                        offsets.put(tp.partition(), om.offset());
                    }
                });
        return offsets;
    }

    /** Keys of every record of the topic, by partition, in offset order. */
    static Map<Integer, List<String>> keys(TestClusters clusters, String alias, String topic) throws Exception {
        Map<Integer, List<String>> keys = new TreeMap<>();
        clusters.readAll(alias, topic).forEach((p, records) -> {
            List<String> k = new ArrayList<>();
            records.forEach(r -> k.add(new String(r.key(), StandardCharsets.UTF_8)));
            keys.put(p, k);
        });
        return keys;
    }

    /** Offsets of every record of the topic, by partition (for topics with gaps). */
    static Map<Integer, List<Long>> offsets(TestClusters clusters, String alias, String topic) throws Exception {
        Map<Integer, List<Long>> offsets = new TreeMap<>();
        clusters.readAll(alias, topic).forEach((p, records) -> {
            List<Long> o = new ArrayList<>();
            records.forEach(r -> o.add(r.offset()));
            offsets.put(p, o);
        });
        return offsets;
    }
}
