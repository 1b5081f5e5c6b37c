package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.connect.mirror.MirrorSourceConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds what keeps a running link from doing its whole job while MirrorMaker 2 only logs it, so
 * that the link is reported DEGRADED with the reasons:
 * <ul>
 *   <li>a target topic missing, with fewer or more partitions than its source, or a different
 *       {@code cleanup.policy} (MirrorSourceConnector logs "Could not create topic" or "Could not
 *       create topic-partitions" as a WARN, and a producer may create the topic with the broker's
 *       defaults: 1 partition, {@code cleanup.policy=delete});</li>
 *   <li>a config that the config sync copies, still different after the sync interval
 *       (MirrorSourceConnector.incrementalAlterConfigs logs "Could not alter configuration of topic"
 *       as a WARN);</li>
 *   <li>MirrorSourceConnector with no task while selected topics exist, or MirrorCheckpointConnector
 *       with no task while selected groups have committed offsets on replicated topics. The checkpoint
 *       connector creates tasks only for the groups it lists, and it lists them with
 *       {@code ListGroupsResult.valid()}, which drops every error: a listing that times out on a source
 *       with very many groups (KAFKA-17232) leaves it with no group, no task and no warning.</li>
 * </ul>
 * Each finding is reported only once it has lasted longer than MirrorMaker 2 takes to repair it
 * (a refresh or sync interval, plus two probes), so that a new partition or config on the source
 * is not reported while MirrorMaker 2 is about to copy it. Checks run on their own thread, one
 * round at a time, with the link's probe admin clients; nothing here blocks the link's supervisor.
 * The checkpoint connector's own check, which lists the source's groups, is {@link CheckpointTaskCheck}.
 */
