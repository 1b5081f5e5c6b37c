package io.strait.failover;

import io.strait.replication.MirrorSettings;
import io.strait.replication.ReplicationPlanner;
import io.strait.topology.ClusterSettings;
import io.strait.topology.LinkId;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.StraitMirrorAccess;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The two clusters of one link, as failover sees them: the consumer groups on each, the link's
 * offset map and checkpoints (MirrorMaker 2's and Strait's) on the target, and record counts where
 * the map needs them. Clients are opened on first use and closed with this object. Every call
 * gives up after the timeout it was built with.
 */
public final class LinkEnds implements AutoCloseable {

    /** A consumer group on one cluster: its state, how many members it has, and its committed offsets. */
    public record Group(String id, Optional<GroupState> state, int members, Map<TopicPartition, Long> offsets) {
        public boolean active() {
            return members > 0;
        }

        /** The state as Kafka names it, or {@code NONE} for a group that does not exist. */
        public String stateName() {
            return state.map(GroupState::toString).orElse("NONE");
        }
    }

    /** One of MirrorMaker 2's checkpoints, with when it was written (the record's timestamp). */
    public record Mm2Checkpoint(String group, TopicPartition target, long upstream, long downstream, Instant at) {
    }

    private final MirrorSettings settings;
    private final LinkId link;
    private final Duration timeout;
    private final ReplicationPlanner.TopicRule rule;
    private final org.apache.kafka.connect.mirror.ReplicationPolicy policy;
    private Admin sourceAdmin;
    private Admin targetAdmin;
    private KafkaConsumer<byte[], byte[]> sourceConsumer;
    private KafkaConsumer<byte[], byte[]> targetConsumer;
    private Boolean sourceReachable;

    public LinkEnds(MirrorSettings settings, LinkId link, Duration timeout) {
        this.settings = settings;
        this.link = link;
        this.timeout = timeout;
        this.rule = new ReplicationPlanner(settings, timeout).rule(link);
        this.policy = new org.apache.kafka.connect.mirror.MirrorSourceConfig(settings.connectorConfig(link,
                org.apache.kafka.connect.mirror.MirrorSourceConnector.class)).getConfiguredInstance(
                org.apache.kafka.connect.mirror.MirrorConnectorConfig.REPLICATION_POLICY_CLASS,
                org.apache.kafka.connect.mirror.ReplicationPolicy.class);
    }

    public LinkId link() {
        return link;
    }

    public ReplicationPlanner.TopicRule rule() {
        return rule;
    }

    /** True when the source answers within the timeout (asked once). */
    public boolean sourceReachable() {
        if (sourceReachable == null) {
            sourceReachable = reachable(sourceAdmin());
        }
        return sourceReachable;
    }

    /** Asks the source again (the answer of {@link #sourceReachable()} is kept until then). */
    public boolean sourceReachableNow() {
        sourceReachable = reachable(sourceAdmin());
        return sourceReachable;
    }

    /** True when the target answers within the timeout. */
    public boolean targetReachable() {
        return reachable(targetAdmin());
    }

