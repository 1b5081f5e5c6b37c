package io.strait.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.strait.topology.TopologySchema.Block;

/**
 * Reads the flows of a topology: each flow's type and clusters into a {@link FlowShape}, its settings
 * (over flow-defaults) through {@link SettingReader}, and the links the shape turns into as
 * {@link LinkSettings}, one per link of each flow, before flows making the same link are merged.
 */
final class FlowReader {

    /** MirrorMaker 2 settings Strait derives from a flow's own keys, with the key to use instead. */
    private static final Map<String, String> REFUSED_MIRROR_KEYS = Map.ofEntries(
            Map.entry("name", "the flow's name"),
            Map.entry("connector.class", "nothing: Strait runs all three MirrorMaker 2 connectors"),
            Map.entry("enabled", "nothing: remove the flow to stop the link"),
            Map.entry("source.cluster.alias", "source/sources/clusters"),
            Map.entry("target.cluster.alias", "target/targets/clusters"),
            Map.entry("topics", "topics"),
            Map.entry("topics.exclude", "topics-exclude"),
            Map.entry("topic.filter.class", "topics and topics-exclude"),
            Map.entry("groups", "groups"),
            Map.entry("groups.exclude", "groups-exclude"),
            Map.entry("group.filter.class", "groups and groups-exclude"),
            Map.entry("replication.policy.class", "naming"),
            Map.entry("replication.policy.separator", "separator"),
            Map.entry("tasks.max", "tasks"),
            Map.entry("exactly.once.support", "delivery"),
            Map.entry("refresh.topics.interval.seconds", "refresh-interval"),
            Map.entry("refresh.groups.interval.seconds", "refresh-interval"));

    private final Findings findings;
    private final SettingReader reader;
    private final SortedMap<String, ClusterSettings> clusters;
    /** Clusters already reported as invalid (a bad alias): flows naming them are not. */
    private final Set<String> refusedAliases;
    /** Whether clusters itself was refused: then no flow's cluster is reported unknown. */
    private final boolean clustersRefused;
    private final List<PassThroughBlock> passThrough;

    FlowReader(Findings findings, SettingReader reader, SortedMap<String, ClusterSettings> clusters,
               Set<String> refusedAliases, boolean clustersRefused, List<PassThroughBlock> passThrough) {
        this.findings = findings;
        this.reader = reader;
        this.clusters = clusters;
        this.refusedAliases = refusedAliases;
        this.clustersRefused = clustersRefused;
        this.passThrough = passThrough;
    }

    /** The links of every flow, in file order, before merging. */
    List<LinkSettings> readFlows(ConfigObject flows, Config defaults) {
        List<LinkSettings> links = new ArrayList<>();
        if (flows == null) {
            return links;
        }
        for (Map.Entry<String, ConfigValue> entry : SettingReader.inFileOrder(flows)) {
            String name = entry.getKey();
            ConfigValue value = entry.getValue();
            if (value.valueType() != ConfigValueType.OBJECT) {
                findings.error(value.origin(), "Invalid value " + SettingReader.render(value) + " for flow " + name
                        + ": a flow is an object, for example " + name + " { type = link, source = a, target = b }");
                continue;
            }
            ConfigObject own = (ConfigObject) value;
            links.addAll(readFlow(name, own, own.toConfig().withFallback(defaults)));
        }
        return links;
    }