public final class LinkHealthCheck implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LinkHealthCheck.class);
    /** Added to MirrorMaker 2's own interval before a finding is reported: two probes of the supervisor. */
    static final Duration SLACK = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    /** Why a link is degraded; {@link #label()} is the bounded {@code reason} label of the metric. */
    public enum Reason {
        /** A selected source topic has no topic on the target. */
        TARGET_MISSING,
        /** The target topic has another partition count than its source. */
        TARGET_PARTITIONS,
        /** The target topic has another cleanup.policy than its source. */
        TARGET_CLEANUP_POLICY,
        /** A config MirrorMaker 2 syncs still differs after the sync interval. */
        TARGET_CONFIG,
        /** MirrorSourceConnector has no task while selected topics exist: nothing is copied. */
        SOURCE_TASKS,
        /** MirrorCheckpointConnector has no task while selected groups have offsets: none are translated. */
        CHECKPOINT_TASKS;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One finding.
     *
     * @param subject what it is about: a target topic, a topic's config, or a connector
     * @param since   when it was first seen (it is reported only after its grace period)
     */
    public record Problem(Reason reason, String subject, String message, Instant since) {
    }

    /** A finding of one round, with how long it must last before it is reported. */
    record Finding(Reason reason, String subject, String message, Duration grace) {
        String key() {
            return reason + " " + subject;
        }
    }

    private final LinkId link;
    private final ReplicationPlanner.TopicRule rule;
    private final Admin source;
    private final Admin target;
    private final TopicConfigDiff configs;
    private final Duration refreshInterval;
    private final String sourceConnector;
    private final CheckpointTaskCheck checkpointTasks;
    private final ExecutorService executor;

    private final Map<String, Instant> firstSeen = new HashMap<>();
    private volatile List<Problem> problems = List.of();
    private Future<?> round;
    private Instant configsComparedAt;
    private List<Finding> configFindings = List.of();

    LinkHealthCheck(LinkId link, MirrorSettings settings, ReplicationPlanner.TopicRule rule, Admin source, Admin target) {
        this.link = link;
        this.rule = rule;
        this.source = source;
        this.target = target;
        MirrorSourceConfig sourceConfig = new MirrorSourceConfig(settings.connectorConfig(link, MirrorSourceConnector.class));
        this.configs = TopicConfigDiff.of(sourceConfig);
        this.refreshInterval = Duration.ofSeconds(sourceConfig.getLong(MirrorSourceConfig.REFRESH_TOPICS_INTERVAL_SECONDS));
        this.checkpointTasks = new CheckpointTaskCheck(link, settings, source, refreshInterval);
        this.sourceConnector = MirrorSettings.connectorName(link, MirrorSourceConnector.class);
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "strait-health-" + link);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The findings that have lasted past their grace period, oldest first. */
    public List<Problem> problems() {
        return problems;
    }

    /** The problems in one sentence each, joined: the link's detail while it is DEGRADED. */
    public static String summary(List<Problem> problems) {
        return String.join("; ", problems.stream().map(Problem::message).toList());
    }

    /**
     * Starts a round of checks in the background, unless the last one is still running.
     *
     * @param connectors Connect's view of the link's connectors now
     */
    public synchronized void probe(List<ConnectorStateInfo> connectors) {
        if (round != null && !round.isDone()) {
            return;
        }
        List<ConnectorStateInfo> snapshot = List.copyOf(connectors);
        round = executor.submit(() -> {
            try {
                check(snapshot, Instant.now());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // The cluster is slow or away: the supervisor reports that; keep what was found before.
                log.debug("Health check of link {} did not finish: {}", link, ConnectErrors.rootMessage(e));
            }
        });
    }

    private void check(List<ConnectorStateInfo> connectors, Instant now) throws Exception {
        List<Finding> findings = new ArrayList<>();
        SortedMap<String, String> selected = selectedTopics();
        SortedMap<String, Integer> sourcePartitions = partitions(source, selected.keySet());
        selected.keySet().retainAll(sourcePartitions.keySet());
        SortedMap<String, Integer> targetPartitions = partitions(target, selected.values());
        findings.addAll(topicFindings(selected, sourcePartitions, targetPartitions));
        // Configs are described at most every sync interval (at most 30 s): on a link with many topics that
        // is the costly part, and a difference is reported only after the sync interval anyway.
        Duration compareEvery = configs.syncInterval().compareTo(Duration.ofSeconds(30)) < 0
                ? configs.syncInterval() : Duration.ofSeconds(30);
        if (configsComparedAt == null || !now.isBefore(configsComparedAt.plus(compareEvery))) {
            configFindings = configFindings(selected, targetPartitions);
            configsComparedAt = now;
        }
        findings.addAll(configFindings);
        connectorFindings(connectors, selected, now).ifPresent(findings::add);
        publish(findings, now);
    }

    /** Selected source topics (not MirrorMaker 2's heartbeats), with their target names. */
    private SortedMap<String, String> selectedTopics() throws Exception {
        SortedMap<String, String> selected = new TreeMap<>();
        for (String topic : source.listTopics(new ListTopicsOptions().timeoutMs((int) CALL_TIMEOUT.toMillis()))
                .names().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            if (!rule.isHeartbeats(topic)) {
                rule.target(topic).ifPresent(t -> selected.put(topic, t));
            }
        }
        return selected;
    }

    /** Partition counts of the topics that exist. */
    private static SortedMap<String, Integer> partitions(Admin admin, java.util.Collection<String> topics) throws Exception {
        SortedMap<String, Integer> counts = new TreeMap<>();
        if (topics.isEmpty()) {
            return counts;
        }
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                counts.put(entry.getKey(), entry.getValue().get(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS).partitions().size());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
        }
        return counts;
    }

    List<Finding> topicFindings(SortedMap<String, String> selected, Map<String, Integer> sourcePartitions,
                                Map<String, Integer> targetPartitions) {
        List<Finding> findings = new ArrayList<>();
        Duration repair = refreshInterval.plus(SLACK);
        selected.forEach((topic, remote) -> {
            int sourceCount = sourcePartitions.get(topic);
            Integer targetCount = targetPartitions.get(remote);
            if (targetCount == null) {
                findings.add(new Finding(Reason.TARGET_MISSING, remote, "target topic " + remote + " does not exist on "
                        + link.target() + " although " + topic + " exists on " + link.source() + ": MirrorMaker 2 could"
                        + " not create it (see its \"Could not create topic\" warning in the log), so " + topic
                        + " is not copied", repair));
            } else if (targetCount < sourceCount) {
                findings.add(new Finding(Reason.TARGET_PARTITIONS, remote, "target topic " + remote + ": "
                        + partitionCount(targetCount) + " on " + link.target() + ", " + sourceCount + " on " + link.source()
                        + "; records of partitions " + range(targetCount, sourceCount) + " cannot be written and the tasks"
                        + " copying them wait (MirrorMaker 2 could not add partitions: see its \"Could not create"
                        + " topic-partitions\" warning in the log)", repair));
            } else if (targetCount > sourceCount) {
                // MirrorMaker 2 never removes partitions: no point in waiting.
                findings.add(new Finding(Reason.TARGET_PARTITIONS, remote, "target topic " + remote + ": "
                        + partitionCount(targetCount) + " on " + link.target() + ", " + sourceCount + " on " + link.source()
                        + "; partitions " + range(sourceCount, targetCount) + " stay empty, and producers that fail over to "
                        + link.target() + " put keys in other partitions than on " + link.source(), Duration.ZERO));
            }
        });
        return findings;
    }

    private List<Finding> configFindings(SortedMap<String, String> selected, Map<String, Integer> targetPartitions)
            throws Exception {
        Map<String, String> present = new LinkedHashMap<>();
        selected.forEach((topic, remote) -> {
            if (targetPartitions.containsKey(remote)) {
                present.put(topic, remote);
            }
        });
        if (present.isEmpty()) {
            return List.of();
        }
        Map<String, Config> sourceConfigs = TopicConfigDiff.describe(source, present.keySet(), CALL_TIMEOUT);
        Map<String, Config> targetConfigs = TopicConfigDiff.describe(target, present.values(), CALL_TIMEOUT);
        List<Finding> findings = new ArrayList<>();
        present.forEach((topic, remote) -> {
            Config sourceConfig = sourceConfigs.get(topic);
            Config targetConfig = targetConfigs.get(remote);
            if (sourceConfig != null && targetConfig != null) {
                findings.addAll(configFindings(remote, configs.compare(sourceConfig, targetConfig)));
            }
        });
        return findings;
    }

    /** The differences of one target topic worth reporting: every cleanup.policy, and what the sync should have fixed. */
    List<Finding> configFindings(String remote, List<TopicConfigDiff.Difference> differences) {
        List<Finding> findings = new ArrayList<>();
        Duration syncGrace = configs.syncInterval().plus(SLACK);
        for (TopicConfigDiff.Difference difference : differences) {
            boolean synced = difference.sync() == TopicConfigDiff.Sync.SYNCED;
            String what = "target topic " + remote + ": " + difference.name() + " is "
                    + (difference.targetValue() == null ? "not set" : difference.targetValue()) + " on " + link.target()
                    + ", " + difference.sourceValue() + " on " + link.source();
            String why = synced ? "; MirrorMaker 2's config sync (every " + configs.syncInterval().toSeconds()
                    + " s) has not applied it: the target may refuse it (see its \"Could not alter configuration of"
                    + " topic\" warning in the log)" : " (" + configs.explain(difference.sync()) + ")";
            if (difference.isCleanupPolicy()) {
                findings.add(new Finding(Reason.TARGET_CLEANUP_POLICY, remote, what + why,
                        synced ? syncGrace : Duration.ZERO));
            } else if (synced) {
                findings.add(new Finding(Reason.TARGET_CONFIG, remote + " " + difference.name(), what + why, syncGrace));
            }
        }
        return findings;
    }

    Optional<Finding> connectorFindings(List<ConnectorStateInfo> connectors, SortedMap<String, String> selected,
                                                Instant now) {
        Optional<Finding> sourceIdle = Optional.empty();
        boolean checkpointIdle = false;
        for (ConnectorStateInfo info : connectors) {
            boolean idle = "RUNNING".equals(info.connector().state()) && info.tasks().isEmpty();
            if (info.name().equals(sourceConnector) && idle && !selected.isEmpty()) {
                sourceIdle = Optional.of(new Finding(Reason.SOURCE_TASKS, sourceConnector, "connector " + sourceConnector
                        + " has no task although " + count(selected.size(), "selected topic") + (selected.size() == 1 ? " exists" : " exist") + " on "
                        + link.source() + " (" + sample(selected.keySet()) + "): nothing is copied; MirrorMaker 2 has not"
                        + " listed them (see the log of MirrorSourceConnector)", refreshInterval.plus(SLACK)));
            }
            if (info.name().equals(checkpointTasks.connector()) && idle && checkpointTasks.enabled()) {
                checkpointIdle = true;
            }
        }
        checkpointTasks.update(checkpointIdle, now);
        // Two findings at most: return the source's here, keep the checkpoint's in its own field.
        return sourceIdle;
    }

    /** Keeps the first-seen time of each finding, publishes those past their grace, and logs changes. */
    synchronized void publish(List<Finding> findings, Instant now) {
        List<Finding> all = new ArrayList<>(findings);
        checkpointTasks.finding().ifPresent(all::add);
        Map<String, Finding> byKey = new LinkedHashMap<>();
        all.forEach(f -> byKey.putIfAbsent(f.key(), f));
        firstSeen.keySet().retainAll(byKey.keySet());
        List<Problem> current = new ArrayList<>();
        byKey.forEach((key, finding) -> {
            Instant since = firstSeen.computeIfAbsent(key, k -> now);
            if (!now.isBefore(since.plus(finding.grace()))) {
                current.add(new Problem(finding.reason(), finding.subject(), finding.message(), since));
            }
        });
        current.sort(java.util.Comparator.comparing(Problem::since).thenComparing(p -> p.reason().ordinal()));
        Map<String, Problem> before = new HashMap<>();
        problems.forEach(p -> before.put(p.reason() + " " + p.subject(), p));
        for (Problem problem : current) {
            if (before.remove(problem.reason() + " " + problem.subject()) == null) {
                log.warn("Link {} is degraded: {}", link, problem.message());
            }
        }
        before.values().forEach(p -> log.info("Link {}: resolved: {}", link, p.message()));
        problems = List.copyOf(current);
    }

    private static String partitionCount(int count) {
        return count == 1 ? "1 partition" : count + " partitions";
    }

    private static String range(int from, int toExclusive) {
        return toExclusive - from == 1 ? Integer.toString(from) : from + "-" + (toExclusive - 1);
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** At most five names, then how many more. */
    static String sample(java.util.Collection<String> names) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(names));
        String shown = String.join(", ", sorted.subList(0, Math.min(5, sorted.size())));
        return sorted.size() > 5 ? shown + " and " + (sorted.size() - 5) + " more" : shown;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