    private boolean reachable(Admin admin) {
        try {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** The source topic's name on the target, when the link replicates it (never for MM2's heartbeats). */
    public Optional<String> targetTopic(String sourceTopic) {
        if (rule.isHeartbeats(sourceTopic)) {
            return Optional.empty();
        }
        return rule.target(sourceTopic);
    }

    /**
     * The source topic whose copy on the target has this name, by the link's replication policy
     * ({@code a.orders} comes from {@code orders} under MirrorMaker 2's DefaultReplicationPolicy).
     */
    public Optional<String> sourceTopic(String targetTopic) {
        String upstream = policy.upstreamTopic(targetTopic);
        if (upstream == null) {
            upstream = targetTopic;
        }
        String candidate = upstream;
        return targetTopic(candidate).filter(targetTopic::equals).map(t -> candidate);
    }

    /** The group's committed offsets on the source, for the topics the link replicates. */
    public Group sourceGroup(String group) {
        return sourceGroups(List.of(group)).get(group);
    }

    /** The group on the source with its offsets of every topic (failback moves it back there). */
    public Group sourceGroupAllTopics(String group) {
        return groups(sourceAdmin(), List.of(group), tp -> true).get(group);
    }

    /** The group on the target: state, members and committed offsets (every topic). */
    public Group targetGroup(String group) {
        return targetGroups(List.of(group)).get(group);
    }

    /** Groups on the source, asked all at once, with offsets of the topics the link replicates only. */
    public Map<String, Group> sourceGroups(Collection<String> groups) {
        return groups(sourceAdmin(), groups, tp -> targetTopic(tp.topic()).isPresent());
    }

    /** Groups on the target, asked all at once. */
    public Map<String, Group> targetGroups(Collection<String> groups) {
        return groups(targetAdmin(), groups, tp -> true);
    }

    private Map<String, Group> groups(Admin admin, Collection<String> groups, Predicate<TopicPartition> keep) {
        Map<String, Group> result = new java.util.LinkedHashMap<>();
        if (groups.isEmpty()) {
            return result;
        }
        var described = admin.describeConsumerGroups(groups).describedGroups();
        Map<String, org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        groups.forEach(g -> specs.put(g, new org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec()));
        var listed = admin.listConsumerGroupOffsets(specs);
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
            result.put(group, new Group(group, state, members, offsets));
        }
        return result;
    }