    private List<LinkSettings> readFlow(String name, ConfigObject own, Config flow) {
        String where = "flow " + name;
        ConfigOrigin origin = own.origin();
        FlowType type = null;
        if (!flow.hasPath("type")) {
            findings.error(origin, "Missing type for " + where + ": write type = one of " + FlowType.allConfigNames());
        } else {
            type = reader.read(flow, TopologySchema.TYPE, where);
        }
        checkKeys(own, type, where);

        Selection topics = new Selection(orNone(reader.read(flow, TopologySchema.TOPICS, where)),
                orNone(reader.read(flow, TopologySchema.TOPICS_EXCLUDE, where)));
        Selection groups = new Selection(orNone(reader.read(flow, TopologySchema.GROUPS, where)),
                orNone(reader.read(flow, TopologySchema.GROUPS_EXCLUDE, where)));
        Naming naming = reader.read(flow, TopologySchema.NAMING, where);
        String separator = reader.read(flow, TopologySchema.SEPARATOR, where);
        Integer tasks = reader.read(flow, TopologySchema.TASKS, where);
        Duration refresh = reader.read(flow, TopologySchema.REFRESH_INTERVAL, where);
        Delivery delivery = reader.read(flow, TopologySchema.DELIVERY, where);
        SortedMap<String, String> mirror = mirror(own, flow, where);
        if (type == null || naming == null || separator == null) {
            return List.of(); // reported; its clusters are not looked at
        }
        FlowShape shape = shape(type, flow, origin, where);
        if (shape == null) {
            return List.of();
        }
        // A value that cannot be read is reported and set aside, as an unset ${VAR} is: the key takes its
        // default from reference.conf, so that the checks of the flow's links still run.
        return links(shape, name, where, origin, topics, groups, naming, separator,
                tasks != null ? tasks : reader.referenceDefault(TopologySchema.TASKS),
                refresh != null ? refresh : reader.referenceDefault(TopologySchema.REFRESH_INTERVAL),
                delivery != null ? delivery : reader.referenceDefault(TopologySchema.DELIVERY), mirror);
    }

    private List<LinkSettings> links(FlowShape shape, String name, String where, ConfigOrigin origin,
                                     Selection topics, Selection groups, Naming naming, String separator, int tasks,
                                     Duration refresh, Delivery delivery, SortedMap<String, String> mirror) {
        List<LinkSettings> links = new ArrayList<>();
        for (FlowShape.FlowLink link : shape.links(List.of(topics), naming, separator)) {
            if (link.id().source().equals(link.id().target())) {
                findings.error(origin, "Invalid link " + link.id() + " in " + where
                        + ": a cluster cannot replicate to itself; name two different clusters");
                continue;
            }
            links.add(new LinkSettings(link.id(), link.topics(), List.of(groups), naming, separator, tasks, refresh,
                    delivery, mirror, new TreeSet<>(Set.of(name)), findings.location(origin)));
        }
        return links;
    }

    private static List<String> orNone(List<String> patterns) {
        return patterns == null ? List.of() : patterns;
    }

    /** An endpoint key of another flow type is refused with the keys this type takes; others are unknown keys. */
    private void checkKeys(ConfigObject own, FlowType type, String where) {
        Set<String> allEndpoints = TopologySchema.allEndpointNames();
        Set<String> allowed = new LinkedHashSet<>(List.of("type"));
        allowed.addAll(type == null ? allEndpoints : endpointNames(type));
        allowed.addAll(TopologySchema.names(Block.FLOW));
        for (String key : own.keySet()) {
            if (!allowed.contains(key) && allEndpoints.contains(key) && type != null) {
                findings.error(own.get(key).origin(), "Invalid key " + key + " in " + where + ": a " + type.configName()
                        + " flow takes " + String.join(" and ", endpointNames(type)));
            }
        }
        Set<String> known = new LinkedHashSet<>(allowed);
        known.addAll(allEndpoints);
        reader.unknownKeys(own, known, where);
    }

    private static List<String> endpointNames(FlowType type) {
        return TopologySchema.endpoints(type).stream().map(TopologySchema.Key::name).toList();
    }

