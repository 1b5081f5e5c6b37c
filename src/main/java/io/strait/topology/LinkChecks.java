package io.strait.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks of the links a topology's flows expand into, taken together: flows that make the same link are
 * merged or refused, and the graph is checked for what no single flow shows (an alias holding a separator,
 * identity naming on a cycle, one cluster under two aliases, names MirrorMaker 2 never replicates, names
 * too long for Kafka).
 */
final class LinkChecks {

    /**
     * Names MirrorMaker 2 never replicates, whatever the selection: DefaultTopicFilter's exclusions
     * ({@code mm2.*\\.internal, .*\\.replica, __.*}) and ReplicationPolicy#isInternalTopic under the
     * default separator ({@code .*}, checkpoints {@code *.checkpoints.internal}); see
     * neverReplicated(separator) adds the internal names under another separator.
     */
    private static final String NEVER_REPLICATED = "__.*|\\..*|mm2.*\\.internal|.*\\.replica";

    private final Findings findings;

    LinkChecks(Findings findings) {
        this.findings = findings;
    }

    /** The links by id, flows making the same link merged when they agree; a conflict is an error. */
    SortedMap<LinkId, LinkSettings> merge(List<LinkSettings> candidates) {
        SortedMap<LinkId, LinkSettings> links = new TreeMap<>();
        for (LinkSettings link : candidates) {
            LinkSettings existing = links.get(link.id());
            if (existing == null) {
                links.put(link.id(), link);
            } else if (existing.mergeableWith(link)) {
                links.put(link.id(), existing.mergedWith(link));
            } else {
                findings.add(Problem.error(link.location(), "Conflicting flows " + String.join(", ", existing.flows())
                        + " (" + existing.location() + ") and " + String.join(", ", link.flows()) + " both make link "
                        + link.id() + " but differ in " + differences(existing, link)
                        + ": give them the same settings, or let one flow own the link"));
            }
        }
        return links;
    }

    private static String differences(LinkSettings a, LinkSettings b) {
        List<String> differ = new ArrayList<>();
        if (a.naming() != b.naming()) {
            differ.add("naming (" + a.naming().configName() + " vs " + b.naming().configName() + ")");
        }
        if (!a.separator().equals(b.separator())) {
            differ.add("separator (\"" + a.separator() + "\" vs \"" + b.separator() + "\")");
        }
        if (a.tasks() != b.tasks()) {
            differ.add("tasks (" + tasksName(a.tasks()) + " vs " + tasksName(b.tasks()) + ")");
        }
        if (a.delivery() != b.delivery()) {
            differ.add("delivery (" + a.delivery().configName() + " vs " + b.delivery().configName() + ")");
        }
        if (!a.refreshInterval().equals(b.refreshInterval())) {
            differ.add("refresh-interval (" + a.refreshInterval().toSeconds() + "s vs "
                    + b.refreshInterval().toSeconds() + "s)");
        }
        if (!a.mirror().equals(b.mirror())) {
            Set<String> keys = new TreeSet<>(a.mirror().keySet());
            keys.addAll(b.mirror().keySet());
            keys.removeIf(k -> Objects.equals(a.mirror().get(k), b.mirror().get(k)));
            differ.add("mirror settings " + keys);
        }
        return String.join(", ", differ);
    }

    private static String tasksName(int tasks) {
        return tasks == 0 ? "auto" : Integer.toString(tasks);
    }

    /** Under prefix naming, an alias holding the separator would make replicated names ambiguous. */
    void checkAliasesAgainstSeparators(SortedMap<LinkId, LinkSettings> links, SortedMap<String, ClusterSettings> clusters) {
        Set<String> reported = new HashSet<>();
        for (LinkSettings link : links.values()) {
            if (link.naming() != Naming.PREFIX) {
                continue;
            }
            for (String alias : List.of(link.id().source(), link.id().target())) {
                if (alias.contains(link.separator()) && reported.add(alias + link.separator())) {
                    findings.add(Problem.error(clusters.get(alias).location(), "Invalid cluster alias " + alias
                            + ": it contains the separator \"" + link.separator() + "\" of flow "
                            + String.join(", ", link.flows()) + ", so replicated topic names could not be told"
                            + " apart; rename the cluster or choose another separator"));
                }
            }
        }
    }

    /** Identity naming on a link that lies on a cycle: nothing would stop records from looping. */
    void checkIdentityCycles(SortedMap<LinkId, LinkSettings> links) {
        Map<String, Set<String>> next = new HashMap<>();
        links.keySet().forEach(id -> next.computeIfAbsent(id.source(), k -> new TreeSet<>()).add(id.target()));
        for (LinkSettings link : links.values()) {
            if (link.naming() != Naming.IDENTITY) {
                continue;
            }
            Optional<List<String>> path = path(next, link.id().target(), link.id().source());
            path.ifPresent(p -> findings.add(Problem.error(link.location(), "Invalid naming identity for link "
                    + link.id() + " of flow " + String.join(", ", link.flows()) + ": the link lies on the cycle "
                    + link.id().source() + "->" + String.join("->", p) + ", and identity names cannot stop records"
                    + " from looping around it; write naming = prefix")));
        }
    }