    /** Consumer groups on the source that the link's group filter selects (as MirrorCheckpointConnector lists them). */
    public List<String> selectedSourceGroups() {
        var filter = StraitMirrorAccess.groupFilter(checkpointConfig());
        try {
            return sourceAdmin().listGroups(org.apache.kafka.clients.admin.ListGroupsOptions.forConsumerGroups())
                    .valid().get(timeout.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .map(org.apache.kafka.clients.admin.GroupListing::groupId)
                    .filter(filter::shouldReplicateGroup).sorted().toList();
        } catch (Exception e) {
            throw failure("list consumer groups", e);
        }
    }

    /** The checkpoint connector's settings (group filter, checkpoints topic, intervals). */
    public Map<String, String> checkpointConfig() {
        return settings.connectorConfig(link, MirrorCheckpointConnector.class);
    }

    /** Sets the group's offsets on the target. Fails (UnknownMemberIdException) while the group has members. */
    public void alterTargetOffsets(String group, Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> altered = new HashMap<>();
        offsets.forEach((tp, offset) -> altered.put(tp, new OffsetAndMetadata(offset)));
        try {
            targetAdmin().alterConsumerGroupOffsets(group, altered).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw failure("set the offsets of group " + group + " on " + link.target(), e);
        }
    }

    /** Sets the group's offsets on the source (failback). */
    public void alterSourceOffsets(String group, Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, OffsetAndMetadata> altered = new HashMap<>();
        offsets.forEach((tp, offset) -> altered.put(tp, new OffsetAndMetadata(offset)));
        try {
            sourceAdmin().alterConsumerGroupOffsets(group, altered).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw failure("set the offsets of group " + group + " on " + link.source(), e);
        }
    }

    public Map<TopicPartition, Long> sourceOffsets(Collection<TopicPartition> partitions, OffsetSpec spec) {
        return offsets(sourceAdmin(), partitions, spec);
    }

    public Map<TopicPartition, Long> targetOffsets(Collection<TopicPartition> partitions, OffsetSpec spec) {
        return offsets(targetAdmin(), partitions, spec);
    }

    private Map<TopicPartition, Long> offsets(Admin admin, Collection<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (partitions.isEmpty()) {
            return offsets;
        }
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        partitions.forEach(tp -> specs.put(tp, spec));
        var listed = admin.listOffsets(specs);
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

    /** The topics' IDs on the source (base64), for those that exist. */
    public Map<String, String> sourceTopicIds(Collection<String> topics) {
        Map<String, String> ids = new HashMap<>();
        if (topics.isEmpty()) {
            return ids;
        }
        sourceAdmin().describeTopics(topics).topicNameValues().forEach((topic, future) -> {
            try {
                ids.put(topic, future.get(timeout.toMillis(), TimeUnit.MILLISECONDS).topicId().toString());
            } catch (Exception e) {
                // Gone, or unknown: no ID to compare.
            }
        });
        return ids;
    }

    /** Partition counts of topics on the target (absent: the topic does not exist). */
    public Map<String, Integer> targetPartitionCounts(Collection<String> topics) {
        Map<String, Integer> counts = new HashMap<>();
        targetAdmin().describeTopics(topics).topicNameValues().forEach((topic, future) -> {
            try {
                counts.put(topic, future.get(timeout.toMillis(), TimeUnit.MILLISECONDS).partitions().size());
            } catch (Exception e) {
                // Not there.
            }
        });
        return counts;
    }

    /** The link's offset map, read whole from the target. */
    public OffsetMap offsetMap() {
        OffsetMap map = new OffsetMap();
        readTarget(FailoverTopics.offsetMap(link.source()),
                record -> OffsetMapEntry.parse(record.key(), record.value()).ifPresent(map::add));
        return map;
    }

    /** MirrorMaker 2's latest checkpoint of each (group, target partition), for the groups given. */
    public Map<String, Map<TopicPartition, Mm2Checkpoint>> mm2Checkpoints(Predicate<String> groups) {
        Map<String, Map<TopicPartition, Mm2Checkpoint>> checkpoints = new HashMap<>();
        readTarget(StraitMirrorAccess.checkpointsTopic(checkpointConfig()), record -> mm2Checkpoint(record)
                .filter(c -> groups.test(c.group()))
                .ifPresent(c -> checkpoints.computeIfAbsent(c.group(), g -> new HashMap<>()).put(c.target(), c)));
        return checkpoints;
    }

    /** One record of MirrorMaker 2's checkpoints topic; empty when it is not one this version reads. */
    static Optional<Mm2Checkpoint> mm2Checkpoint(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return Optional.empty();
        }
        try {
            Checkpoint checkpoint = Checkpoint.deserializeRecord(record);
            return Optional.of(new Mm2Checkpoint(checkpoint.consumerGroupId(), checkpoint.topicPartition(),
                    checkpoint.upstreamOffset(), checkpoint.downstreamOffset(), Instant.ofEpochMilli(record.timestamp())));
        } catch (RuntimeException e) {
            // MirrorClient skips those too.
            return Optional.empty();
        }
    }

    /** Follows a topic of the target: each {@link TopicTail#poll} reads what was added since the last. */
    public TopicTail tail(String topic) {
        return new TopicTail(consumer(settings.topology().cluster(link.target())), topic, timeout);
    }

    /** Strait's checkpoints of the link (written by the daemon's {@link GroupCheckpointer}). */
    public GroupCheckpoint.Store straitCheckpoints() {
        GroupCheckpoint.Store store = new GroupCheckpoint.Store();
        readTarget(FailoverTopics.checkpoints(link.source()), record -> store.add(record.key(), record.value()));
        return store;
    }

    /** Reads a topic of the target from its beginning to its end (a topic that does not exist reads as empty). */
    public void readTarget(String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        KafkaConsumer<byte[], byte[]> consumer = targetConsumer();
        List<TopicPartition> partitions;
        try {
            partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new FailoverException("cannot read " + topic + " on " + link.target() + ": no answer within "
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
                throw new FailoverException("could not read " + topic + " on " + link.target() + " to its end");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                    each.accept(record);
                }
            }
        }
        consumer.assign(List.of());
    }

    /** Counts records on the source, read_committed, as the link reads them. */
    public OffsetMap.Counter sourceCounter() {
        return new ConsumerCounter(this::sourceConsumer);
    }

    /** Counts records on the target, read_committed. */
    public OffsetMap.Counter targetCounter() {
        return new ConsumerCounter(this::targetConsumer);
    }

    private final class ConsumerCounter implements OffsetMap.Counter {
        private final java.util.function.Supplier<KafkaConsumer<byte[], byte[]>> consumers;

