package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.runtime.RestartRequest;
import org.apache.kafka.connect.runtime.Worker;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.storage.ConfigBackingStore;
import org.apache.kafka.connect.storage.KafkaConfigBackingStore;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.storage.KafkaStatusBackingStore;
import org.apache.kafka.connect.storage.StatusBackingStore;
import org.apache.kafka.connect.util.ConnectUtils;
import org.apache.kafka.connect.util.SharedTopicAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one link: a Kafka Connect distributed herder whose state lives on the link's target
 * cluster, with MirrorMaker 2's three connectors named after the link. It starts, stops and
 * restarts on its own, without touching any other link.
 *
 * <p>What it adds to MirrorMaker 2: it does not start a herder against a cluster it cannot reach
 * (it retries with backoff and says why), a herder that dies takes only its link down and is
 * rebuilt, and connectors or tasks that fail are restarted with backoff, while the failure stays
 * visible in {@link #status()}.
 */
public final class LinkReplicator {

    private static final Logger log = LoggerFactory.getLogger(LinkReplicator.class);
    private static final Duration SUPERVISE_EVERY = Duration.ofSeconds(1);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    private static final Duration REACH_TIMEOUT = Duration.ofSeconds(10);
    /** How long restarted tasks must run without failing before the link counts as recovered. */
    private static final Duration RECOVERED_AFTER = Duration.ofSeconds(30);
    /** How often a running link checks that it still reaches both its clusters. */
    private static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    /** Where a link is in its life. */
    public enum State {
        /** Reaching its clusters, joining its group, starting connectors and tasks. */
        STARTING,
        /** Every connector runs and no task has failed. */
        RUNNING,
        /**
         * Every connector runs and no task has failed, but part of the link's job is not done, for a
         * reason MirrorMaker 2 only logs ({@link LinkHealthCheck.Reason}): {@link Status#problems()}
         * says which. It still copies what it can.
         */
        DEGRADED,
        /** A cluster is out of reach, or a connector or task failed; being retried. */
        FAILING,
        /** Stopped on request. */
        STOPPED
    }

    /**
     * A snapshot of the link for health, metrics and {@code status}.
     *
     * @param detail     why it is not running, or empty
     * @param connectors Connect's view of each connector and its tasks (empty until known)
     * @param starts     how many herders were started for this link (1 unless it had to be rebuilt)
     * @param taskStarts how many times tasks of the link were started on this instance
     * @param events     notable things that happened to the link, newest last (at most 20)
     * @param problems   what keeps the link from doing its whole job (see {@link LinkHealthCheck}), in any state
     */
    public record Status(LinkId link, State state, Optional<String> detail, Instant since,
                         List<ConnectorStateInfo> connectors, int starts, long taskStarts, List<String> events,
                         List<LinkHealthCheck.Problem> problems) {
    }

    private final LinkId link;
    private final MirrorSettings settings;
    private final Plugins plugins;
    private final Duration stopTimeout;
    private final InternalEndpoint endpoint;
    private final ScheduledExecutorService scheduler;
    /** Whose cluster IDs tell whether the link's aliases name one cluster; owned when not given. */
    private final ClusterIdentities identities;
    private final boolean ownIdentities;

    // Written on the scheduler thread; read anywhere.
    private volatile LinkHerder herder;
    private volatile Worker worker;
    private final Map<String, Admin> probes = new HashMap<>();
    private long nextProbeNanos;
    private Optional<String> unreachableNow = Optional.empty();
    private final java.util.Deque<String> events = new java.util.ArrayDeque<>();
    /** Target topics of the link that have existed, with the topic ID last seen. */
    private final Map<String, org.apache.kafka.common.Uuid> targetTopicIds = new HashMap<>();
    private final Set<String> targetTopicsMissing = new java.util.HashSet<>();
    private ReplicationPlanner.TopicRule topicRule;
    private volatile LinkHealthCheck health;
    private long lastFailureNanos;
    private String lastFailure;
    private volatile Status status;
    private volatile boolean stopped;
    private long startAttemptNanos;
    private boolean announcedRunning;
    private int failures;
    private long nextRetryNanos;
    private int starts;
    private final java.util.concurrent.atomic.AtomicLong taskStartCount = new java.util.concurrent.atomic.AtomicLong();
    /** What this instance's source tasks reported, by source topic: offsets lost, and re-creations. */
    private final Map<String, Long> sourceRecordsLost = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> sourceTopicRecreations = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> recreationsSeen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Set<String> restartsDone = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final SourceTaskEvents.Listener sourceEvents = new SourceTaskEvents.Listener() {
        @Override
        public void topicRecreated(String topic, String oldTopicId, String newTopicId, boolean restart) {
            // Every task with a partition of the topic finds it: one re-creation, one report; and one
            // restart for the tasks that were copying the old topic when it went.
            boolean first = recreationsSeen.add(topic + "/" + newTopicId);
            boolean restartNow = restart && restartsDone.add(topic + "/" + newTopicId);
            if (first) {
                sourceTopicRecreations.merge(topic, 1L, Long::sum);
            }
            scheduler.execute(() -> {
                if (first) {
                    event("source topic " + topic + " was deleted and created again on " + link.source() + " (topic ID "
                            + oldTopicId + " -> " + newTopicId + "); it is copied from its beginning, after the records"
                            + " already copied from the old topic, which stay on the target");
                }
                if (restartNow) {
                    event("restarting the tasks of " + MirrorSettings.connectorName(link, MirrorSourceConnector.class)
                            + " so that they copy the new " + topic + " from its beginning");
                    restartUntilDone(topic);
                }
            });
        }

        @Override
        public void restartRequested(String topic, String topicId) {
            if (restartsDone.add("known/" + topic + "/" + topicId)) {
                scheduler.execute(() -> {
                    event("source topic " + topic + " could not be described when the tasks started; it is the same"
                            + " topic (ID " + topicId + "): restarting the tasks of "
                            + MirrorSettings.connectorName(link, MirrorSourceConnector.class)
                            + " so that they resume it from their committed positions");
                    restartUntilDone(topic);
                });
            }
        }

        @Override
        public void recordsLost(String topic, int partition, long from, long to, long count) {
            sourceRecordsLost.merge(topic, count, Long::sum);
            scheduler.execute(() -> event(count + (count == 1 ? " record" : " records") + " of " + topic + "-" + partition
                    + " (source offsets " + from + " to " + (to - 1) + ") were removed on " + link.source()
                    + " before the link copied them (retention or deleted records); they are lost"));
        }
    };

    /**
     * @param endpoint the instance's internal endpoint when several instances share the links
     *                 (scale-out), or null when this instance runs alone
     */
    public LinkReplicator(LinkId link, MirrorSettings settings, Plugins plugins, Duration stopTimeout,
                          InternalEndpoint endpoint) {
        this(link, settings, plugins, stopTimeout, endpoint, null);
    }

    /**
     * @param identities the daemon's view of which aliases name one Kafka cluster, shared by its
     *                   links; null to keep one of the link's own
     */
    public LinkReplicator(LinkId link, MirrorSettings settings, Plugins plugins, Duration stopTimeout,
                          InternalEndpoint endpoint, ClusterIdentities identities) {
        this.ownIdentities = identities == null;
        this.identities = identities == null ? new ClusterIdentities(settings.topology()) : identities;
        this.link = link;
        this.settings = settings;
        this.plugins = plugins;
        this.stopTimeout = stopTimeout;
        this.endpoint = endpoint;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "strait-link-" + link);
            thread.setDaemon(true);
            return thread;
        });
        this.status = new Status(link, State.STOPPED, Optional.empty(), Instant.now(), List.of(), 0, 0, List.of(),
                List.of());
        trapHerderExits();
    }

    public LinkId link() {
        return link;
    }

    public MirrorSettings settings() {
        return settings;
    }

    public Status status() {
        return status;
    }

    /** Starts the link in the background; returns at once. */
    public void start() {
        SourceTaskEvents.register(link.toString(), sourceEvents);
        startAttemptNanos = System.nanoTime();
        setState(State.STARTING, Optional.empty(), List.of());
        scheduler.scheduleWithFixedDelay(this::supervise, 0, SUPERVISE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the link: tasks finish, offsets commit, clients close; waits at most the stop timeout. */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        SourceTaskEvents.unregister(link.toString(), sourceEvents);
        long begin = System.nanoTime();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            scheduler.shutdown();
            try {
                scheduler.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopHerder();
            if (health != null) {
                health.close();
            }
            probes.values().forEach(admin -> admin.close(Duration.ofSeconds(1)));
            if (ownIdentities) {
                identities.close();
            }
        });
        try {
            stopping.get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Stopped link {} in {} ms", link, (System.nanoTime() - begin) / 1_000_000);
        } catch (TimeoutException e) {
            log.warn("Link {} did not stop within {} s; leaving it behind", link, stopTimeout.toSeconds());
        } catch (Exception e) {
            log.warn("Link {} failed to stop cleanly", link, e);
        }
        setState(State.STOPPED, Optional.empty(), List.of());
    }

    private void supervise() {
        try {
            if (stopped) {
                return;
            }
            if (herder == null) {
                if (System.nanoTime() >= nextRetryNanos) {
                    tryStartHerder();
                }
                return;
            }
            if (herder.ended()) {
                stopHerder();
                fail("Kafka Connect's herder for the link stopped after an error (see the log above)");
                return;
            }
            if (System.nanoTime() >= nextProbeNanos) {
                // Connect keeps retrying on its own while a cluster is away, and says nothing of it:
                // Strait looks, so that the link is reported failing until the cluster is back.
                nextProbeNanos = System.nanoTime() + PROBE_EVERY.toNanos();
                Optional<String> unreachable = unreachableCluster(PROBE_TIMEOUT);
                if (unreachable.isPresent() && unreachableNow.isEmpty()) {
                    log.warn("Link {} is failing: {}; Kafka Connect keeps retrying", link, unreachable.get());
                } else if (unreachable.isEmpty() && unreachableNow.isPresent()) {
                    log.info("Link {} reaches its clusters again", link);
                }
                unreachableNow = unreachable;
                if (unreachable.isEmpty()) {
                    // Two aliases may have come to name one cluster (an address changed, a link was added).
                    Optional<String> refused = identities.refusal(link, PROBE_TIMEOUT);
                    if (refused.isPresent()) {
                        stopHerder();
                        fail(refused.get());
                        return;
                    }
                    checkTargetTopics();
                    health().probe(status.connectors());
                }
            }
            if (unreachableNow.isPresent()) {
                setState(State.FAILING, unreachableNow, status.connectors());
                return;
            }
            observe();
        } catch (RuntimeException e) {
            log.error("Supervising link {} failed", link, e);
        }
    }

    private void tryStartHerder() {
        Optional<String> unreachable = unreachableCluster(REACH_TIMEOUT);
        if (unreachable.isPresent()) {
            fail(unreachable.get());
            return;
        }
        // Before any topic is created: a link between aliases of one cluster must not start at all.
        Optional<String> refused = identities.refusal(link, REACH_TIMEOUT);
        if (refused.isPresent()) {
            fail(refused.get());
            return;
        }
        try {
            herder = buildHerder();
            starts++;
            herder.start();
            log.info("Started Kafka Connect herder of link {}", link);
        } catch (RuntimeException e) {
            herder = null;
            fail("Could not start Kafka Connect for the link: " + rootMessage(e));
        }
    }

    /** Looks at the connectors and their tasks; restarts what failed, after a backoff. */
    private void observe() {
        List<ConnectorStateInfo> connectors = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        boolean allRunning = true;
        for (String name : settings.connectorConfigs(link).keySet()) {
            ConnectorStateInfo info;
            try {
                info = herder.connectorStatus(name);
            } catch (NotFoundException e) {
                allRunning = false;
                continue;
            }
            connectors.add(info);
            if ("FAILED".equals(info.connector().state())) {
                failed.add("connector " + name + ": " + firstLine(info.connector().trace()));
            } else if (!"RUNNING".equals(info.connector().state())) {
                allRunning = false;
            }
            for (ConnectorStateInfo.TaskState task : info.tasks()) {
                String key = name + "-" + task.id();
                if ("FAILED".equals(task.state())) {
                    failed.add("task " + key + ": " + firstLine(task.trace()));
                } else if (!"RUNNING".equals(task.state())) {
                    allRunning = false;
                }
            }
        }
        String sourceName = MirrorSettings.connectorName(link, MirrorSourceConnector.class);
        boolean sourceKnown = connectors.stream().anyMatch(c -> c.name().equals(sourceName));
        // MirrorSourceConnector has no task until its source has a partition to copy: such a link is
        // running, but idle, and is not announced as replicating yet.
        int sourceTasks = connectors.stream().filter(c -> c.name().equals(sourceName))
                .mapToInt(c -> c.tasks().size()).sum();
        if (!failed.isEmpty()) {
            String why = String.join("; ", failed);
            lastFailureNanos = System.nanoTime();
            lastFailure = why;
            if (status.state() != State.FAILING || !status.detail().orElse("").equals(why)) {
                log.error("Link {} is failing: {}", link, why);
            }
            setState(State.FAILING, Optional.of(why), connectors);
            if (System.nanoTime() >= nextRetryNanos) {
                restartFailed(connectors);
            }
        } else if (allRunning && sourceKnown && lastFailure != null
                && System.nanoTime() - lastFailureNanos < RECOVERED_AFTER.toNanos()) {
            // Restarted after a failure: reported failing until it has run cleanly for a while, so
            // that a task that fails again at once does not flap between FAILING and RUNNING.
            setState(State.FAILING, Optional.of("restarted after: " + lastFailure), connectors);
        } else if (allRunning && sourceKnown) {
            if (!announcedRunning && sourceTasks > 0) {
                announcedRunning = true;
                log.info("Link {} is replicating ({} source task{}) {} ms after start, {} ms after the JVM's",
                        link, sourceTasks, sourceTasks == 1 ? "" : "s", (System.nanoTime() - startAttemptNanos) / 1_000_000,
                        ManagementFactory.getRuntimeMXBean().getUptime());
            } else if (status.state() == State.FAILING) {
                log.info("Link {} recovered", link);
            }
            failures = 0;
            lastFailure = null;
            List<LinkHealthCheck.Problem> problems = health == null ? List.of() : health.problems();
            setState(problems.isEmpty() ? State.RUNNING : State.DEGRADED,
                    problems.isEmpty() ? Optional.empty() : Optional.of(LinkHealthCheck.summary(problems)), connectors);
        } else {
            setState(status.state() == State.FAILING ? State.FAILING : State.STARTING, status.detail(), connectors);
        }
    }

    private void restartFailed(List<ConnectorStateInfo> connectors) {
        backoff();
        for (ConnectorStateInfo info : connectors) {
            boolean anyFailed = "FAILED".equals(info.connector().state())
                    || info.tasks().stream().anyMatch(t -> "FAILED".equals(t.state()));
            if (anyFailed) {
                log.info("Restarting failed parts of connector {} of link {}", info.name(), link);
                herder.restartConnectorAndTasks(new RestartRequest(info.name(), true, true), (error, result) -> {
                    if (error != null) {
                        log.warn("Could not restart connector {} of link {}: {}", info.name(), link, rootMessage(error));
                    }
                });
            }
        }
    }

    private void fail(String why) {
        backoff();
        long retryIn = Math.max(0, (nextRetryNanos - System.nanoTime()) / 1_000_000_000);
        log.warn("Link {} is failing: {}; retrying in {} s", link, why, retryIn);
        setState(State.FAILING, Optional.of(why), status.connectors());
    }

    private void backoff() {
        failures++;
        long delay = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(failures - 1, 10));
        nextRetryNanos = System.nanoTime() + delay * 1_000_000;
    }

    private void setState(State state, Optional<String> detail, List<ConnectorStateInfo> connectors) {
        Status previous = status;
        Instant since = previous.state() == state ? previous.since() : Instant.now();
        status = new Status(link, state, detail, since, List.copyOf(connectors), starts, taskStartCount.get(),
                List.copyOf(events), health == null ? List.of() : health.problems());
    }

    private void stopHerder() {
        LinkHerder current = herder;
        herder = null;
        worker = null;
        if (current != null) {
            if (endpoint != null) {
                endpoint.unregister(link, current);
            }
            try {
                current.stop();
            } catch (RuntimeException e) {
                log.warn("Stopping the herder of link {} failed", link, e);
            }
        }
    }

    /**
     * Notices a replicated topic deleted on the target. MirrorMaker 2 creates it again at its next
     * refresh (with the source's partitions) and goes on copying into it; what had been copied
     * before the deletion is gone from the target. Strait says so in the log and in the status.
     */
    private void checkTargetTopics() {
        // The target topics this link writes: its source topics, through the rule `plan` uses.
        ReplicationPlanner.TopicRule rule = topicRule();
        Set<String> expected = new java.util.TreeSet<>();
        try {
            for (String topic : probes.get(link.source()).listTopics().names()
                    .get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                if (!rule.isHeartbeats(topic)) {
                    rule.target(topic).ifPresent(expected::add);
                }
            }
        } catch (Exception e) {
            return;
        }
        if (expected.isEmpty()) {
            return;
        }
        var described = probes.get(link.target()).describeTopics(expected).topicNameValues();
        for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<org.apache.kafka.clients.admin.TopicDescription>> entry
                : described.entrySet()) {
            String topic = entry.getKey();
            org.apache.kafka.common.Uuid known = targetTopicIds.get(topic);
            try {
                org.apache.kafka.common.Uuid id = entry.getValue().get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).topicId();
                // A deleted topic may be created again at once (MirrorMaker 2's refresh, or a producer's
                // metadata request with the broker's auto.create.topics.enable): its topic ID tells.
                if (known != null && !known.equals(id)) {
                    if (!targetTopicsMissing.contains(topic)) {
                        event("target topic " + topic + " was deleted on " + link.target() + " and created again;"
                                + " the records copied before the deletion are gone from the target");
                    }
                    restartSourceTasks("so that they write into the new " + topic);
                }
                targetTopicIds.put(topic, id);
                targetTopicsMissing.remove(topic);
            } catch (java.util.concurrent.ExecutionException e) {
                // Gone after it existed: deleted (reported once, until it is back).
                if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException
                        && known != null && targetTopicsMissing.add(topic)) {
                    event("target topic " + topic + " was deleted on " + link.target() + "; MirrorMaker 2 creates it"
                            + " again at its next refresh, and the records copied before the deletion are gone from"
                            + " the target");
                }
            } catch (Exception e) {
                return;
            }
        }
    }

    /**
     * After a target topic was created again, the link's producers still carry sequence numbers of
     * the old topic and the broker refuses their writes for ever (OutOfOrderSequenceException), so
     * the link would stall without a word. Restarting the source tasks gives them fresh producers;
     * they carry on from the link's committed position, so every later record reaches the new topic.
     */
    /**
     * Restarts the source tasks, again every 5 s until Connect accepts it: until then the tasks copy
     * nothing of the re-created topic (StraitSourceTask holds it back).
     */
    private void restartUntilDone(String topic) {
        LinkHerder current = herder;
        if (stopped) {
            return;
        }
        if (current == null) {
            scheduler.schedule(() -> restartUntilDone(topic), 5, TimeUnit.SECONDS);
            return;
        }
        String name = MirrorSettings.connectorName(link, MirrorSourceConnector.class);
        current.restartConnectorAndTasks(new RestartRequest(name, false, true), (error, result) -> {
            if (error != null && !stopped) {
                log.warn("Could not restart connector {} of link {} for the re-created {}: {}; trying again in 5 s",
                        name, link, topic, rootMessage(error));
                scheduler.schedule(() -> restartUntilDone(topic), 5, TimeUnit.SECONDS);
            }
        });
    }

    private void restartSourceTasks(String why) {
        String name = MirrorSettings.connectorName(link, MirrorSourceConnector.class);
        event("restarting the tasks of " + name + " " + why);
        herder.restartConnectorAndTasks(new RestartRequest(name, false, true), (error, result) -> {
            if (error != null) {
                log.warn("Could not restart connector {} of link {}: {}", name, link, rootMessage(error));
            }
        });
    }

    /** Records a notable thing about the link (a warning found elsewhere) in the log and its status events. */
    public void note(String what) {
        try {
            scheduler.execute(() -> event(what));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopped
        }
    }

    private void event(String what) {
        log.warn("Link {}: {}", link, what);
        events.addLast(Instant.now() + " " + what);
        while (events.size() > 20) {
            events.removeFirst();
        }
        setState(status.state(), status.detail(), status.connectors());
    }

    /** The link's checks for what MirrorMaker 2 only logs, on the link's probe admin clients; built once. */
    private LinkHealthCheck health() {
        if (health == null) {
            health = new LinkHealthCheck(link, settings, topicRule(), probeAdmin(link.source()), probeAdmin(link.target()));
        }
        return health;
    }

    /**
     * Asks the link's target and source at once whether they answer, waiting at most {@code wait}
     * for each; the first that does not, target first, with why.
     */
    private Optional<String> unreachableCluster(Duration wait) {
        KafkaFuture<String> target = probeAdmin(link.target()).describeCluster().clusterId();
        KafkaFuture<String> source = probeAdmin(link.source()).describeCluster().clusterId();
        return answer(link.target(), target, wait).or(() -> answer(link.source(), source, wait));
    }

    /** One admin client per cluster, for the link's checks; kept until the link stops. */
    private Admin probeAdmin(String alias) {
        return probes.computeIfAbsent(alias, a -> {
            Map<String, Object> config = ReplicationPlanner.adminConfig(settings.topology().cluster(a), REACH_TIMEOUT);
            config.put(CommonClientConfigs.CLIENT_ID_CONFIG, "strait-probe-" + link + "-" + a);
            return Admin.create(config);
        });
    }

    private Optional<String> answer(String alias, KafkaFuture<String> clusterId, Duration wait) {
        String where = "cannot reach cluster " + alias + " at " + settings.topology().cluster(alias).bootstrapServers();
        try {
            clusterId.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.of(where + ": no answer within " + wait.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.of(where + ": " + rootMessage(e));
        }
    }

    /**
     * The metrics of the link's Kafka Connect worker, MirrorMaker 2's per-partition ones among
     * them (record-count, byte-count, replication-latency-ms, record-age-ms), while it runs.
     */
    public Optional<org.apache.kafka.common.metrics.Metrics> workerMetrics() {
        Worker current = worker;
        return current == null ? Optional.empty() : Optional.of(current.metrics().metrics());
    }

    /** How this link treats source topics; built once, as its connector's filter and policy are. */
    public synchronized ReplicationPlanner.TopicRule topicRule() {
        if (topicRule == null) {
            topicRule = new ReplicationPlanner(settings, PROBE_TIMEOUT).rule(link);
        }
        return topicRule;
    }

    /** Tasks started for this link by its herders on this instance, since the replicator was created. */
    public long taskStarts() {
        return taskStartCount.get();
    }

    /**
     * The source positions the link has committed: for each source topic-partition, the offset of
     * the last record replicated. Asks the link's herder; completes when it answers.
     */
    public CompletableFuture<Map<org.apache.kafka.common.TopicPartition, Long>> committedPositions() {
        return committedSourceOffsets().thenApply(offsets -> {
            Map<org.apache.kafka.common.TopicPartition, Long> positions = new HashMap<>();
            offsets.forEach((tp, offset) -> positions.put(tp, offset.offset()));
            return positions;
        });
    }

    /**
     * The source offsets the link has committed, with the topic ID each was taken on and the
     * records counted lost ({@link SourceOffset}), through Connect's offsets API (KIP-875).
     */
    public CompletableFuture<Map<org.apache.kafka.common.TopicPartition, SourceOffset>> committedSourceOffsets() {
        LinkHerder current = herder;
        CompletableFuture<Map<org.apache.kafka.common.TopicPartition, SourceOffset>> result = new CompletableFuture<>();
        if (current == null) {
            result.complete(Map.of());
            return result;
        }
        current.connectorOffsets(MirrorSettings.connectorName(link, MirrorSourceConnector.class), (error, offsets) -> {
            if (error != null) {
                result.completeExceptionally(error);
                return;
            }
            Map<org.apache.kafka.common.TopicPartition, SourceOffset> positions = new HashMap<>();
            offsets.offsets().forEach(o -> {
                Object topic = o.partition().get("topic");
                Object partition = o.partition().get("partition");
                if (topic != null && partition instanceof Number p) {
                    SourceOffset.from(o.offset()).ifPresent(offset -> positions.put(
                            new org.apache.kafka.common.TopicPartition(topic.toString(), p.intValue()), offset));
                }
            });
            result.complete(positions);
        });
        return result;
    }

    /** Source offsets this instance's tasks found removed before they were copied, by source topic, since start. */
    public Map<String, Long> sourceRecordsLost() {
        return Map.copyOf(sourceRecordsLost);
    }

    /** Source topics this instance's tasks found deleted and created again, by source topic, since start. */
    public Map<String, Long> sourceTopicRecreations() {
        return Map.copyOf(sourceTopicRecreations);
    }

    private LinkHerder buildHerder() {
        Map<String, String> workerProps = settings.workerConfig(link);
        DistributedConfig config = new DistributedConfig(workerProps);
        String clusterId = config.kafkaClusterId();
        String clientIdBase = ConnectUtils.clientIdBase(config);
        Map<String, Object> adminProps = new HashMap<>(config.originals());
        adminProps.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientIdBase + "shared-admin");
        ConnectUtils.addMetricsContextProperties(adminProps, config, clusterId);
        SharedTopicAdmin sharedAdmin = new SharedTopicAdmin(adminProps);
        KafkaOffsetBackingStore offsetStore = new KafkaOffsetBackingStore(sharedAdmin, () -> clientIdBase,
                plugins.newInternalConverter(true, JsonConverter.class.getName(),
                        Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false")));
        offsetStore.configure(config);
        ConnectorClientConfigOverridePolicy overridePolicy = new AllConnectorClientConfigOverridePolicy();
        overridePolicy.configure(settings.config().originals());
        Worker worker = new Worker(workerId(), Time.SYSTEM, plugins, config, offsetStore, overridePolicy);
        this.worker = worker;
        StatusBackingStore statusStore = new KafkaStatusBackingStore(Time.SYSTEM, worker.getInternalValueConverter(),
                sharedAdmin, clientIdBase);
        statusStore.configure(config);
        ConfigBackingStore configStore = new KafkaConfigBackingStore(worker.getInternalValueConverter(), config,
                worker.configTransformer(), sharedAdmin, clientIdBase);
        LinkHerder built = new LinkHerder(link, settings, taskStartCount, config, worker, clusterId, statusStore, configStore,
                endpoint == null ? "NOTUSED" : endpoint.advertisedUrl().toString(),
                endpoint == null ? null : endpoint.client(), overridePolicy, InternalEndpoint.namespace(link), sharedAdmin);
        if (endpoint != null) {
            endpoint.register(link, built);
        }
        return built;
    }

    private String workerId() {
        if (endpoint != null) {
            return endpoint.advertisedUrl().getHost() + ":" + endpoint.advertisedUrl().getPort() + "/" + link;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getCanonicalHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + "/" + link + "/" + UUID.randomUUID();
    }

    /** The first line of a Connect trace, and its root cause (Connect wraps the real error). */
    public static String firstLine(String trace) {
        if (trace == null || trace.isBlank()) {
            return "no reason given";
        }
        String first = trace.lines().findFirst().orElse(trace).trim();
        String root = trace.lines().filter(l -> l.startsWith("Caused by: ")).reduce((a, b) -> b)
                .map(l -> l.substring("Caused by: ".length()).trim()).orElse(null);
        return root == null || first.contains(root) ? first : first + " (caused by " + root + ")";
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static boolean exitsTrapped;

    /**
     * Kafka Connect's herder calls {@code Exit.exit(1)} when its thread meets an uncaught error,
     * which would end every link of the daemon. Strait keeps the process and rebuilds that link.
     */
    private static synchronized void trapHerderExits() {
        if (exitsTrapped) {
            return;
        }
        exitsTrapped = true;
        Exit.setExitProcedure((code, message) -> {
            String thread = Thread.currentThread().getName();
            if (thread.startsWith(LinkHerder.class.getSimpleName() + "-")) {
                log.error("Kafka Connect asked to exit ({}) from {}; only that link is rebuilt", code, thread);
                return;
            }
            System.exit(code);
        });
    }
}
