package io.strait.failover;

import io.strait.replication.FailoverTopics;
import io.strait.replication.OffsetMapEntry;
import io.strait.replication.MirrorSettings;
import io.strait.replication.ReplicationPlanner;
import io.strait.topology.LinkId;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.StraitMirrorAccess;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The two clusters of one link, as failover sees them: the consumer groups on each, the link's
 * offset map and checkpoints (MirrorMaker 2's and Strait's) on the target, and record counts where
 * the map needs them, through the link's topic rule and replication policy. Each cluster is a
 * {@link ClusterEnd}, whose clients are opened on first use and closed with this object. Every call
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
    private final ReplicationPlanner.TopicRule rule;
    private final org.apache.kafka.connect.mirror.ReplicationPolicy policy;
    private final ClusterEnd source;
    private final ClusterEnd target;
    private Boolean sourceReachable;

    public LinkEnds(MirrorSettings settings, LinkId link, Duration timeout) {
        this.settings = settings;
        this.link = link;
        this.rule = new ReplicationPlanner(settings, timeout).rule(link);
        this.policy = new org.apache.kafka.connect.mirror.MirrorSourceConfig(settings.connectorConfig(link,
                org.apache.kafka.connect.mirror.MirrorSourceConnector.class)).getConfiguredInstance(
                org.apache.kafka.connect.mirror.MirrorConnectorConfig.REPLICATION_POLICY_CLASS,
                org.apache.kafka.connect.mirror.ReplicationPolicy.class);
        this.source = new ClusterEnd(settings.topology().cluster(link.source()), timeout);
        this.target = new ClusterEnd(settings.topology().cluster(link.target()), timeout);
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
            sourceReachable = source.reachable();
        }
        return sourceReachable;
    }

    /** Asks the source again (the answer of {@link #sourceReachable()} is kept until then). */
    public boolean sourceReachableNow() {
        sourceReachable = source.reachable();
        return sourceReachable;
    }

    /** True when the target answers within the timeout. */
    public boolean targetReachable() {
        return target.reachable();
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
        return source.groups(List.of(group), tp -> true).get(group);
    }

    /** The group on the target: state, members and committed offsets (every topic). */
    public Group targetGroup(String group) {
        return targetGroups(List.of(group)).get(group);
    }

    /** Groups on the source, asked all at once, with offsets of the topics the link replicates only. */
    public Map<String, Group> sourceGroups(Collection<String> groups) {
        return source.groups(groups, tp -> targetTopic(tp.topic()).isPresent());
    }

    /** Groups on the target, asked all at once. */
    public Map<String, Group> targetGroups(Collection<String> groups) {
        return target.groups(groups, tp -> true);
    }

    /** Consumer groups on the source that the link's group filter selects (as MirrorCheckpointConnector lists them). */
    public List<String> selectedSourceGroups() {
        var filter = StraitMirrorAccess.groupFilter(checkpointConfig());
        return source.consumerGroups().stream().filter(filter::shouldReplicateGroup).sorted().toList();
    }

    /** The checkpoint connector's settings (group filter, checkpoints topic, intervals). */
    public Map<String, String> checkpointConfig() {
        return settings.connectorConfig(link, MirrorCheckpointConnector.class);
    }

    /** Sets the group's offsets on the target. Fails (UnknownMemberIdException) while the group has members. */
    public void alterTargetOffsets(String group, Map<TopicPartition, Long> offsets) {
        target.alterOffsets(group, offsets);
    }

    /** Sets the group's offsets on the source (failback). */
    public void alterSourceOffsets(String group, Map<TopicPartition, Long> offsets) {
        source.alterOffsets(group, offsets);
    }

    public Map<TopicPartition, Long> sourceOffsets(Collection<TopicPartition> partitions, OffsetSpec spec) {
        return source.offsets(partitions, spec);
    }

    public Map<TopicPartition, Long> targetOffsets(Collection<TopicPartition> partitions, OffsetSpec spec) {
        return target.offsets(partitions, spec);
    }

    /** The topics' IDs on the source (base64), for those that exist. */
    public Map<String, String> sourceTopicIds(Collection<String> topics) {
        return source.topicIds(topics);
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
        return new TopicTail(target.newConsumer(), topic, target.timeout());
    }

    /** Strait's checkpoints of the link (written by the daemon's {@link GroupCheckpointer}). */
    public GroupCheckpoint.Store straitCheckpoints() {
        GroupCheckpoint.Store store = new GroupCheckpoint.Store();
        readTarget(FailoverTopics.checkpoints(link.source()), record -> store.add(record.key(), record.value()));
        return store;
    }

    /** Reads a topic of the target from its beginning to its end (a topic that does not exist reads as empty). */
    public void readTarget(String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        target.readAll(topic, each);
    }

    /** Counts records on the source, read_committed, as the link reads them. */
    public OffsetMap.Counter sourceCounter() {
        return source.counter();
    }

    /** Counts records on the target, read_committed. */
    public OffsetMap.Counter targetCounter() {
        return target.counter();
    }

    @Override
    public void close() {
        source.close();
        target.close();
    }
}
