package io.strait.topology;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What happens when two aliases of a topology name one Kafka cluster. MirrorMaker 2 tells clusters
 * apart by alias only (topic prefixes, its cycle rule, the names of its internal topics and
 * groups), so one cluster under two aliases defeats it:
 *
 * <ul>
 *   <li>a link from a cluster to itself copies every topic into the same cluster again and again
 *       ({@code orders}, {@code a.orders}, {@code a.a.orders}, ...): the link is refused;</li>
 *   <li>two links between the same two clusters in the same direction copy every record twice,
 *       into one topic or under two names, and share internal topics (the offset syncs on the
 *       source, or the Connect group on the target): all of them are refused;</li>
 *   <li>an identity-named link on a cycle of clusters (the cycle only shows once aliases of one
 *       cluster are taken as one) sends records round it without end: the link is refused;</li>
 *   <li>any other use of two aliases of one cluster is a warning: topics can come back to the
 *       cluster under a longer name.</li>
 * </ul>
 *
 * Pure: which aliases name one cluster is given, from cluster IDs ({@code run}, {@code plan}) or
 * from shared bootstrap addresses ({@code validate}, {@code plan --offline}).
 */
public final class SharedClusters {

    /**
     * One finding.
     *
     * @param refuses true when the links must not run; false for a warning
     * @param links   the links it concerns
     * @param aliases the aliases that name one cluster
     * @param message one sentence naming the aliases, the cluster and the consequence
     */
    public record Finding(boolean refuses, SortedSet<LinkId> links, SortedSet<String> aliases, String message) {
    }

    private SharedClusters() {
    }

    /**
     * The findings for a topology's links.
     *
     * @param keys   what identifies each alias's Kafka cluster (its cluster ID, say); an alias
     *               without a key is taken as a cluster of its own
     * @param phrase says that a set of aliases (two or more) name one cluster, for example
     *               "clusters a and a2 are one Kafka cluster (cluster ID x)"
     */
    public static List<Finding> findings(SortedMap<LinkId, LinkSettings> links, Map<String, String> keys,
                                         Function<SortedSet<String>, String> phrase) {
        Function<String, String> key = alias -> keys.getOrDefault(alias, "\u0000" + alias);
        Map<String, SortedSet<String>> groups = new HashMap<>();
        links.keySet().forEach(l -> List.of(l.source(), l.target())
                .forEach(a -> groups.computeIfAbsent(key.apply(a), k -> new TreeSet<>()).add(a)));
        List<Finding> findings = new ArrayList<>();
        SortedSet<LinkId> refused = new TreeSet<>();

        // A link from a cluster to itself.
        for (LinkSettings link : links.values()) {
            LinkId id = link.id();
            if (key.apply(id.source()).equals(key.apply(id.target()))) {
                refused.add(id);
                String example = link.naming() == Naming.IDENTITY ? "every record of every topic back into its own topic"
                        : "orders into " + id.source() + link.separator() + "orders, then " + id.source()
                        + link.separator() + id.source() + link.separator() + "orders, and so on";
                findings.add(new Finding(true, new TreeSet<>(List.of(id)), aliases(id.source(), id.target()),
                        phrase.apply(aliases(id.source(), id.target())) + ": link " + id + " would copy that cluster"
                                + " into itself without end (" + example + "); remove the link, or point "
                                + id.target() + " at another cluster"));
            }
        }

        // Two links between the same two clusters, in the same direction.
        Map<List<String>, SortedSet<LinkId>> byClusters = new LinkedHashMap<>();
        for (LinkId id : links.keySet()) {
            if (!refused.contains(id)) {
                byClusters.computeIfAbsent(List.of(key.apply(id.source()), key.apply(id.target())),
                        k -> new TreeSet<>()).add(id);
            }
        }
        for (SortedSet<LinkId> same : byClusters.values()) {
            if (same.size() < 2) {
                continue;
            }
            refused.addAll(same);
            SortedSet<String> sources = same.stream().map(LinkId::source).collect(Collectors.toCollection(TreeSet::new));
            SortedSet<String> targets = same.stream().map(LinkId::target).collect(Collectors.toCollection(TreeSet::new));
            List<String> said = new ArrayList<>();
            if (sources.size() > 1) {
                said.add(phrase.apply(sources));
            }
            if (targets.size() > 1) {
                said.add(phrase.apply(targets));
            }
            String consequence = "every record would be copied twice";
            if (sources.size() == 1) {
                consequence += ", into the same " + sources.first() + links.get(same.first()).separator()
                        + "<topic>, and the links would share the Connect group " + sources.first() + "-mm2";
            } else if (targets.size() == 1) {
                consequence += ", and the links would share the offset-syncs topic mm2-offset-syncs." + targets.first()
                        + ".internal, so consumer-group offsets would be translated wrongly";
            }
            SortedSet<String> all = new TreeSet<>(sources);
            all.addAll(targets);
            findings.add(new Finding(true, same, all, String.join("; ", said) + ": links " + join(same)
                    + " copy between the same two Kafka clusters and " + consequence + "; keep one of them"));
        }

        // An identity-named link on a cycle of clusters.
        for (LinkSettings link : links.values()) {
            LinkId id = link.id();
            if (link.naming() != Naming.IDENTITY || refused.contains(id)) {
                continue;
            }
            List<String> path = path(links, id.target(), id.source(), key, refused);
            if (path != null && path.stream().anyMatch(step -> step.startsWith("="))) {
                refused.add(id);
                SortedSet<String> shared = new TreeSet<>();
                path.stream().filter(step -> step.startsWith("=")).forEach(step -> {
                    String[] pair = step.substring(1).split("=");
                    shared.add(pair[0]);
                    shared.add(pair[1]);
                });
                findings.add(new Finding(true, new TreeSet<>(List.of(id)), shared, sharedPhrase(shared, key, phrase)
                        + ": link " + id + " keeps topic names (naming = identity) and lies on the cycle "
                        + id.source() + "->" + render(id.target(), path) + ", so records would go round it without end;"
                        + " write naming = prefix"));
            }
        }

        // Any other use of two aliases of one cluster.
        for (SortedSet<String> group : groups.values()) {
            if (group.size() < 2) {
                continue;
            }
            SortedSet<LinkId> using = new TreeSet<>();
            SortedSet<String> used = new TreeSet<>();
            for (LinkId id : links.keySet()) {
                if (refused.contains(id)) {
                    continue;
                }
                for (String alias : List.of(id.source(), id.target())) {
                    if (group.contains(alias)) {
                        using.add(id);
                        used.add(alias);
                    }
                }
            }
            if (used.size() >= 2) {
                findings.add(new Finding(false, using, used, phrase.apply(used) + ", used under "
                        + (used.size() == 2 ? "both names" : "several names") + " by links " + join(using)
                        + ": MirrorMaker 2 tells clusters apart by alias, so topics can come back to that cluster under"
                        + " a longer name; give each Kafka cluster one alias"));
            }
        }
        return findings;
    }