    /** The flow's mirror block over flow-defaults'; keys Strait derives from the flow are refused. */
    private SortedMap<String, String> mirror(ConfigObject own, Config flow, String where) {
        Map<String, ConfigOrigin> origins = new HashMap<>();
        SortedMap<String, String> mirror = reader.rawSettings(flow, "mirror", "mirror block of " + where, origins);
        Set<String> ownMirror = SettingReader.ownKeys(own, "mirror");
        for (String key : mirror.keySet()) {
            String instead = REFUSED_MIRROR_KEYS.get(key);
            if (instead != null) {
                findings.error(origins.get(key), "Invalid key " + key + " in the mirror block of "
                        + (ownMirror.contains(key) ? where : "flow-defaults") + ": Strait sets it; write "
                        + instead + " instead");
            }
        }
        SortedMap<String, String> passed = new TreeMap<>(mirror);
        passed.keySet().removeAll(REFUSED_MIRROR_KEYS.keySet());
        passThrough.add(TopologyReader.block(PassThroughBlock.Kind.MIRROR, where, passed, origins,
                key -> "the mirror block of " + (ownMirror.contains(key) ? where : "flow-defaults"), findings));
        return mirror;
    }

    // ---- the flow's shape ----

    /** The shape of a flow of this type, or null when one of its clusters is missing, unknown or refused. */
    private FlowShape shape(FlowType type, Config flow, ConfigOrigin origin, String where) {
        return switch (type) {
            case LINK -> {
                String source = cluster(flow, origin, TopologySchema.SOURCE, where);
                String target = cluster(flow, origin, TopologySchema.TARGET, where);
                yield source == null || target == null ? null : new FlowShape.Link(source, target);
            }
            case FAN_OUT -> {
                String source = cluster(flow, origin, TopologySchema.SOURCE, where);
                List<String> targets = clusterList(flow, origin, TopologySchema.TARGETS, where);
                yield source == null || targets == null ? null : new FlowShape.FanOut(source, targets);
            }
            case FAN_IN -> {
                String target = cluster(flow, origin, TopologySchema.TARGET, where);
                List<String> sources = clusterList(flow, origin, TopologySchema.SOURCES, where);
                yield target == null || sources == null ? null : new FlowShape.FanIn(sources, target);
            }
            case PIPE -> {
                List<String> chain = clusterList(flow, origin, TopologySchema.MEMBERS, where);
                yield chain == null ? null : new FlowShape.Pipe(chain);
            }
            case BIDIRECTIONAL -> {
                List<String> members = clusterList(flow, origin, TopologySchema.MEMBERS, where);
                yield members == null ? null : new FlowShape.Bidirectional(members);
            }
        };
    }

    private String cluster(Config flow, ConfigOrigin origin, TopologySchema.Key<String> key, String where) {
        if (!flow.hasPath(key.name())) {
            findings.error(origin, "Missing " + key.name() + " in " + where + ": name one of the clusters "
                    + String.join(", ", clusters.keySet()));
            return null;
        }
        String alias = reader.read(flow, key, where);
        if (alias == null) {
            return null;
        }
        return knownCluster(alias, flow.getValue(key.name()).origin(), key.name(), where) ? alias : null;
    }

    private List<String> clusterList(Config flow, ConfigOrigin flowOrigin, TopologySchema.Key<List<String>> key,
                                     String where) {
        if (!flow.hasPath(key.name())) {
            findings.error(flowOrigin, "Missing " + key.name() + " in " + where + ": write " + key.name()
                    + " = [...] naming clusters of " + String.join(", ", clusters.keySet()));
            return null;
        }
        List<String> aliases = reader.read(flow, key, where);
        if (aliases == null) {
            return null;
        }
        ConfigOrigin origin = flow.getValue(key.name()).origin();
        boolean allKnown = true;
        for (String alias : aliases) {
            allKnown &= knownCluster(alias, origin, key.name(), where);
        }
        return allKnown ? aliases : null;
    }

    private boolean knownCluster(String alias, ConfigOrigin origin, String key, String where) {
        if (clusters.containsKey(alias)) {
            return true;
        }
        if (clustersRefused || refusedAliases.contains(alias)) {
            return false;
        }
        findings.error(origin, "Unknown cluster " + alias + " in " + key + " of " + where + ": known clusters are "
                + (clusters.isEmpty() ? "(none defined under strait.clusters)" : String.join(", ", clusters.keySet()))
                + SettingReader.didYouMean(alias, clusters.keySet()));
        return false;
    }
}
