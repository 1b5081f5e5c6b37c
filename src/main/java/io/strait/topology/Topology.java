package io.strait.topology;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A validated topology: clusters by alias, and the links its flows expand into.
 *
 * @param source   where it was loaded from, for messages
 * @param clusters every cluster, by alias
 * @param links    every link, by id, in {@code source->target} order
 * @param http     where the daemon serves health, readiness and metrics
 * @param engine   settings of the Kafka Connect machinery the links run on
 * @param reload   whether and how the daemon watches the file for changes
 * @param scaleOut how several instances share the links
 * @param warnings findings that do not stop the topology from running
 */
public record Topology(String source, SortedMap<String, ClusterSettings> clusters,
                       SortedMap<LinkId, LinkSettings> links, HttpSettings http, EngineSettings engine,
                       ReloadSettings reload, ScaleOutSettings scaleOut, List<Problem> warnings) {

    public Topology {
        clusters = new TreeMap<>(clusters);
        links = new TreeMap<>(links);
        warnings = List.copyOf(warnings);
    }

    public ClusterSettings cluster(String alias) {
        ClusterSettings cluster = clusters.get(alias);
        if (cluster == null) {
            throw new IllegalArgumentException("Unknown cluster " + alias);
        }
        return cluster;
    }
}
