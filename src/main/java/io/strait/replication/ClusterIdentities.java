package io.strait.replication;

import io.strait.topology.ClusterSettings;
import io.strait.topology.LinkId;
import io.strait.topology.SharedClusters;
import io.strait.topology.Topology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaFuture;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Kafka cluster behind each alias of a topology, by cluster ID ({@code Admin#describeCluster}),
 * and what {@link SharedClusters} concludes from them: which links must not run because two of
 * their aliases name one cluster, and which uses of one cluster under two aliases deserve a warning.
 * One instance serves every link of a daemon; it keeps one admin client per cluster, asks again
 * after {@link #MAX_AGE} (an address can come to point at another cluster), keeps the last answer
 * while a cluster is away, and takes an alias whose cluster never answered as a cluster of its own.
 */
public final class ClusterIdentities implements AutoCloseable {

    /** How long a cluster ID is trusted before it is asked again (an address can come to point elsewhere). */
    static final Duration MAX_AGE = Duration.ofSeconds(30);
    /** How soon a cluster that did not answer is asked again. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration OTHERS_WAIT = Duration.ofSeconds(2);

    private record Asked(long atNanos, KafkaFuture<String> clusterId) {
    }

    private Topology topology;
    private final Map<String, Admin> admins = new HashMap<>();
    private final Map<String, ClusterSettings> adminFor = new HashMap<>();
    private final Map<String, Asked> asked = new HashMap<>();
    /** The last answer of each cluster, used while it is asked again; and those that failed to answer. */
    private final Map<String, String> lastKnown = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> unanswered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private boolean closed;

    public ClusterIdentities(Topology topology) {
        this.topology = topology;
    }

    /** Moves to a new topology; clusters whose address or client settings changed are asked again. */
    public synchronized void update(Topology next) {
        for (String alias : List.copyOf(adminFor.keySet())) {
            ClusterSettings now = next.clusters().get(alias);
            if (now == null || !same(now, adminFor.get(alias))) {
                admins.remove(alias).close(Duration.ofSeconds(1));
                adminFor.remove(alias);
                asked.remove(alias);
                lastKnown.remove(alias);
                unanswered.remove(alias);
            }
        }
        this.topology = next;
    }

    /**
     * The cluster ID behind every alias that a link uses, as far as known within {@code wait} for
     * the aliases {@code own}, and within {@code waitOthers} for the others. For those, only the
     * first question is waited for: later ones take the last answer while the new one is on its
     * way, so a cluster that is away does not slow every check down. Aliases whose cluster has not
     * answered are left out.
     */
    public Map<String, String> clusterIds(Duration wait, Duration waitOthers, String... own) {
        Map<String, Asked> pending = new TreeMap<>();
        synchronized (this) {
            if (closed) {
                return Map.of();
            }
            for (String alias : usedAliases()) {
                pending.put(alias, ask(alias));
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        long othersDeadline = System.nanoTime() + waitOthers.toNanos();
        List<String> must = List.of(own);
        Map<String, String> ids = new TreeMap<>();
        pending.forEach((alias, a) -> {
            boolean asked = lastKnown.containsKey(alias) || unanswered.contains(alias);
            long until = must.contains(alias) ? deadline : asked ? System.nanoTime() : othersDeadline;
            try {
                String id = a.clusterId().get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (id != null) {
                    lastKnown.put(alias, id);
                    unanswered.remove(alias);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (TimeoutException e) {
                if (!asked) {
                    unanswered.add(alias);
                }
            } catch (ExecutionException | RuntimeException e) {
                // Away: a cluster keeps its ID, so the last answer stands; never answered, it is a cluster of its own.
                if (!lastKnown.containsKey(alias)) {
                    unanswered.add(alias);
                }
            }
            String known = lastKnown.get(alias);
            if (known != null) {
                ids.put(alias, known);
            }
        });
        return ids;
    }

    /** Every finding, from the cluster IDs known within {@code wait}. */
    public List<SharedClusters.Finding> findings(Duration wait) {
        return findings(clusterIds(wait, wait));
    }

    /** Every finding, for the given cluster IDs (by alias). */
    public List<SharedClusters.Finding> findings(Map<String, String> ids) {
        return SharedClusters.findings(topology().links(), ids, aliases -> sameCluster(aliases, ids));
    }

    /**
     * Why the link must not run, or empty: its aliases, or those of links it would collide with,
     * name one Kafka cluster (see {@link SharedClusters}). Waits at most {@code wait} for the
     * link's own clusters, and at most 2 s for the others (one that is away cannot make a link
     * collide with this one before it answers, and is asked again at the next check).
     */
    public Optional<String> refusal(LinkId link, Duration wait) {
        Map<String, String> ids = clusterIds(wait, wait.compareTo(OTHERS_WAIT) < 0 ? wait : OTHERS_WAIT,
                link.source(), link.target());
        return SharedClusters.findings(topology().links(), ids, aliases -> sameCluster(aliases, ids)).stream()
                .filter(f -> f.refuses() && f.links().contains(link))
                .map(SharedClusters.Finding::message).findFirst();
    }

    /** "clusters a and a2 are one Kafka cluster (cluster ID x)". */
    public static String sameCluster(SortedSet<String> aliases, Map<String, String> ids) {
        List<String> names = List.copyOf(aliases);
        String listed = String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
        return "clusters " + listed + " are one Kafka cluster (cluster ID " + ids.get(names.get(0)) + ")";
    }

    private synchronized Topology topology() {
        return topology;
    }

    private SortedSet<String> usedAliases() {
        SortedSet<String> aliases = new TreeSet<>();
        topology.links().keySet().forEach(l -> {
            aliases.add(l.source());
            aliases.add(l.target());
        });
        return aliases;
    }

    /** The question in flight or answered for an alias, asked again when stale. */
    private Asked ask(String alias) {
        Asked last = asked.get(alias);
        long now = System.nanoTime();
        if (last != null) {
            long age = now - last.atNanos();
            boolean failed = last.clusterId().isCompletedExceptionally();
            if (!last.clusterId().isDone() || (!failed && age < MAX_AGE.toNanos()) || (failed && age < RETRY_AFTER.toNanos())) {
                return last;
            }
        }
        ClusterSettings cluster = topology.cluster(alias);
        Asked next = new Asked(now, admin(alias, cluster).describeCluster().clusterId());
        asked.put(alias, next);
        return next;
    }

    private Admin admin(String alias, ClusterSettings cluster) {
        return admins.computeIfAbsent(alias, a -> {
            adminFor.put(a, cluster);
            return Admin.create(ClientConfigs.admin(cluster, "strait-cluster-id-" + a, ADMIN_TIMEOUT));
        });
    }

    private static boolean same(ClusterSettings a, ClusterSettings b) {
        return a.bootstrapServers().equals(b.bootstrapServers()) && a.kafkaClients().equals(b.kafkaClients());
    }

    @Override
    public synchronized void close() {
        closed = true;
        admins.values().forEach(admin -> admin.close(Duration.ofSeconds(1)));
        admins.clear();
        adminFor.clear();
        asked.clear();
        lastKnown.clear();
        unanswered.clear();
    }
}
