package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one link: a Kafka Connect distributed herder whose state lives on the link's target
 * cluster, with MirrorMaker 2's three connectors named after the link. It starts, stops and
 * restarts on its own, without touching any other link.
 *
 * <p>What it adds to MirrorMaker 2: it does not start a herder against a cluster it cannot reach
 * (it retries with backoff and says why), a herder that dies takes only its link down and is
 * rebuilt, and connectors or tasks that fail are restarted with backoff, while the failure stays
 * visible in {@link #status()}.
 *
 * <p>Its parts: {@link LinkHerderFactory} builds the herder, {@link LinkSupervisor} decides (states,
 * back-off, the 30-second anti-flap rule), {@link ClusterProbe} asks both clusters whether they
 * answer, {@link TargetTopicWatcher} notices target topics deleted, {@link LinkHealthCheck} what
 * MirrorMaker 2 only logs, {@link LinkSourceEvents} what the source tasks report, and
 * {@link SourcePositions} reads the committed positions. This class runs them on the link's thread.
 */
public final class LinkReplicator {

    private static final Logger log = LoggerFactory.getLogger(LinkReplicator.class);
    private static final Duration SUPERVISE_EVERY = Duration.ofSeconds(1);
    private static final Duration REACH_TIMEOUT = Duration.ofSeconds(10);
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
    private final Duration stopTimeout;
    /** The clock of the link's supervision and of its Kafka Connect herder. */
    private final Time time = Time.SYSTEM;
    private final ScheduledExecutorService scheduler;
    /** Whose cluster IDs tell whether the link's aliases name one cluster; owned when not given. */
    private final ClusterIdentities identities;
    private final boolean ownIdentities;
    private final AtomicLong taskStartCount = new AtomicLong();
    private final LinkHerderFactory herders;
    private final LinkSupervisor supervisor;
    private final ClusterProbe probe;
    private final LinkSourceEvents sourceEvents;
    private final ConnectorRestarts restarts;

    // Written on the scheduler thread; read anywhere.
    private volatile LinkHerder herder;
    private volatile LinkHealthCheck health;
    private volatile Status status;
    private volatile boolean stopped;
    private TargetTopicWatcher targetTopics;
    private ReplicationPlanner.TopicRule topicRule;
    private List<ConnectorStateInfo> connectors = List.of();
    private final Deque<String> events = new ArrayDeque<>();
    private int starts;

    /**
     * @param endpoint   the instance's internal endpoint when several instances share the links
     *                   (scale-out), or null when this instance runs alone
     * @param identities the daemon's view of which aliases name one Kafka cluster, shared by its
     *                   links; null to keep one of the link's own
     */
    public LinkReplicator(LinkId link, MirrorSettings settings, Plugins plugins, Duration stopTimeout,
                          InternalEndpoint endpoint, ClusterIdentities identities) {
        this.ownIdentities = identities == null;
        this.identities = identities == null ? new ClusterIdentities(settings.topology()) : identities;
        this.link = link;
        this.settings = settings;
        this.stopTimeout = stopTimeout;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "strait-link-" + link);
            thread.setDaemon(true);
            return thread;
        });
        this.herders = new LinkHerderFactory(link, settings, plugins, endpoint, taskStartCount, time);
        this.supervisor = new LinkSupervisor(link, time);
        this.probe = new ClusterProbe(link, settings.topology(), REACH_TIMEOUT);
        this.restarts = new ConnectorRestarts(link, () -> herder, scheduler, () -> stopped);
        this.sourceEvents = new LinkSourceEvents(link, scheduler, this::event, restarts::sourceTasksUntilDone);
        this.status = new Status(link, State.STOPPED, Optional.empty(), supervisor.since(), List.of(), 0, 0, List.of(),
                List.of());
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
        supervisor.start();
        connectors = List.of();
        publish();
        scheduler.scheduleWithFixedDelay(this::supervise, 0, SUPERVISE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the link: tasks finish, offsets commit, clients close; waits at most the stop timeout. */
    public void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        SourceTaskEvents.unregister(link.toString(), sourceEvents);
        long begin = time.nanoseconds();
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
            probe.close();
            if (ownIdentities) {
                identities.close();
            }
        });
        try {
            stopping.get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Stopped link {} in {} ms", link, (time.nanoseconds() - begin) / 1_000_000);
        } catch (TimeoutException e) {
            log.warn("Link {} did not stop within {} s; leaving it behind", link, stopTimeout.toSeconds());
        } catch (Exception e) {
            log.warn("Link {} failed to stop cleanly", link, e);
        }
        supervisor.stop();
        connectors = List.of();
        publish();
    }

    /** One round on the link's thread, every second: start, probe, observe, as the supervisor says. */
    private void supervise() {
        try {
            if (stopped) {
                return;
            }
            if (herder == null) {
                if (supervisor.retryDue()) {
                    tryStartHerder();
                }
                return;
            }
            if (herder.ended()) {
                stopHerder();
                fail("Kafka Connect's herder for the link stopped after an error (see the log above)");
                return;
            }
            if (supervisor.probeDue()) {
                // Connect keeps retrying on its own while a cluster is away, and says nothing of it:
                // Strait looks, so that the link is reported failing until the cluster is back.
                Optional<String> unreachable = probe.unreachableCluster(PROBE_TIMEOUT);
                supervisor.probed(unreachable);
                if (unreachable.isEmpty()) {
                    // Two aliases may have come to name one cluster (an address changed, a link was added).
                    Optional<String> refused = identities.refusal(link, PROBE_TIMEOUT);
                    if (refused.isPresent()) {
                        stopHerder();
                        fail(refused.get());
                        return;
                    }
                    targetTopics().check();
                    health().probe(status.connectors());
                }
            }
            if (supervisor.outOfReach()) {
                publish();
                return;
            }
            observe();
        } catch (RuntimeException e) {
            log.error("Supervising link {} failed", link, e);
        }
    }

    private void tryStartHerder() {
        Optional<String> unreachable = probe.unreachableCluster(REACH_TIMEOUT);
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
        // While the herder is built and reads its topics, a new target prepares its group coordinator.
        probe.findGroupCoordinator(settings.workerConfig(link).get(DistributedConfig.GROUP_ID_CONFIG));
        try {
            herder = herders.build();
            starts++;
            herder.start();
            log.info("Started Kafka Connect herder of link {}", link);
        } catch (RuntimeException e) {
            herder = null;
            fail("Could not start Kafka Connect for the link: " + ConnectErrors.rootMessage(e));
        }
    }

    /** Asks Connect for the state of the link's connectors and their tasks; restarts what the supervisor says. */
    private void observe() {
        List<ConnectorStateInfo> found = new ArrayList<>();
        var expected = settings.connectorConfigs(link);
        for (String name : expected.keySet()) {
            try {
                found.add(herder.connectorStatus(name));
            } catch (NotFoundException e) {
                // Not created yet: not running.
            }
        }
        connectors = found;
        List<String> restart = supervisor.observe(found, expected.size(),
                MirrorSettings.connectorName(link, MirrorSourceConnector.class),
                health == null ? List.of() : health.problems());
        publish();
        restart.forEach(restarts::failedParts);
    }

    private void fail(String why) {
        supervisor.fail(why);
        publish();
    }

    /** The status as the supervisor, the last observation, the events and the health check have it. */
    private void publish() {
        status = new Status(link, supervisor.state(), supervisor.detail(), supervisor.since(), List.copyOf(connectors),
                starts, taskStartCount.get(), List.copyOf(events), health == null ? List.of() : health.problems());
    }

    private void stopHerder() {
        LinkHerder current = herder;
        herder = null;
        if (current != null) {
            herders.release(current);
            try {
                current.stop();
            } catch (RuntimeException e) {
                log.warn("Stopping the herder of link {} failed", link, e);
            }
        }
    }

    /**
     * After a target topic was created again, the link's producers still carry sequence numbers of
     * the old topic and the broker refuses their writes for ever (OutOfOrderSequenceException), so
     * the link would stall without a word. Restarting the source tasks gives them fresh producers;
     * they carry on from the link's committed position, so every later record reaches the new topic.
     */
    private void restartSourceTasks(String why) {
        event("restarting the tasks of " + restarts.sourceConnector() + " " + why);
        restarts.sourceTasks();
    }

    /** Records a notable thing about the link (a warning found elsewhere) in the log and its status events. */
    public void note(String what) {
        try {
            scheduler.execute(() -> event(what));
        } catch (RejectedExecutionException e) {
            // stopped
        }
    }

    private void event(String what) {
        log.warn("Link {}: {}", link, what);
        events.addLast(supervisor.now() + " " + what);
        while (events.size() > 20) {
            events.removeFirst();
        }
        publish();
    }

    /** The link's checks for what MirrorMaker 2 only logs, on the link's probe admin clients; built once. */
    private LinkHealthCheck health() {
        if (health == null) {
            health = new LinkHealthCheck(link, settings, topicRule(), probe.admin(link.source()),
                    probe.admin(link.target()));
        }
        return health;
    }

    /** The watcher of the link's target topics, on the link's probe admin clients; built once. */
    private TargetTopicWatcher targetTopics() {
        if (targetTopics == null) {
            targetTopics = new TargetTopicWatcher(link, topicRule(), probe.admin(link.source()),
                    probe.admin(link.target()), PROBE_TIMEOUT, this::event, this::restartSourceTasks);
        }
        return targetTopics;
    }

    /**
     * The metrics of the link's Kafka Connect worker, MirrorMaker 2's per-partition ones among
     * them (record-count, byte-count, replication-latency-ms, record-age-ms), while it runs. Kafka's
     * own {@link Metrics} registry: whoever exports them (the http room) reads it; this class does not
     * know who.
     */
    public Optional<Metrics> workerMetrics() {
        LinkHerder current = herder;
        return current == null ? Optional.empty() : Optional.of(current.workerMetrics());
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
    public CompletableFuture<Map<TopicPartition, Long>> committedPositions() {
        return committedSourceOffsets().thenApply(SourcePositions::offsets);
    }

    /**
     * The source offsets the link has committed, with the topic ID each was taken on and the
     * records counted lost ({@link SourceOffset}), through Connect's offsets API (KIP-875): see
     * {@link SourcePositions}.
     */
    public CompletableFuture<Map<TopicPartition, SourceOffset>> committedSourceOffsets() {
        return SourcePositions.read(herder, link);
    }

    /** Source offsets this instance's tasks found removed before they were copied, by source topic, since start. */
    public Map<String, Long> sourceRecordsLost() {
        return sourceEvents.recordsLost();
    }

    /** Source topics this instance's tasks found deleted and created again, by source topic, since start. */
    public Map<String, Long> sourceTopicRecreations() {
        return sourceEvents.recreations();
    }

    /** The first line of a Connect trace, and its root cause: see {@link ConnectErrors#firstLine}. */
    public static String firstLine(String trace) {
        return ConnectErrors.firstLine(trace);
    }
}
