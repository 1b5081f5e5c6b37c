package io.strait.replication;

import io.strait.topology.LinkId;
import io.strait.topology.Topology;
import org.apache.kafka.connect.mirror.DefaultReplicationPolicy;
import org.apache.kafka.connect.mirror.IdentityReplicationPolicy;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which topic names are MirrorMaker 2's own heartbeats for one link: {@code heartbeats} (written by
 * MirrorHeartbeatConnector) and the copies the topology's links make of it. On the link's source
 * {@code s}, {@code x.heartbeats} is one when {@code x->s} is a link, {@code x.y.heartbeats} when
 * {@code y->x} and {@code x->s} are links, and so on, with no cluster twice along the way (MirrorMaker
 * 2's cycle rule never makes such a copy), each prefix joined by the link's separator.
 *
 * <p>MirrorMaker 2's own rule ({@code ReplicationPolicy#isHeartbeatsTopic}) takes any name whose
 * last segment is {@code heartbeats}, and MirrorSourceConnector#shouldReplicateTopic copies every
 * heartbeats topic whatever the topic filter says, so a user topic such as
 * {@code payments.heartbeats} leaks past the selection. This rule does not.
 *
 * <p>Configured from connector properties {@code strait.heartbeats.upstream.<alias> = <aliases>}:
 * for the link's source and every cluster with a path of links to it, the sources of the links
 * into it. Only those clusters matter, so a link's settings change only when what reaches its
 * source changes.
 */
final class TopologyHeartbeats {

    /** Connector property prefix: {@code <prefix><alias> = sources of the links into alias}, comma-separated. */
    static final String UPSTREAM_PREFIX = "strait.heartbeats.upstream.";

    private final String source;
    private final String separator;
    /** By cluster, the sources of the links into it. */
    private final Map<String, Set<String>> upstream;

    private TopologyHeartbeats(String source, String separator, Map<String, Set<String>> upstream) {
        this.source = source;
        this.separator = separator;
        this.upstream = Map.copyOf(upstream);
    }

    /** From the settings a replication policy is configured with (a connector's). */
    static TopologyHeartbeats from(Map<String, ?> props) {
        Object separator = props.get(DefaultReplicationPolicy.SEPARATOR_CONFIG);
        Object source = props.get(IdentityReplicationPolicy.SOURCE_CLUSTER_ALIAS_CONFIG);
        Map<String, Set<String>> upstream = new TreeMap<>();
        props.forEach((key, value) -> {
            if (key.startsWith(UPSTREAM_PREFIX) && value != null && !value.toString().isBlank()) {
                upstream.put(key.substring(UPSTREAM_PREFIX.length()),
                        Set.copyOf(Arrays.asList(value.toString().trim().split("\\s*,\\s*"))));
            }
        });
        return new TopologyHeartbeats(source == null ? "" : source.toString(),
                separator == null ? DefaultReplicationPolicy.SEPARATOR_DEFAULT : separator.toString(), upstream);
    }

    /** Before configuration: only the heartbeats topic itself. */
    static TopologyHeartbeats none() {
        return new TopologyHeartbeats("", DefaultReplicationPolicy.SEPARATOR_DEFAULT, Map.of());
    }

    /**
     * The connector properties for a link: for its source and every cluster with a path of links
     * to it, the sources of the links into that cluster.
     */
    static SortedMap<String, String> properties(Topology topology, LinkId link) {
        SortedMap<String, String> props = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(Set.of(link.source()));
        while (!todo.isEmpty()) {
            String at = todo.poll();
            if (!seen.add(at)) {
                continue;
            }
            SortedSet<String> into = new TreeSet<>();
            topology.links().keySet().stream().filter(l -> l.target().equals(at)).map(LinkId::source).forEach(into::add);
            if (!into.isEmpty()) {
                props.put(UPSTREAM_PREFIX + at, String.join(",", into));
                todo.addAll(into);
            }
        }
        return props;
    }

    /** True for {@code heartbeatsTopic} and its copies by the topology's links, as named on the link's source. */
    boolean onSource(String topic, String heartbeatsTopic) {
        if (topic == null) {
            return false;
        }
        Set<String> visited = new HashSet<>();
        visited.add(source);
        return copyOn(source, topic, heartbeatsTopic, visited);
    }

    /**
     * As {@link #onSource}, or such a topic's copy by this link named {@code source<separator>topic}
     * (a name on the target).
     */
    boolean onSourceOrTarget(String topic, String heartbeatsTopic) {
        if (onSource(topic, heartbeatsTopic)) {
            return true;
        }
        String prefix = source + separator;
        return topic != null && !source.isEmpty() && topic.startsWith(prefix)
                && onSource(topic.substring(prefix.length()), heartbeatsTopic);
    }

    private boolean copyOn(String cluster, String topic, String heartbeatsTopic, Set<String> visited) {
        if (topic.equals(heartbeatsTopic)) {
            return true;
        }
        int cut = topic.indexOf(separator);
        if (cut <= 0) {
            return false;
        }
        String from = topic.substring(0, cut);
        return upstream.getOrDefault(cluster, Set.of()).contains(from) && visited.add(from)
                && copyOn(from, topic.substring(cut + separator.length()), heartbeatsTopic, visited);
    }
}
