package io.strait.topology;

import java.util.ArrayList;
import java.util.List;

/**
 * The shapes a flow can take, as the README's flow table writes them; each turns itself into links. Pure:
 * the clusters are already known to exist. A link from a cluster to itself is left in for the reader to
 * refuse with the flow's name.
 */
sealed interface FlowShape {

    /**
     * The links this flow makes, in order, each with the topic selections it carries.
     *
     * @param topics    the flow's own topic selection
     * @param naming    how replicated topics are named (a pipe carries upstream copies only under prefix naming)
     * @param separator between a source alias and a topic name under prefix naming
     */
    List<FlowLink> links(List<Selection> topics, Naming naming, String separator);

    /** One link of a flow and the topics it carries. */
    record FlowLink(LinkId id, List<Selection> topics) {

        public FlowLink {
            topics = List.copyOf(topics);
        }

        FlowLink(String source, String target, List<Selection> topics) {
            this(new LinkId(source, target), topics);
        }
    }

    /** {@code link} ({@code source}, {@code target}): source->target. */
    record Link(String source, String target) implements FlowShape {
        @Override
        public List<FlowLink> links(List<Selection> topics, Naming naming, String separator) {
            return List.of(new FlowLink(source, target, topics));
        }
    }

    /** {@code fan-out} ({@code source}, {@code targets}): source->each target. */
    record FanOut(String source, List<String> targets) implements FlowShape {
        @Override
        public List<FlowLink> links(List<Selection> topics, Naming naming, String separator) {
            return targets.stream().map(target -> new FlowLink(source, target, topics)).toList();
        }
    }

    /** {@code fan-in} ({@code sources}, {@code target}): each source->target. */
    record FanIn(List<String> sources, String target) implements FlowShape {
        @Override
        public List<FlowLink> links(List<Selection> topics, Naming naming, String separator) {
            return sources.stream().map(source -> new FlowLink(source, target, topics)).toList();
        }
    }

    /**
     * {@code pipe} ({@code clusters = [a, b, c]}): a->b, b->c; each hop also carries the copies that came from
     * upstream ({@code topics = [orders]}: b->c carries {@code orders} and {@code a.orders}, so c holds
     * {@code b.a.orders}). Under identity naming a copy keeps its name, so the flow's own selection takes it.
     */
    record Pipe(List<String> clusters) implements FlowShape {
        @Override
        public List<FlowLink> links(List<Selection> topics, Naming naming, String separator) {
            List<FlowLink> links = new ArrayList<>();
            for (int hop = 0; hop + 1 < clusters.size(); hop++) {
                List<Selection> carried = new ArrayList<>(topics);
                if (naming == Naming.PREFIX) {
                    // Copies that arrived from upstream: on clusters[hop] they are named
                    // clusters[hop-1].t, clusters[hop-1].clusters[hop-2].t, ...
                    StringBuilder prefix = new StringBuilder();
                    for (int up = hop - 1; up >= 0; up--) {
                        prefix.append(clusters.get(up)).append(separator);
                        for (Selection selection : topics) {
                            carried.add(selection.withLiteralPrefix(prefix.toString()));
                        }
                    }
                }
                links.add(new FlowLink(clusters.get(hop), clusters.get(hop + 1), carried));
            }
            return links;
        }
    }

    /** {@code bidirectional} ({@code clusters = [a, b]}): a->b and b->a; with more clusters, every pair both ways. */
    record Bidirectional(List<String> clusters) implements FlowShape {
        @Override
        public List<FlowLink> links(List<Selection> topics, Naming naming, String separator) {
            List<FlowLink> links = new ArrayList<>();
            for (String source : clusters) {
                for (String target : clusters) {
                    if (!source.equals(target)) {
                        links.add(new FlowLink(source, target, topics));
                    }
                }
            }
            return links;
        }
    }
}
