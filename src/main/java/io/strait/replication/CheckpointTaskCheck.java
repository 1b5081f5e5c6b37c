package io.strait.replication;

import io.strait.replication.LinkHealthCheck.Finding;
import io.strait.replication.LinkHealthCheck.Reason;
import io.strait.topology.LinkId;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.GroupFilter;
import org.apache.kafka.connect.mirror.MirrorCheckpointConfig;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorConnectorConfig;
import org.apache.kafka.connect.mirror.TopicFilter;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The part of {@link LinkHealthCheck} about MirrorCheckpointConnector running with no task
 * ({@link Reason#CHECKPOINT_TASKS}). The connector has no task both when the source has no group to
 * checkpoint and when it could not list them. Strait lists them itself, as the connector does
 * (groups through the link's group filter, with committed offsets on a topic the topic filter
 * selects), once the connector has been idle for a refresh interval, and again at most every
 * refresh interval (at least 30 s) while it stays idle. A finding is reported once it has lasted a
 * refresh interval plus {@link LinkHealthCheck#SLACK}: by then MirrorMaker 2 has had its own refresh
 * to find the groups. Runs on the health check's thread only.
 */
final class CheckpointTaskCheck {

    /** Listing a large source's groups may take long: Strait waits longer than for other calls. */
    private static final Duration GROUPS_TIMEOUT = Duration.ofSeconds(30);

    private final LinkId link;
    private final Admin source;
    private final Duration refreshInterval;
    private final String connector;
    private final boolean enabled;
    private final GroupFilter groupFilter;
    private final TopicFilter topicFilter;

    /** When the connector was first seen running with no task, or null. */
    private Instant idleSince;
    private Instant listedAt;
    private Optional<Finding> finding = Optional.empty();

    CheckpointTaskCheck(LinkId link, MirrorSettings settings, Admin source, Duration refreshInterval) {
        this.link = link;
        this.source = source;
        this.refreshInterval = refreshInterval;
        MirrorCheckpointConfig checkpoint = new MirrorCheckpointConfig(
                settings.connectorConfig(link, MirrorCheckpointConnector.class));
        // "enabled" is MirrorConnectorConfig.ENABLED, which is package-private.
        this.enabled = checkpoint.getBoolean("enabled")
                && checkpoint.getBoolean(MirrorCheckpointConfig.EMIT_CHECKPOINTS_ENABLED);
        this.groupFilter = checkpoint.getConfiguredInstance(MirrorCheckpointConfig.GROUP_FILTER_CLASS, GroupFilter.class);
        this.topicFilter = checkpoint.getConfiguredInstance(MirrorConnectorConfig.TOPIC_FILTER_CLASS, TopicFilter.class);
        this.connector = MirrorSettings.connectorName(link, MirrorCheckpointConnector.class);
    }

    /** The connector's name, as Connect's status gives it. */
    String connector() {
        return connector;
    }

    /** Whether the link emits checkpoints at all (otherwise an idle connector is expected). */
    boolean enabled() {
        return enabled;
    }

    /** The finding of the last listing, while the connector stays idle. */
    Optional<Finding> finding() {
        return finding;
    }

    /** Notes whether the connector is running with no task now, and lists the source's groups when due. */
    void update(boolean idle, Instant now) {
        if (!idle) {
            idleSince = null;
            listedAt = null;
            finding = Optional.empty();
            return;
        }
        if (idleSince == null) {
            idleSince = now;
        }
        Duration relist = refreshInterval.compareTo(Duration.ofSeconds(30)) > 0 ? refreshInterval : Duration.ofSeconds(30);
        boolean due = !now.isBefore(idleSince.plus(refreshInterval))
                && (listedAt == null || now.isAfter(listedAt.plus(relist)));
        if (!due) {
            return;
        }
        listedAt = now;
        // A group that appeared just now is MirrorMaker 2's at its next refresh: reported if it outlasts it.
        Duration repair = refreshInterval.plus(LinkHealthCheck.SLACK);
        String prefix = "checkpoint connector " + connector + " has no task";
        String consequence = ": no consumer offsets are translated to " + link.target() + ". MirrorMaker 2 creates"
                + " checkpoint tasks only for the groups it lists, and a listing that fails or outlasts its admin"
                + " client's timeout counts as no group, without a warning (it ignores ListGroups errors; KAFKA-17232)";
        try {
            List<String> groups = groupsWithOffsets();
            finding = groups.isEmpty() ? Optional.empty() : Optional.of(new Finding(Reason.CHECKPOINT_TASKS,
                    connector, prefix + " although " + LinkHealthCheck.count(groups.size(), "consumer group") + " on "
                    + link.source() + (groups.size() == 1 ? " has" : " have") + " committed offsets on replicated topics ("
                    + LinkHealthCheck.sample(groups) + ")" + consequence, repair));
        } catch (Exception e) {
            finding = Optional.of(new Finding(Reason.CHECKPOINT_TASKS, connector, prefix
                    + ", and listing the consumer groups of " + link.source() + " failed here too ("
                    + ConnectErrors.rootMessage(e) + ")" + consequence, repair));
        }
    }

    /** The source's consumer groups that MirrorCheckpointConnector.findConsumerGroups would checkpoint. */
    private List<String> groupsWithOffsets() throws Exception {
        int timeout = (int) GROUPS_TIMEOUT.toMillis();
        List<String> groups = new ArrayList<>();
        // all(), not valid() as MirrorCheckpointConnector.listConsumerGroups: valid() drops every error, so a
        // listing that times out looks like a source without groups.
        for (GroupListing listing : source.listGroups(ListGroupsOptions.forConsumerGroups().timeoutMs(timeout)).all()
                .get(timeout, TimeUnit.MILLISECONDS)) {
            if (groupFilter.shouldReplicateGroup(listing.groupId())) {
                groups.add(listing.groupId());
            }
        }
        if (groups.isEmpty()) {
            return groups;
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = source.listConsumerGroupOffsets(specs,
                new ListConsumerGroupOffsetsOptions().timeoutMs(timeout)).all().get(timeout, TimeUnit.MILLISECONDS);
        return groups.stream().filter(g -> offsets.getOrDefault(g, Map.of()).keySet().stream()
                .anyMatch(tp -> topicFilter.shouldReplicateTopic(tp.topic()))).sorted().toList();
    }
}
