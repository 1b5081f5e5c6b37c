package io.strait.failover;

import io.strait.replication.ClientConfigs;
import io.strait.topology.ClusterSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One cluster of a link, as failover asks it: consumer groups and their offsets, partition offsets,
 * topic IDs and partition counts, and whole topics read. An admin client and a {@code read_committed}
 * consumer ({@link ClientConfigs}, client id {@code strait-failover-<alias>}) are opened on first use
 * and closed with this object. Every call gives up after the timeout it was built with and fails
 * with a {@link FailoverException} that says what could not be done.
 */
final class ClusterEnd implements AutoCloseable {

    private final ClusterSettings cluster;
    private final Duration timeout;
    private Admin admin;
    private KafkaConsumer<byte[], byte[]> consumer;

    ClusterEnd(ClusterSettings cluster, Duration timeout) {
        this.cluster = cluster;
        this.timeout = timeout;
    }

    String alias() {
        return cluster.alias();
    }

    Duration timeout() {
        return timeout;
    }

    /** True when the cluster answers within the timeout. */
    boolean reachable() {
        try {
            admin().describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Groups asked all at once: state, members and the committed offsets that {@code keep} accepts. */
    Map<String, LinkEnds.Group> groups(Collection<String> groups, Predicate<TopicPartition> keep) {
        Map<String, LinkEnds.Group> result = new LinkedHashMap<>();
        if (groups.isEmpty()) {
            return result;
        }
        var described = admin().describeConsumerGroups(groups).describedGroups();
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        var listed = admin().listConsumerGroupOffsets(specs);
        for (String group : groups) {
            Optional<GroupState> state;
            int members;
            try {
                ConsumerGroupDescription description = described.get(group)
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                state = description.groupState() == GroupState.DEAD ? Optional.empty()
                        : Optional.of(description.groupState());
                members = description.members().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw failure("describe group " + group, e);
                }
                state = Optional.empty();
                members = 0;
            } catch (Exception e) {
                throw failure("describe group " + group, e);
            }
            Map<TopicPartition, Long> offsets = new HashMap<>();
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = listed.partitionsToOffsetAndMetadata(group)
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                committed.forEach((tp, om) -> {
                    if (om != null && keep.test(tp)) {
                        offsets.put(tp, om.offset());
                    }
                });
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw failure("list the offsets of group " + group, e);
                }
            } catch (Exception e) {
                throw failure("list the offsets of group " + group, e);
            }
            result.put(group, new LinkEnds.Group(group, state, members, offsets));
        }
        return result;
    }

    /** The consumer groups of the cluster ({@code ListGroupsResult.valid()}, as MirrorCheckpointConnector lists them). */
    List<String> consumerGroups() {
        try {
            return admin().listGroups(ListGroupsOptions.forConsumerGroups()).valid()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).stream().map(GroupListing::groupId).toList();
        } catch (Exception e) {
            throw failure("list consumer groups", e);
        }
    }

    /** Sets the group's offsets. Fails (UnknownMemberIdException) while the group has members. */
    void alterOffsets(String group, Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> altered = new HashMap<>();
        offsets.forEach((tp, offset) -> altered.put(tp, new OffsetAndMetadata(offset)));
        try {
            admin().alterConsumerGroupOffsets(group, altered).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw failure("set the offsets of group " + group + " on " + alias(), e);
        }
    }

    /** The partitions' offsets by {@code spec} (earliest, latest); absent for a partition that does not exist. */
    Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (partitions.isEmpty()) {
            return offsets;
        }
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, spec));
        var listed = admin().listOffsets(specs);
        for (TopicPartition tp : specs.keySet()) {
            try {
                offsets.put(tp, listed.partitionResult(tp).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failure("list the offsets of " + tp, e);
                }
            } catch (Exception e) {
                throw failure("list the offsets of " + tp, e);
            }
        }
        return offsets;
    }

    /** The topics' IDs (base64), for those that exist. */
    Map<String, String> topicIds(Collection<String> topics) {
        Map<String, String> ids = new HashMap<>();
        if (topics.isEmpty()) {
            return ids;
        }
        admin().describeTopics(topics).topicNameValues().forEach((topic, future) -> {
            try {
                ids.put(topic, future.get(timeout.toMillis(), TimeUnit.MILLISECONDS).topicId().toString());
            } catch (Exception e) {
                // Gone, or unknown: no ID to compare.
            }
        });
        return ids;
    }

    /** Partition counts of the topics (absent: the topic does not exist). */
    Map<String, Integer> partitionCounts(Collection<String> topics) {
        Map<String, Integer> counts = new HashMap<>();
        admin().describeTopics(topics).topicNameValues().forEach((topic, future) -> {
            try {
                counts.put(topic, future.get(timeout.toMillis(), TimeUnit.MILLISECONDS).partitions().size());
            } catch (Exception e) {
                // Not there.
            }
        });
        return counts;
    }

    /** Reads a topic from its beginning to its end (a topic that does not exist reads as empty). */
    void readAll(String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        KafkaConsumer<byte[], byte[]> consumer = consumer();
        List<TopicPartition> partitions;
        try {
            partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new FailoverException("cannot read " + topic + " on " + alias() + ": no answer within "
                    + timeout.toSeconds() + " s");
        }
        if (partitions.isEmpty()) {
            return;
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos() * 6;
        while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new FailoverException("could not read " + topic + " on " + alias() + " to its end");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                    each.accept(record);
                }
            }
        }
        consumer.assign(List.of());
    }

    /** Counts records of the cluster, read_committed, as the link reads them. */
    OffsetMap.Counter counter() {
        return new ConsumerCounter(this::consumer, timeout);
    }

    /** A consumer of its own, which the caller closes. */
    KafkaConsumer<byte[], byte[]> newConsumer() {
        return new KafkaConsumer<>(ClientConfigs.reader(cluster, "strait-failover-" + alias(), timeout,
                IsolationLevel.READ_COMMITTED), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(ClientConfigs.admin(cluster, "strait-failover-" + alias(), timeout));
        }
        return admin;
    }

    private synchronized KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            consumer = newConsumer();
        }
        return consumer;
    }

    static FailoverException failure(String what, Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new FailoverException("could not " + what + ": " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
    }

    @Override
    public void close() {
        if (consumer != null) {
            try {
                consumer.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                // closing
            }
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
