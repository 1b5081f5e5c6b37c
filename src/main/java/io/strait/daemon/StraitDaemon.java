package io.strait.daemon;

import io.strait.replication.LinkReplicator;
import io.strait.replication.MirrorSettings;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The long-lived replication daemon: one {@link LinkReplicator} per link of the topology. Links
 * start in the background and keep retrying on their own; {@link #stop()} stops them all in
 * parallel, each within the topology's stop timeout.
 */
public final class StraitDaemon {

    private static final Logger log = LoggerFactory.getLogger(StraitDaemon.class);

    private final Plugins plugins;
    private final SortedMap<LinkId, LinkReplicator> links = new TreeMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile Topology topology;

    public StraitDaemon(Topology topology) {
        this.topology = topology;
        long begin = System.nanoTime();
        // Connect's plugins are found once and shared by every link's worker.
        this.plugins = new Plugins(topology.engine().worker());
        plugins.compareAndSwapWithDelegatingLoader();
        log.debug("Loaded Connect plugins in {} ms", (System.nanoTime() - begin) / 1_000_000);
    }

    /** Starts every link in the background; returns at once. */
    public synchronized void start() {
        MirrorSettings settings = new MirrorSettings(topology);
        log.info("Starting {} links of {}: {}", topology.links().size(), topology.source(),
                String.join(", ", topology.links().keySet().stream().map(LinkId::toString).toList()));
        for (LinkId id : topology.links().keySet()) {
            LinkReplicator replicator = new LinkReplicator(id, settings, plugins, topology.engine().stopTimeout());
            links.put(id, replicator);
            replicator.start();
        }
    }

    /** Stops every link, in parallel; idempotent. */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        long begin = System.nanoTime();
        List<LinkReplicator> running;
        synchronized (this) {
            running = new ArrayList<>(links.values());
        }
        log.info("Stopping {} links", running.size());
        CompletableFuture.allOf(running.stream()
                .map(link -> CompletableFuture.runAsync(link::stop))
                .toArray(CompletableFuture[]::new)).join();
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

    /** A snapshot of every link, by id. */
    public synchronized SortedMap<LinkId, LinkReplicator.Status> statuses() {
        SortedMap<LinkId, LinkReplicator.Status> statuses = new TreeMap<>();
        links.forEach((id, link) -> statuses.put(id, link.status()));
        return statuses;
    }

    /** The running replicators, by link (tests and the HTTP server read them). */
    public synchronized Map<LinkId, LinkReplicator> links() {
        return Map.copyOf(links);
    }
}
