package io.strait.daemon;

import io.strait.failover.GroupCheckpointer;
import io.strait.replication.ClientConfigs;
import io.strait.replication.ClusterIdentities;
import io.strait.replication.InternalEndpoint;
import io.strait.replication.LinkReplicator;
import io.strait.replication.MirrorSettings;
import io.strait.replication.SourceOffset;
import io.strait.topology.LinkId;
import io.strait.topology.Problem;
import io.strait.topology.SharedClusters;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The long-lived replication daemon: one {@link LinkReplicator} per link of the topology. Links
 * start in the background and keep retrying on their own. A new topology (a reload) starts new
 * links, stops removed ones, restarts changed ones and leaves every other link alone.
 * {@link #stop()} stops every link in parallel, each within the topology's stop timeout.
 */
public final class StraitDaemon {

    private static final Logger log = LoggerFactory.getLogger(StraitDaemon.class);
    private static final Duration LAG_EVERY = Duration.ofSeconds(10);
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(10);
    /** How often the clusters behind the aliases are compared (by cluster ID) for warnings. */
    private static final Duration SHARED_CLUSTERS_EVERY = Duration.ofSeconds(30);

    /**
     * The source side of a link's progress: per source partition, records not yet replicated, and
     * records the link counted lost because the source removed them before they were copied (kept
     * with the committed position, so it survives restarts: {@code SourceOffset.lostRecords}).
     */
    public record LagSample(Instant at, SortedMap<TopicPartition, Long> lag, Map<TopicPartition, Long> lost,
                            Optional<String> error) {
        public long total() {
            return lag.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Records lost at the source, by source topic. */
        public SortedMap<String, Long> lostByTopic() {
            SortedMap<String, Long> byTopic = new TreeMap<>();
            lost.forEach((tp, n) -> byTopic.merge(tp.topic(), n, Long::sum));
            return byTopic;
        }
    }

    /** What reloads have done so far. */
    public record ReloadState(long reloads, long failures, Optional<Instant> lastAt, List<String> lastErrors) {
    }

    private final Path file;
    private final TopologyLoader loader;
    private final Plugins plugins;
    /** Written under this object's monitor (start, apply, stop); read without it, by probes and metrics. */
    private final SortedMap<LinkId, LinkReplicator> links = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Map<LinkId, LinkChanges.Fingerprint> fingerprints = new HashMap<>();
    /** Each link's consumer-group checkpointer (failover), when the link checkpoints groups. */
    private final Map<LinkId, GroupCheckpointer> checkpointers = new ConcurrentHashMap<>();
    private final Map<LinkId, LagSample> lag = new ConcurrentHashMap<>();
    private final Map<String, Admin> lagAdmins = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** Wedged when its ticker made no progress for 30 s ({@code /healthy}). */
    private final Liveness liveness = new Liveness(org.apache.kafka.common.utils.Time.SYSTEM, Duration.ofSeconds(30));
    private final ScheduledExecutorService ticker = single("strait-daemon");
    private final ScheduledExecutorService sampler = single("strait-lag-sampler");
    private volatile Topology topology;
    private volatile ReloadState reloadState = new ReloadState(0, 0, Optional.empty(), List.of());
    private InternalEndpoint endpoint;
    private TopologyWatcher watcher;
    /** Which aliases name one Kafka cluster: shared by every link, which refuses to run on such aliases. */
    private final ClusterIdentities identities;
    /** Warnings about aliases of one cluster already noted in each replicator's events (and so logged). */
    private final Map<LinkReplicator, Set<String>> sharedClusterNotes = java.util.Collections.synchronizedMap(
            new java.util.WeakHashMap<>());

    /** A daemon for a topology that is not reloaded from a file (demo, tests). */
    public StraitDaemon(Topology topology) {
        this(topology, null, null);
    }

    /** A daemon for a topology file, which it watches and reloads when it changes. */
    public StraitDaemon(Topology topology, Path file, TopologyLoader loader) {
        this.topology = topology;
        this.file = file;
        this.loader = loader;
        this.identities = new ClusterIdentities(topology);
        long begin = System.nanoTime();
        // Connect's plugins are found once and shared by every link's worker.
        this.plugins = new Plugins(topology.engine().worker());
        plugins.compareAndSwapWithDelegatingLoader();
        log.debug("Loaded Connect plugins in {} ms", (System.nanoTime() - begin) / 1_000_000);
    }

    /** Starts every link in the background; returns at once. */
    public synchronized void start() {
        if (topology.scaleOut().enabled()) {
            endpoint = InternalEndpoint.start(topology.scaleOut());
        }
        MirrorSettings settings = new MirrorSettings(topology);
        log.info("Starting {} of {}: {}", topology.links().size() == 1 ? "1 link" : topology.links().size() + " links", topology.source(),
                String.join(", ", topology.links().keySet().stream().map(LinkId::toString).toList()));
        for (LinkId id : topology.links().keySet()) {
            startLink(id, settings);
        }
        ticker.scheduleWithFixedDelay(liveness::tick, 0, 1, TimeUnit.SECONDS);
        sampler.scheduleWithFixedDelay(this::sampleLag, LAG_EVERY.toMillis(), LAG_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        sampler.scheduleWithFixedDelay(this::checkSharedClusters, 0, SHARED_CLUSTERS_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        if (file != null && topology.reload().watch()) {
            watcher = new TopologyWatcher(file, topology.reload().interval(), this::reload);
            watcher.start();
        }
    }

    private void startLink(LinkId id, MirrorSettings settings) {
        LinkReplicator replicator = new LinkReplicator(id, settings, plugins, topology.engine().stopTimeout(), endpoint,
                identities);
        links.put(id, replicator);
        fingerprints.put(id, LinkChanges.Fingerprint.of(settings, id));
        replicator.start();
        if (GroupCheckpointer.enabled(id, settings)) {
            checkpointers.put(id, new GroupCheckpointer(id, settings).start());
        }
    }

    private void stopCheckpointer(LinkId id) {
        GroupCheckpointer checkpointer = checkpointers.remove(id);
        if (checkpointer != null) {
            checkpointer.close();
        }
    }

    /**
     * Reads the topology file again and applies it. If it is invalid, nothing changes: the errors
     * are logged and kept for {@code /status} and the metrics.
     */
    public void reload() {
        if (file == null || stopping.get()) {
            return;
        }
        Topology next;
        try {
            next = loader.load(file);
        } catch (TopologyException e) {
            List<String> errors = e.errors().stream().map(Problem::toString).toList();
            errors.forEach(error -> log.error("Reload refused: {}", error));
            log.error("Reload of {} refused ({}); the running topology is unchanged", file,
                    errors.size() == 1 ? "1 error" : errors.size() + " errors");
            ReloadState was = reloadState;
            reloadState = new ReloadState(was.reloads(), was.failures() + 1, Optional.of(Instant.now()), errors);
            return;
        } catch (RuntimeException e) {
            log.error("Reload of {} failed; the running topology is unchanged", file, e);
            ReloadState was = reloadState;
            reloadState = new ReloadState(was.reloads(), was.failures() + 1, Optional.of(Instant.now()),
                    List.of(String.valueOf(e.getMessage())));
            return;
        }
        apply(next);
    }

    /** Moves the running links to a new, valid topology, touching only the links that differ. */
    public synchronized void apply(Topology next) {
        if (stopping.get()) {
            return;
        }
        long begin = System.nanoTime();
        next.warnings().forEach(w -> log.warn("{}", w));
        MirrorSettings settings = new MirrorSettings(next);
        LinkChanges changes = LinkChanges.between(fingerprints, settings);
        List<LinkId> removed = changes.removed();
        List<LinkId> changed = changes.changed();
        List<LinkId> added = changes.added();
        if (!Objects.equals(next.http(), topology.http()) || !Objects.equals(next.scaleOut(), topology.scaleOut())) {
            log.warn("Changes to strait.http and strait.scale-out take effect at the next restart");
        }
        List<LinkId> stopping = new ArrayList<>(removed);
        stopping.addAll(changed);
        CompletableFuture.allOf(stopping.stream()
                .map(id -> CompletableFuture.runAsync(links.get(id)::stop))
                .toArray(CompletableFuture[]::new)).join();
        stopping.forEach(id -> {
            stopCheckpointer(id);
            links.remove(id);
            fingerprints.remove(id);
            lag.remove(id);
        });
        this.topology = next;
        identities.update(next);
        closeLagAdmins();
        changed.forEach(id -> startLink(id, settings));
        added.forEach(id -> startLink(id, settings));
        ReloadState was = reloadState;
        reloadState = new ReloadState(was.reloads() + 1, was.failures(), Optional.of(Instant.now()), List.of());
        try {
            sampler.execute(this::checkSharedClusters);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
        log.info("Applied topology {} in {} ms: {} links added {}, {} removed {}, {} restarted {}, {} unchanged",
                next.source(), (System.nanoTime() - begin) / 1_000_000, added.size(), added, removed.size(), removed,
                changed.size(), changed, changes.unchanged().size());
    }

    /** Stops every link, in parallel; idempotent. */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        long begin = System.nanoTime();
        if (watcher != null) {
            watcher.stop();
        }
        List<LinkReplicator> running = new ArrayList<>(links.values());
        log.info("Stopping {}", running.size() == 1 ? "1 link" : running.size() + " links");
        new ArrayList<>(checkpointers.keySet()).forEach(this::stopCheckpointer);
        CompletableFuture.allOf(running.stream()
                .map(link -> CompletableFuture.runAsync(link::stop))
                .toArray(CompletableFuture[]::new)).join();
        ticker.shutdownNow();
        sampler.shutdownNow();
        identities.close();
        synchronized (this) {
            closeLagAdmins();
            if (endpoint != null) {
                endpoint.close();
            }
        }
        log.info("Strait stopped in {} ms", (System.nanoTime() - begin) / 1_000_000);
        stopped.countDown();
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public Topology topology() {
        return topology;
    }

    public ReloadState reloadState() {
        return reloadState;
    }

    /** False when the daemon's own threads stopped making progress: it is wedged. */
    public boolean alive() {
        return !stopping.get() && liveness.alive();
    }

    /** A snapshot of every link, by id. Never waits: not even for a reload stopping links. */
    public SortedMap<LinkId, LinkReplicator.Status> statuses() {
        SortedMap<LinkId, LinkReplicator.Status> statuses = new TreeMap<>();
        links.forEach((id, link) -> statuses.put(id, link.status()));
        return statuses;
    }

    /** The running replicators, by link. Never waits. */
    public SortedMap<LinkId, LinkReplicator> links() {
        return new TreeMap<>(links);
    }

    /** The consumer groups of a link as its checkpointer last saw them (failover), if it checkpoints groups. */
    public Optional<GroupCheckpointer.Status> groups(LinkId link) {
        return Optional.ofNullable(checkpointers.get(link)).map(GroupCheckpointer::status);
    }

    /** The latest lag sample of each link that has one. */
    public Map<LinkId, LagSample> lag() {
        return Map.copyOf(lag);
    }

    // ---- one cluster under two aliases ----

    /**
     * Warns, once per link in the log and in its status events, when two aliases of the
     * topology name one Kafka cluster (see {@link SharedClusters}). The links refuse what must not
     * run themselves, and say so as their state.
     */
    private void checkSharedClusters() {
        try {
            for (SharedClusters.Finding finding : identities.findings(Duration.ofSeconds(5))) {
                if (finding.refuses()) {
                    continue;
                }
                for (LinkId id : finding.links()) {
                    LinkReplicator link = links.get(id);
                    if (link != null && sharedClusterNotes.computeIfAbsent(link, l -> ConcurrentHashMap.newKeySet())
                            .add(finding.message())) {
                        link.note(finding.message());
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not compare the clusters behind the topology's aliases", e);
        }
    }

    // ---- lag ----

    private void sampleLag() {
        for (Map.Entry<LinkId, LinkReplicator> entry : links().entrySet()) {
            LinkId id = entry.getKey();
            try {
                Map<TopicPartition, SourceOffset> positions = new HashMap<>(entry.getValue().committedSourceOffsets()
                        .get(LAG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                // The offsets topic keeps positions of topics the link no longer replicates (its
                // filter changed): those are not lag.
                var rule = entry.getValue().topicRule();
                positions.keySet().removeIf(tp -> rule.target(tp.topic()).isEmpty());
                SortedMap<TopicPartition, Long> sample = new TreeMap<>(
                        java.util.Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition));
                Map<TopicPartition, Long> lost = new HashMap<>();
                if (!positions.isEmpty()) {
                    Admin admin = lagAdmin(id.source());
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    positions.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin
                            .listOffsets(latest).all().get(LAG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    Map<String, String> topicIds = new HashMap<>();
                    admin.describeTopics(positions.keySet().stream().map(TopicPartition::topic).distinct().toList())
                            .topicNameValues().forEach((topic, future) -> {
                                try {
                                    topicIds.put(topic, future.get(LAG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                                            .topicId().toString());
                                } catch (Exception e) {
                                    // Deleted: its position no longer means anything.
                                }
                            });
                    // The committed position is the offset of the last record replicated. A position
                    // taken on a topic since deleted and created again counts the new topic whole.
                    positions.forEach((tp, position) -> {
                        ListOffsetsResult.ListOffsetsResultInfo end = ends.get(tp);
                        if (end == null) {
                            return;
                        }
                        long from = position.takenOnAnotherTopic(topicIds.get(tp.topic())) ? 0 : position.offset() + 1;
                        sample.put(tp, Math.max(0, end.offset() - from));
                        if (position.lostRecords() > 0) {
                            lost.put(tp, position.lostRecords());
                        }
                    });
                }
                lag.put(id, new LagSample(Instant.now(), sample, Map.copyOf(lost), Optional.empty()));
            } catch (Exception e) {
                LagSample was = lag.get(id);
                lag.put(id, new LagSample(Instant.now(), was == null ? new TreeMap<>() : was.lag(),
                        was == null ? Map.of() : was.lost(),
                        Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage())));
            }
        }
    }

    private synchronized Admin lagAdmin(String alias) {
        return lagAdmins.computeIfAbsent(alias, a ->
                Admin.create(ClientConfigs.admin(topology.cluster(a), "strait-lag-" + a, LAG_TIMEOUT)));
    }

    private synchronized void closeLagAdmins() {
        lagAdmins.values().forEach(admin -> admin.close(Duration.ofSeconds(1)));
        lagAdmins.clear();
    }

    private static ScheduledExecutorService single(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