    /** A shortest path from {@code from} to {@code to} along links, as the list of clusters visited. */
    private static Optional<List<String>> path(Map<String, Set<String>> next, String from, String to) {
        Map<String, String> parent = new LinkedHashMap<>();
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(from));
        parent.put(from, null);
        while (!queue.isEmpty()) {
            String at = queue.poll();
            if (at.equals(to)) {
                List<String> path = new ArrayList<>();
                for (String step = at; step != null; step = parent.get(step)) {
                    path.add(0, step);
                }
                return Optional.of(path);
            }
            for (String n : next.getOrDefault(at, Set.of())) {
                if (!parent.containsKey(n)) {
                    parent.put(n, at);
                    queue.add(n);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Two aliases that list a common server (hosts compared without DNS, see BootstrapServers)
     * name one Kafka cluster: SharedClusters says what that does. Only a warning here, since a
     * file may be checked where its addresses mean something else; run and plan compare the
     * clusters' IDs.
     */
    void warnSharedServers(SortedMap<LinkId, LinkSettings> links, SortedMap<String, ClusterSettings> clusters) {
        Map<String, String> keys = new HashMap<>();
        Map<String, String> byAddress = new HashMap<>();
        for (ClusterSettings cluster : clusters.values()) {
            if (cluster.bootstrapServers() == null) {
                continue; // missing or invalid: reported already
            }
            for (String address : BootstrapServers.addresses(cluster.bootstrapServers())) {
                String other = byAddress.putIfAbsent(address, cluster.alias());
                if (other != null) {
                    String from = keys.getOrDefault(cluster.alias(), cluster.alias());
                    String to = keys.getOrDefault(other, other);
                    keys.replaceAll((alias, key) -> key.equals(from) ? to : key);
                    keys.put(cluster.alias(), to);
                    keys.putIfAbsent(other, to);
                }
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        for (SharedClusters.Finding finding : SharedClusters.findings(links, keys, group -> "clusters "
                + group.stream().map(a -> a + " (" + clusters.get(a).bootstrapServers() + ")")
                .collect(Collectors.joining(" and ")) + " list the same Kafka servers")) {
            // At the last alias of the finding that shares its servers with another of them.
            String at = finding.aliases().stream().filter(a -> keys.containsKey(a) && finding.aliases().stream()
                    .anyMatch(b -> !b.equals(a) && keys.get(a).equals(keys.get(b)))).reduce((x, y) -> y)
                    .orElse(finding.aliases().last());
            findings.add(Problem.warning(clusters.get(at).location(), finding.message()
                    + (finding.refuses() ? " (run and plan compare the clusters' IDs, and do not start "
                    + (finding.links().size() == 1 ? "the link" : "these links") + " when they match)" : "")));
        }
    }

    /** A literal topic name that only names topics MirrorMaker 2 never replicates. */
    void warnNeverReplicated(List<LinkSettings> candidates) {
        Set<String> warned = new HashSet<>();
        for (LinkSettings link : candidates) {
            for (Selection selection : link.topics()) {
                for (String pattern : selection.include()) {
                    if (literal(pattern) && neverReplicated(link.separator()).matcher(pattern.replace("\\.", "."))
                            .matches() && warned.add(link.flows() + pattern)) {
                        findings.add(Problem.warning(link.location(), "topics pattern " + pattern + " of flow "
                                + String.join(", ", link.flows()) + " can only match topics MirrorMaker 2 never"
                                + " replicates (__*, .*, mm2*.internal, *.replica, *" + link.separator() + "checkpoints"
                                + link.separator() + "internal)"));
                    }
                }
            }
        }
    }

    /** Names MirrorMaker 2 never replicates on a link with this separator (its policy's internal names). */
    private static Pattern neverReplicated(String separator) {
        String sep = Pattern.quote(separator);
        return Pattern.compile(NEVER_REPLICATED + "|mm2.*" + sep + "internal|.*" + sep + "checkpoints" + sep + "internal");
    }

    /** A literal topic of a pipe whose name at the end of the pipe is longer than Kafka allows. */
    void warnLongNames(ConfigObject flows, Config flowDefaults) {
        // Reported on candidates with literal topic names: the longest name a chain of hops produces.
        if (flows == null) {
            return;
        }
        for (Map.Entry<String, ConfigValue> flow : flows.entrySet()) {
            if (!(flow.getValue() instanceof ConfigObject object)) {
                continue;
            }
            Config config = object.toConfig().withFallback(flowDefaults);
            try {
                if (!"pipe".equals(config.getString("type")) || !"prefix".equals(config.getString("naming"))) {
                    continue;
                }
                List<String> chain = config.getStringList("clusters");
                String separator = config.getString("separator");
                int prefix = 0;
                for (int i = 0; i + 1 < chain.size(); i++) {
                    prefix += chain.get(i).length() + separator.length();
                }
                for (String topic : config.getStringList("topics")) {
                    if (literal(topic) && prefix + topic.length() > TopologyLoader.MAX_TOPIC_NAME_LENGTH) {
                        findings.add(Problem.warning(findings.location(object.origin()), "topic " + topic
                                + " of flow " + flow.getKey() + " reaches the end of the pipe as a name of "
                                + (prefix + topic.length()) + " characters, longer than Kafka's "
                                + TopologyLoader.MAX_TOPIC_NAME_LENGTH + ": that hop will fail to create it; use shorter"
                                + " aliases"));
                    }
                }
            } catch (ConfigException e) {
                // already reported while reading the flow
            }
        }
    }

    private static boolean literal(String pattern) {
        return SettingType.TOPIC_CHARS.matcher(pattern.replace("\\.", ".")).matches() && !pattern.contains("..");
    }
}
