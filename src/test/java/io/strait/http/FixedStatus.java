package io.strait.http;

import io.strait.daemon.StraitDaemon;
import io.strait.failover.FailoverPlanner;
import io.strait.failover.GroupCheckpointer;
import io.strait.replication.LinkHealthCheck;
import io.strait.replication.LinkReplicator;
import io.strait.replication.MirrorSettings;
import io.strait.replication.ReplicationPlanner;
import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import io.strait.topology.TopologyException;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo.ConnectorState;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo.TaskState;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorType;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A daemon's state held still, for the HTTP room's unit tests: four links of a real topology
 * (a->b default naming, b->a with separator "_", b->c identity naming, d->a starting), each with
 * its real topic rule. {@link #sample()} fills every field {@code /status} can show; tests change what they need.
 */
final class FixedStatus implements StatusSource {

    static final LinkId A_B = LinkId.parse("a->b");
    static final LinkId B_A = LinkId.parse("b->a");
    static final LinkId B_C = LinkId.parse("b->c");
    static final LinkId D_A = LinkId.parse("d->a");
    static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    final Topology topology;
    final ReplicationPlanner planner;
    final SortedMap<LinkId, Link> links = new TreeMap<>();
    final Map<LinkId, StraitDaemon.LagSample> lag = new HashMap<>();
    final Map<LinkId, GroupCheckpointer.Status> groups = new HashMap<>();
    StraitDaemon.ReloadState reload = new StraitDaemon.ReloadState(0, 0, Optional.empty(), List.of());
    boolean alive = true;

    FixedStatus() {
        try {
            topology = new TopologyLoader(Map.of()).parse("""
                    strait {
                      clusters {
                        a { bootstrap-servers = "a:9092" }
                        b { bootstrap-servers = "b:9092" }
                        c { bootstrap-servers = "c:9092" }
                        d { bootstrap-servers = "d:9092" }
                      }
                      flows {
                        dr { type = link, source = a, target = b }
                        back { type = link, source = b, target = a, separator = "_" }
                        copy { type = link, source = b, target = c, naming = identity }
                        up { type = link, source = d, target = a }
                      }
                    }
                    """, "fixed.conf");
        } catch (TopologyException e) {
            throw new AssertionError(e.errors().toString(), e);
        }
        planner = new ReplicationPlanner(new MirrorSettings(topology), Duration.ofSeconds(1));
    }

    /**
     * Every field /status can show: a running link with lag, losses and groups; a failing one; a
     * degraded one; one starting, with no lag sample yet.
     */
    static FixedStatus sample() {
        FixedStatus fixed = new FixedStatus();
        fixed.link(A_B, LinkReplicator.State.RUNNING, null, List.of(new ConnectorStateInfo("MirrorSourceConnector",
                        new ConnectorState("RUNNING", "w1:8083", null, null),
                        List.of(new TaskState(0, "RUNNING", "w1:8083", null, null),
                                new TaskState(1, "FAILED", "w1:8083",
                                        "org.apache.kafka.connect.errors.ConnectException: boom\n\tat x.Y.z(Y.java:1)", null)),
                        ConnectorType.SOURCE)),
                List.of("Started link a->b in 2140 ms"), List.of(), Map.of("orders", 2L), Map.of("orders", 1L));
        fixed.lag.put(A_B, new StraitDaemon.LagSample(T0.plusSeconds(10), lag(Map.of(
                new TopicPartition("orders", 0), 5L, new TopicPartition("orders", 1), 7L,
                new TopicPartition("payments", 0), 0L)), Map.of(new TopicPartition("orders", 1), 2L), Optional.empty()));
        Map<FailoverPlanner.Status, Integer> billing = new EnumMap<>(FailoverPlanner.Status.class);
        billing.put(FailoverPlanner.Status.OK, 2);
        billing.put(FailoverPlanner.Status.STALE, 1);
        SortedMap<String, GroupCheckpointer.GroupStatus> groups = new TreeMap<>();
        groups.put("billing", new GroupCheckpointer.GroupStatus("billing", Optional.of(Duration.ofSeconds(12)), 3, 4, 0,
                billing, 3));
        groups.put("audit", new GroupCheckpointer.GroupStatus("audit", Optional.empty(), 0, 0, 0,
                Map.of(FailoverPlanner.Status.NO_CHECKPOINT, 1), 0));
        fixed.groups.put(A_B, new GroupCheckpointer.Status(Optional.of(T0.plusSeconds(5)), Optional.empty(), groups, 10, 4));

        fixed.link(B_A, LinkReplicator.State.FAILING, "cannot reach cluster a at a:9092: no answer within 5 s",
                List.of(), List.of(), List.of(), Map.of(), Map.of());
        fixed.lag.put(B_A, new StraitDaemon.LagSample(T0.plusSeconds(10), lag(Map.of(new TopicPartition("payments", 0), 4L)),
                Map.of(), Optional.of("TimeoutException: Timed out waiting for a node assignment")));

        fixed.link(B_C, LinkReplicator.State.DEGRADED, null, List.of(new ConnectorStateInfo("MirrorSourceConnector",
                        new ConnectorState("RUNNING", "w2:8083", null, null),
                        List.of(new TaskState(0, "RUNNING", "w2:8083", null, null)), ConnectorType.SOURCE)),
                List.of(), List.of(new LinkHealthCheck.Problem(LinkHealthCheck.Reason.TARGET_PARTITIONS, "ledger",
                        "target topic ledger: 1 partition on c, 3 on b", T0.plusSeconds(20))), Map.of(), Map.of());
        fixed.lag.put(B_C, new StraitDaemon.LagSample(T0.plusSeconds(10), lag(Map.of(new TopicPartition("ledger", 0), 30L)),
                Map.of(), Optional.empty()));

        fixed.link(D_A, LinkReplicator.State.STARTING, null, List.of(), List.of(), List.of(), Map.of(), Map.of());

        fixed.reload = new StraitDaemon.ReloadState(2, 1, Optional.of(T0.plusSeconds(30)),
                List.of("fixed.conf:3: Invalid value x for tasks: write a number"));
        return fixed;
    }

    /** Sets one link's state, as its replicator would report it. */
    void link(LinkId id, LinkReplicator.State state, String detail, List<ConnectorStateInfo> connectors,
              List<String> events, List<LinkHealthCheck.Problem> problems, Map<String, Long> lost,
              Map<String, Long> recreations) {
        link(id, new LinkReplicator.Status(id, state, Optional.ofNullable(detail), T0, connectors, 1, connectors.isEmpty()
                ? 0 : 3, events, problems), Optional.empty(), lost, recreations);
    }

    void link(LinkId id, LinkReplicator.Status status, Optional<Metrics> metrics, Map<String, Long> lost,
              Map<String, Long> recreations) {
        ReplicationPlanner.TopicRule rule = planner.rule(id);
        links.put(id, new Link(status, metrics, lost, recreations, rule::target, rule));
    }

    /** Only the link's state changes. */
    void state(LinkId id, LinkReplicator.State state) {
        Link was = links.get(id);
        LinkReplicator.Status s = was.status();
        links.put(id, new Link(new LinkReplicator.Status(id, state, s.detail(), s.since(), s.connectors(), s.starts(),
                s.taskStarts(), s.events(), s.problems()), was.workerMetrics(), was.sourceRecordsLost(),
                was.sourceTopicRecreations(), was.targetTopic(), was.topicRule()));
    }

    private static SortedMap<TopicPartition, Long> lag(Map<TopicPartition, Long> lag) {
        SortedMap<TopicPartition, Long> sorted = new TreeMap<>(
                java.util.Comparator.comparing(TopicPartition::topic).thenComparing(TopicPartition::partition));
        sorted.putAll(lag);
        return sorted;
    }

    @Override
    public Topology topology() {
        return topology;
    }

    @Override
    public boolean alive() {
        return alive;
    }

    @Override
    public SortedMap<LinkId, Link> links() {
        return new TreeMap<>(links);
    }

    @Override
    public Map<LinkId, StraitDaemon.LagSample> lag() {
        return Map.copyOf(lag);
    }

    @Override
    public Optional<GroupCheckpointer.Status> groups(LinkId link) {
        return Optional.ofNullable(groups.get(link));
    }

    @Override
    public StraitDaemon.ReloadState reloadState() {
        return reload;
    }
}
