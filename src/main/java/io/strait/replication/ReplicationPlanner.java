package io.strait.replication;

import io.strait.topology.ClusterSettings;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.connect.mirror.MirrorConnectorConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.ReplicationPolicy;
import org.apache.kafka.connect.mirror.TopicFilter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Predicts what each link will replicate, from the clusters as they are now. It judges each
 * topic with the very filter and replication policy instances the link's MirrorSourceConnector is
 * configured with, and with the same rule the connector applies (filter or heartbeats, not
 * internal, not a cycle), so the plan and the replication cannot disagree.
 */
public final class ReplicationPlanner {

    /**
     * One source topic's fate on a link. {@code skipReason} is empty when it replicates;
     * {@code heartbeats} marks MirrorMaker 2's own heartbeats topics.
     */
    public record TopicPlan(String sourceTopic, int partitions, String targetTopic, int targetPartitions,
                            Optional<String> skipReason, boolean heartbeats) {
        public boolean replicates() {
            return skipReason.isEmpty();
        }

        public boolean targetExists() {
            return targetPartitions >= 0;
        }
    }

    /** A link's plan; {@code error} says why it could not be made (a cluster out of reach). */
    public record LinkPlan(LinkId link, List<TopicPlan> topics, Optional<String> error) {
        public List<TopicPlan> replicated() {
            return topics.stream().filter(TopicPlan::replicates).toList();
        }
    }

    private final MirrorSettings settings;
    private final Duration timeout;

    public ReplicationPlanner(MirrorSettings settings, Duration timeout) {
        this.settings = settings;
        this.timeout = timeout;
    }

    public List<LinkPlan> plan() {
        Map<String, ClusterState> clusters = new HashMap<>();
        List<LinkPlan> plans = new ArrayList<>();
        for (LinkId link : settings.topology().links().keySet()) {
            ClusterState source = clusters.computeIfAbsent(link.source(), this::describe);
            ClusterState target = clusters.computeIfAbsent(link.target(), this::describe);
            if (source.error().isPresent() || target.error().isPresent()) {
                String error = source.error().orElseGet(() -> target.error().orElseThrow());
                plans.add(new LinkPlan(link, List.of(), Optional.of(error)));
            } else {
                plans.add(planLink(link, source.partitions(), target.partitions()));
            }
        }
        return plans;
    }

    /**
     * How a link treats source topics: its MirrorSourceConnector's own filter and replication
     * policy instances, configured as the connector configures them, with the connector's rule
     * (filter or heartbeats, not internal, not a cycle). Plan, lag and the replicator's checks all
     * use it, so they cannot disagree with the replication.
     */
    public static final class TopicRule {
        private final LinkId link;
        private final TopicFilter filter;
        private final ReplicationPolicy policy;
        private final boolean heartbeats;

        private TopicRule(LinkId link, MirrorSourceConfig config) {
            this.link = link;
            this.filter = config.getConfiguredInstance(MirrorSourceConfig.TOPIC_FILTER_CLASS, TopicFilter.class);
            this.policy = config.getConfiguredInstance(MirrorConnectorConfig.REPLICATION_POLICY_CLASS,
                    ReplicationPolicy.class);
            this.heartbeats = config.getBoolean(MirrorSourceConfig.HEARTBEATS_REPLICATION_ENABLED);
        }

        /** Why the link does not replicate the source topic, or empty when it does. */
        public Optional<String> skipReason(String topic) {
            return ReplicationPlanner.skipReason(link, topic, filter, policy, heartbeats);
        }

        /** The topic's name on the target, when the link replicates it. */
        public Optional<String> target(String topic) {
            return skipReason(topic).isEmpty() ? Optional.of(policy.formatRemoteTopic(link.source(), topic))
                    : Optional.empty();
        }

        /** The name a copy of the source topic has on the target, by the link's replication policy (selected or not). */
        public String remoteName(String topic) {
            return policy.formatRemoteTopic(link.source(), topic);
        }