    /** The aliases, sorted. */
    private static SortedSet<String> aliases(String... aliases) {
        return new TreeSet<>(List.of(aliases));
    }

    private static String join(SortedSet<LinkId> links) {
        List<String> names = links.stream().map(LinkId::toString).toList();
        return names.size() <= 1 ? String.join("", names)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }

    /** One phrase per group of aliases of one cluster among {@code aliases}. */
    private static String sharedPhrase(SortedSet<String> aliases, Function<String, String> key,
                                       Function<SortedSet<String>, String> phrase) {
        Map<String, SortedSet<String>> byKey = new TreeMap<>();
        aliases.forEach(a -> byKey.computeIfAbsent(key.apply(a), k -> new TreeSet<>()).add(a));
        return byKey.values().stream().map(phrase).collect(Collectors.joining("; "));
    }

    /**
     * A shortest way from {@code from} to a cluster that is {@code to}, along links (steps
     * {@code ->x}) and between aliases of one cluster (steps {@code =x=y}); null when there is none.
     * Links already refused do not count: they never run.
     */
    private static List<String> path(SortedMap<LinkId, LinkSettings> links, String from, String to,
                                     Function<String, String> key, SortedSet<LinkId> refused) {
        Map<String, List<String>> reached = new HashMap<>();
        reached.put(from, List.of());
        Deque<String> queue = new ArrayDeque<>(List.of(from));
        Map<String, SortedSet<String>> sameCluster = new HashMap<>();
        links.keySet().forEach(l -> List.of(l.source(), l.target())
                .forEach(a -> sameCluster.computeIfAbsent(key.apply(a), k -> new TreeSet<>()).add(a)));
        while (!queue.isEmpty()) {
            String at = queue.poll();
            List<String> way = reached.get(at);
            if (key.apply(at).equals(key.apply(to))) {
                List<String> complete = new ArrayList<>(way);
                if (!at.equals(to)) {
                    complete.add("=" + at + "=" + to);
                }
                return complete;
            }
            for (LinkId id : links.keySet()) {
                if (id.source().equals(at) && !refused.contains(id) && !reached.containsKey(id.target())) {
                    List<String> next = new ArrayList<>(way);
                    next.add("->" + id.target());
                    reached.put(id.target(), next);
                    queue.add(id.target());
                }
            }
            for (String alias : sameCluster.getOrDefault(key.apply(at), new TreeSet<>())) {
                if (!reached.containsKey(alias) && !Objects.equals(alias, at)) {
                    List<String> next = new ArrayList<>(way);
                    next.add("=" + at + "=" + alias);
                    reached.put(alias, next);
                    queue.add(alias);
                }
            }
        }
        return null;
    }

    /** {@code b->a2} for a path from b, showing a jump between aliases of one cluster as {@code b (= b2)}. */
    private static String render(String from, List<String> path) {
        StringBuilder text = new StringBuilder(from);
        for (String step : path) {
            if (step.startsWith("->")) {
                text.append(step);
            } else {
                text.append(" (= ").append(step.substring(1).split("=")[1]).append(")");
            }
        }
        return text.toString();
    }
}
