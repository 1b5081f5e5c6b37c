package io.strait.topology;

import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything one replicator needs to know about one link, after the flows that produce it have
 * been expanded and merged.
 *
 * @param id              {@code source->target}
 * @param topics          topic selections; a topic replicates when any selection takes it
 * @param groups          consumer group selections, same rule
 * @param naming          how replicated topics are named on the target
 * @param separator       between the source alias and the topic name under {@link Naming#PREFIX}
 * @param tasks           most tasks for the link's source connector; 0 means "auto"
 * @param refreshInterval how often new topics, partitions and groups are picked up
 * @param delivery        at-least-once, or exactly-once with transactions
 * @param mirror          raw MirrorMaker 2 connector settings passed through unchanged
 * @param flows           names of the flows that produce this link
 * @param location        {@code file:line} of the first flow that produces it
 */
public record LinkSettings(LinkId id, List<Selection> topics, List<Selection> groups, Naming naming,
                           String separator, int tasks, Duration refreshInterval, Delivery delivery,
                           SortedMap<String, String> mirror, SortedSet<String> flows, String location) {

    public LinkSettings {
        topics = List.copyOf(topics);
        groups = List.copyOf(groups);
        mirror = new TreeMap<>(mirror);
        flows = new TreeSet<>(flows);
    }

    /** True when everything but the selections and provenance agrees, so two flows may share the link. */
    public boolean mergeableWith(LinkSettings other) {
        return naming == other.naming && separator.equals(other.separator) && tasks == other.tasks
                && refreshInterval.equals(other.refreshInterval) && delivery == other.delivery
                && mirror.equals(other.mirror);
    }

    /** The union of both links' selections; call only when {@link #mergeableWith} holds. */
    public LinkSettings mergedWith(LinkSettings other) {
        SortedSet<String> allFlows = new TreeSet<>(flows);
        allFlows.addAll(other.flows);
        return new LinkSettings(id, union(topics, other.topics), union(groups, other.groups), naming, separator,
                tasks, refreshInterval, delivery, mirror, allFlows, location);
    }

    private static List<Selection> union(List<Selection> a, List<Selection> b) {
        List<Selection> all = new java.util.ArrayList<>(a);
        b.stream().filter(s -> !all.contains(s)).forEach(all::add);
        return all;
    }

}