        /**
         * The source topic whose copy the target topic is, by the link's replication policy
         * ({@code ReplicationPolicy.upstreamTopic}); the target topic's own name when the policy cannot tell.
         */
        public String upstream(String targetTopic) {
            String upstream = policy.upstreamTopic(targetTopic);
            return upstream == null ? targetTopic : upstream;
        }

        /** MirrorMaker 2's heartbeats topic, or a copy of one: its own, written every second. */
        public boolean isHeartbeats(String topic) {
            return policy.isHeartbeatsTopic(topic);
        }
    }

    /** The link's topic rule (builds the connector's filter and policy once). */
    public TopicRule rule(LinkId link) {
        return new TopicRule(link, new MirrorSourceConfig(settings.connectorConfig(link, MirrorSourceConnector.class)));
    }

    /** The plan for one link, given the topics (name to partition count) on each side. */
    public LinkPlan planLink(LinkId link, SortedMap<String, Integer> sourceTopics, SortedMap<String, Integer> targetTopics) {
        TopicRule rule = rule(link);
        List<TopicPlan> topics = new ArrayList<>();
        sourceTopics.forEach((topic, partitions) -> {
            Optional<String> target = rule.target(topic);
            int targetPartitions = target.map(t -> targetTopics.getOrDefault(t, -1)).orElse(-1);
            topics.add(new TopicPlan(topic, partitions, target.orElse(null), targetPartitions, rule.skipReason(topic),
                    rule.isHeartbeats(topic)));
        });
        return new LinkPlan(link, topics, Optional.empty());
    }

    private static Optional<String> skipReason(LinkId link, String topic, TopicFilter filter, ReplicationPolicy policy,
                                               boolean heartbeats) {
        if (policy.isInternalTopic(topic)) {
            return Optional.of("internal (MirrorMaker 2 never replicates it)");
        }
        if (isCycle(topic, link.target(), policy)) {
            return Optional.of("cycle (its name shows it came from " + link.target() + ")");
        }
        if (filter.shouldReplicateTopic(topic) || (heartbeats && policy.isHeartbeatsTopic(topic))) {
            return Optional.empty();
        }
        if (filter instanceof SelectionTopicFilter selection) {
            return selection.reasonSkipped(topic);
        }
        return Optional.of("excluded by " + filter.getClass().getSimpleName());
    }

    /** MirrorSourceConnector's cycle rule: some alias along the name's prefix chain is the target. */
    static boolean isCycle(String topic, String target, ReplicationPolicy policy) {
        String source = policy.topicSource(topic);
        if (source == null) {
            return false;
        }
        if (source.equals(target)) {
            return true;
        }
        String upstream = policy.upstreamTopic(topic);
        return upstream != null && !upstream.equals(topic) && isCycle(upstream, target, policy);
    }

    private record ClusterState(SortedMap<String, Integer> partitions, Optional<String> error) {
    }

    private ClusterState describe(String alias) {
        ClusterSettings cluster = settings.topology().cluster(alias);
        try (Admin admin = Admin.create(adminConfig(cluster, timeout))) {
            Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true))
                    .names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            SortedMap<String, Integer> partitions = new TreeMap<>();
            descriptions.forEach((name, d) -> partitions.put(name, d.partitions().size()));
            return new ClusterState(partitions, Optional.empty());
        } catch (TimeoutException e) {
            return unreachable(cluster, "no answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            return unreachable(cluster, e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unreachable(cluster, "interrupted");
        }
    }

    private static ClusterState unreachable(ClusterSettings cluster, String why) {
        return new ClusterState(new TreeMap<>(), Optional.of("cannot reach cluster " + cluster.alias() + " at "
                + cluster.bootstrapServers() + ": " + why));
    }

    /** Settings for an admin client of the cluster that gives up after {@code timeout}. */
    public static Map<String, Object> adminConfig(ClusterSettings cluster, Duration timeout) {
        return ClientConfigs.admin(cluster, "strait-planner-" + cluster.alias(), timeout);
    }
}