        ConsumerCounter(java.util.function.Supplier<KafkaConsumer<byte[], byte[]>> consumers) {
            this.consumers = consumers;
        }

        @Override
        public long count(TopicPartition partition, long from, long to) {
            long[] n = {0};
            scan(partition, from, to, record -> {
                n[0]++;
                return true;
            });
            return n[0];
        }

        @Override
        public OptionalLong offsetAfter(TopicPartition partition, long from, long n) {
            long[] seen = {0};
            long[] found = {-1};
            scan(partition, from, Long.MAX_VALUE, record -> {
                if (seen[0]++ == n) {
                    found[0] = record.offset();
                    return false;
                }
                return true;
            });
            return found[0] < 0 ? OptionalLong.empty() : OptionalLong.of(found[0]);
        }

        /** Visits the records at offsets {@code [from, to)} (and before the end) until the visitor says stop. */
        private void scan(TopicPartition partition, long from, long to,
                          java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> visit) {
            if (from >= to) {
                return;
            }
            KafkaConsumer<byte[], byte[]> consumer = consumers.get();
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            long start = consumer.beginningOffsets(List.of(partition), timeout).get(partition);
            long stop = Math.min(to, end);
            consumer.seek(partition, Math.max(from, start));
            long deadline = System.nanoTime() + timeout.toNanos() * 6;
            try {
                while (consumer.position(partition, timeout) < stop) {
                    if (System.nanoTime() > deadline) {
                        throw new FailoverException("could not read " + partition + " from offset " + from);
                    }
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        if (record.offset() >= stop || !visit.test(record)) {
                            return;
                        }
                    }
                }
            } finally {
                consumer.assign(List.of());
            }
        }
    }

    private synchronized Admin sourceAdmin() {
        if (sourceAdmin == null) {
            sourceAdmin = Admin.create(adminConfig(link.source()));
        }
        return sourceAdmin;
    }

    private synchronized Admin targetAdmin() {
        if (targetAdmin == null) {
            targetAdmin = Admin.create(adminConfig(link.target()));
        }
        return targetAdmin;
    }

    private Map<String, Object> adminConfig(String alias) {
        Map<String, Object> config = ReplicationPlanner.adminConfig(settings.topology().cluster(alias), timeout);
        config.put("client.id", "strait-failover-" + alias);
        return config;
    }

    private synchronized KafkaConsumer<byte[], byte[]> sourceConsumer() {
        if (sourceConsumer == null) {
            sourceConsumer = consumer(settings.topology().cluster(link.source()));
        }
        return sourceConsumer;
    }

    private synchronized KafkaConsumer<byte[], byte[]> targetConsumer() {
        if (targetConsumer == null) {
            targetConsumer = consumer(settings.topology().cluster(link.target()));
        }
        return targetConsumer;
    }

    KafkaConsumer<byte[], byte[]> consumer(ClusterSettings cluster) {
        Map<String, Object> config = new HashMap<>(cluster.kafkaClients());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "strait-failover-" + cluster.alias());
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private FailoverException failure(String what, Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new FailoverException("could not " + what + ": " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
    }

    @Override
    public void close() {
        for (AutoCloseable client : new AutoCloseable[] {sourceConsumer, targetConsumer}) {
            if (client != null) {
                try {
                    ((KafkaConsumer<?, ?>) client).close(Duration.ofSeconds(1));
                } catch (RuntimeException e) {
                    // closing
                }
            }
        }
        if (sourceAdmin != null) {
            sourceAdmin.close(Duration.ofSeconds(1));
        }
        if (targetAdmin != null) {
            targetAdmin.close(Duration.ofSeconds(1));
        }
    }

    /** Topics on the target that the link writes, with the source topic of each. */
    public Map<String, String> sourceTopicsOf(Set<String> targetTopics) {
        Map<String, String> sources = new HashMap<>();
        for (String target : targetTopics) {
            sourceTopic(target).ifPresent(s -> sources.put(target, s));
        }
        return sources;
    }

    static List<TopicPartition> partitions(String topic, int count) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        return partitions;
    }
}
