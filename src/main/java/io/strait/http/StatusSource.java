package io.strait.http;

import io.strait.daemon.StraitDaemon;
import io.strait.failover.GroupCheckpointer;
import io.strait.replication.LinkReplicator;
import io.strait.replication.ReplicationPlanner;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import org.apache.kafka.common.metrics.Metrics;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the HTTP room reads from the daemon: {@code /healthy}, {@code /ready}, {@code /status} and
 * {@code /metrics} are built from these snapshots only. Every method returns state the daemon
 * already keeps and never waits on a Kafka call. {@link #of(StraitDaemon)} is the running daemon;
 * unit tests give fixed state.
 */
public interface StatusSource {

    /** The topology the daemon runs now. */
    Topology topology();

    /** False when the daemon's own threads made no progress for 30 s (wedged), or it is stopping. */
    boolean alive();

    /** Every link the daemon runs, by id. */
    SortedMap<LinkId, Link> links();

    /** The latest lag sample of each link that has one. */
    Map<LinkId, StraitDaemon.LagSample> lag();

    /** The link's consumer groups as its checkpointer last saw them (failover), if it checkpoints groups. */
    Optional<GroupCheckpointer.Status> groups(LinkId link);

    /** What reloads have done so far. */
    StraitDaemon.ReloadState reloadState();

    /**
     * One link as its replicator sees it now.
     *
     * @param status                 state, connectors and tasks, problems ({@link LinkReplicator#status()})
     * @param workerMetrics          the link's Kafka Connect worker metrics, MirrorMaker 2's among them, while it runs
     * @param sourceRecordsLost      records removed at the source before they were copied, by source topic
     * @param sourceTopicRecreations source topics found deleted and created again, by source topic
     * @param targetTopic            a source topic's name on the target by the link's topic rule (its
     *                               replication policy, {@code ReplicationPolicy.formatRemoteTopic}); empty
     *                               when the link does not replicate the topic
     * @param topicRule              the link's topic rule, for the names metrics label series with (a target
     *                               topic's source topic, a source topic's name on the target)
     */
    record Link(LinkReplicator.Status status, Optional<Metrics> workerMetrics, Map<String, Long> sourceRecordsLost,
                Map<String, Long> sourceTopicRecreations, Function<String, Optional<String>> targetTopic,
                ReplicationPlanner.TopicRule topicRule) {
    }

    /** The running daemon, read afresh at every call. */
    static StatusSource of(StraitDaemon daemon) {
        return new StatusSource() {
            @Override
            public Topology topology() {
                return daemon.topology();
            }

            @Override
            public boolean alive() {
                return daemon.alive();
            }

            @Override
            public SortedMap<LinkId, Link> links() {
                SortedMap<LinkId, Link> links = new TreeMap<>();
                daemon.links().forEach((id, replicator) -> links.put(id, new Link(replicator.status(),
                        replicator.workerMetrics(), replicator.sourceRecordsLost(), replicator.sourceTopicRecreations(),
                        topic -> replicator.topicRule().target(topic), replicator.topicRule())));
                return links;
            }

            @Override
            public Map<LinkId, StraitDaemon.LagSample> lag() {
                return daemon.lag();
            }

            @Override
            public Optional<GroupCheckpointer.Status> groups(LinkId link) {
                return daemon.groups(link);
            }

            @Override
            public StraitDaemon.ReloadState reloadState() {
                return daemon.reloadState();
            }
        };
    }
}
