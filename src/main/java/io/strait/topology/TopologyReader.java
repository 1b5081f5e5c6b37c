package io.strait.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import static io.strait.topology.TopologySchema.Block;

/**
 * Reads one parsed topology with the defaults of {@code reference.conf} into a {@link Topology}: the keys
 * of {@link TopologySchema} through {@link SettingReader}, the flows through {@link FlowReader}, the links
 * through {@link LinkChecks}, and the raw Kafka settings through the {@link PassThroughCheck}. Every problem
 * is collected before the topology is refused. Used once per file.
 */
final class TopologyReader {

    /** Characters a cluster alias may hold: legal in topic names, and never MirrorMaker 2's key separator. */
    static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_-]+");
    /** Client settings Strait sets itself for every client it opens. */
    private static final Set<String> REFUSED_CLIENT_KEYS = Set.of("bootstrap.servers", "group.id");
    /** Connect worker settings Strait sets for each link (MirrorMakerConfig#workerConfig), with what to write instead. */
    private static final Map<String, String> REFUSED_WORKER_KEYS = Map.of(
            "bootstrap.servers", "each link's worker connects to the link's target cluster; write the cluster's"
                    + " bootstrap-servers instead",
            "group.id", "each link's workers form their own Connect group, <source>-mm2; remove the key",
            "config.storage.topic", "each link keeps its own, mm2-configs.<source>.internal; remove the key",
            "offset.storage.topic", "each link keeps its own, mm2-offsets.<source>.internal; remove the key",
            "status.storage.topic", "each link keeps its own, mm2-status.<source>.internal; remove the key",
            "exactly.once.source.support", "write delivery = exactly-once in the flow instead");
    /** The blocks of strait { } other than clusters and flows, each with an example of its shape. */
    private static final Map<String, String> BLOCK_EXAMPLES = new TreeMap<>(Map.of(
            "cluster-defaults", "cluster-defaults { kafka-clients { \"security.protocol\" = SSL } }",
            "flow-defaults", "flow-defaults { naming = prefix }",
            "http", "http { port = 8080 }",
            "engine", "engine { stop-timeout = 30s }",
            "reload", "reload { watch = true }",
            "scale-out", "scale-out { enabled = false }"));

    private final Map<String, String> environment;
    private final PassThroughCheck passThroughCheck;
    private final Findings findings;
    private final Config reference;
    private final SettingReader reader;
    /** The raw Kafka settings of every cluster, flow and the engine, for the pass-through check. */
    private final List<PassThroughBlock> passThrough = new ArrayList<>();
    /** Clusters reported as invalid (a bad alias): flows naming them are not. */
    private final Set<String> refusedAliases = new HashSet<>();
    /** Whether clusters is not an object, or an unset ${VAR}: then no flow's cluster is reported unknown. */
    private boolean clustersRefused;

    TopologyReader(String description, Map<String, String> environment, PassThroughCheck passThroughCheck) {
        this.environment = environment;
        this.passThroughCheck = passThroughCheck;
        this.findings = new Findings(description);
        this.reference = SettingReader.reference();
        this.reader = new SettingReader(findings, reference);
    }

    Topology read(Config parsed) throws TopologyException {
        try {
            return readChecked(parsed);
        } catch (ConfigException e) {
            // A value of a shape no check foresaw: still one error at its line, never a crash.
            String message = TopologyText.stripOrigin(e);
            findings.error(e.origin(), message.contains("cycle of substitutions")
                    ? message + "; a value cannot refer to itself, directly or through other values"
                    : "Invalid value: " + message);
            throw findings.refusal();
        }
    }

    private Topology readChecked(Config parsed) throws TopologyException {
        Config env = ConfigValueFactory.fromMap(new HashMap<>(environment)).toConfig();
        Config config = parsed.withFallback(reference).withFallback(env)
                .resolve(ConfigResolveOptions.noSystem().setAllowUnresolved(true));
        if (!parsed.hasPath("strait")) {
            findings.error(parsed.origin(), "No strait { } block: a topology file defines strait.clusters and"
                    + " strait.flows (see topologies/ for examples)");
            throw findings.refusal();
        }
        ConfigValue straitValue = config.getValue("strait");
        if (straitValue.valueType() != ConfigValueType.OBJECT) {
            findings.error(parsed.getValue("strait").origin(), "Invalid value " + SettingReader.render(straitValue)
                    + " for strait: it is a block, strait { clusters { ... }, flows { ... } } (see topologies/ for"
                    + " examples)");
            throw findings.refusal();
        }
        reader.findUnresolved(parsed.root(), straitValue, List.of("strait"));
        // Go on without the unset values (a key falls back to its default, or is missing), so
        // that every other error is still found.
        for (String path : reader.unsetPaths()) {
            config = config.withoutPath(path);
        }
        // Likewise without blocks that are not blocks (http = 8080): their keys take their defaults.
        ConfigObject own = parsed.getConfig("strait").root();
        for (Map.Entry<String, String> block : BLOCK_EXAMPLES.entrySet()) {
            ConfigValue value = own.get(block.getKey());
            String path = ConfigUtil.joinPath("strait", block.getKey());
            try {
                if (value != null && value.valueType() != ConfigValueType.OBJECT && !reader.isUnset("strait",
                        block.getKey())) {
                    findings.error(value.origin(), "Invalid value " + SettingReader.render(value) + " for "
                            + block.getKey() + ": it is a block, for example " + block.getValue());
                    config = config.withoutPath(path);
                }
            } catch (ConfigException.NotResolved e) {
                // an unset ${VAR}: reported above
            }
        }
        config = config.withFallback(reference);
        try {
            return validate(parsed, config);
        } catch (ConfigException.NotResolved e) {
            // an unset value that could not be set aside: reported above
            throw findings.refusal();
        }
    }

    private Topology validate(Config parsed, Config config) throws TopologyException {
        Config strait = config.getConfig("strait");
        ConfigObject own = parsed.getConfig("strait").root();
        reader.unknownKeys(own, TopologySchema.names(Block.STRAIT), "strait");
        reader.unknownKeysIn(own, "cluster-defaults", TopologySchema.names(Block.CLUSTER));
        reader.unknownKeysIn(own, "flow-defaults", TopologySchema.names(Block.FLOW));
        for (Block block : List.of(Block.HTTP, Block.ENGINE, Block.RELOAD, Block.SCALE_OUT)) {
            reader.unknownKeysIn(own, block.configName, TopologySchema.names(block));
        }

        SortedMap<String, ClusterSettings> clusters = readClusters(strait);
        FlowReader flowReader = new FlowReader(findings, reader, clusters, refusedAliases, clustersRefused, passThrough);
        ConfigObject flows = reader.object(strait, "flows");
        Config flowDefaults = strait.getConfig("flow-defaults");
        List<LinkSettings> candidates = flowReader.readFlows(flows, flowDefaults);
        LinkChecks checks = new LinkChecks(findings);
        SortedMap<LinkId, LinkSettings> links = checks.merge(candidates);
        checks.checkAliasesAgainstSeparators(links, clusters);
        checks.checkIdentityCycles(links);
        checks.warnSharedServers(links, clusters);
        checks.warnNeverReplicated(candidates);
        checks.warnLongNames(flows, flowDefaults);
        String httpBind = reader.read(strait, TopologySchema.HTTP_BIND, "http");
        Integer httpPort = reader.read(strait, TopologySchema.HTTP_PORT, "http");
        SortedMap<String, String> worker = readWorker(strait);
        Duration stopTimeout = reader.read(strait, TopologySchema.ENGINE_STOP_TIMEOUT, "engine");
        Boolean watch = reader.read(strait, TopologySchema.RELOAD_WATCH, "reload");
        Duration interval = reader.read(strait, TopologySchema.RELOAD_INTERVAL, "reload");
        Boolean scaleOut = reader.read(strait, TopologySchema.SCALE_OUT_ENABLED, "scale-out");
        String internalBind = reader.read(strait, TopologySchema.SCALE_OUT_BIND, "scale-out");
        String advertisedHost = reader.read(strait, TopologySchema.SCALE_OUT_ADVERTISED_HOST, "scale-out");
        Integer internalPort = reader.read(strait, TopologySchema.SCALE_OUT_PORT, "scale-out");
        for (Problem found : passThroughCheck.check(passThrough)) {
            findings.addOnce(found);
        }

        // Where the file has the key, or else its strait block: never reference.conf.
        if (strait.hasPath("clusters") && clusters.isEmpty() && !findings.hasErrors()) {
            findings.error((own.containsKey("clusters") ? own.get("clusters") : own).origin(),
                    "No clusters: define at least two under strait.clusters");
        }
        if (links.isEmpty() && !findings.hasErrors()) {
            findings.error((own.containsKey("flows") ? own.get("flows") : own).origin(),
                    "No flows: define at least one under strait.flows,"
                    + " for example dr { type = link, source = east, target = west }");
        }
        if (findings.hasErrors()) {
            throw findings.refusal();
        }
        // No error: every value was read (a value that could not be read is null, and an error).
        return new Topology(findings.description(), clusters, links, new HttpSettings(httpBind, httpPort),
                new EngineSettings(worker, stopTimeout), new ReloadSettings(watch, interval),
                new ScaleOutSettings(scaleOut, internalBind, internalPort, advertisedHost), findings.all());
    }

    // ---- clusters ----

    private SortedMap<String, ClusterSettings> readClusters(Config strait) {
        SortedMap<String, ClusterSettings> clusters = new TreeMap<>();
        ConfigObject all = reader.object(strait, "clusters");
        // clusters = [...] or an unset ${VAR}: reported already, so flows naming clusters are not
        clustersRefused = (all == null && strait.hasPath("clusters")) || reader.isUnset("strait", "clusters");
        if (all == null || clustersRefused) {
            return clusters;
        }
        Config defaults = strait.getConfig("cluster-defaults");
        for (Map.Entry<String, ConfigValue> entry : SettingReader.inFileOrder(all)) {
            String alias = entry.getKey();
            ConfigValue value = entry.getValue();
            if (!checkAlias(alias, value.origin())) {
                continue;
            }
            if (value.valueType() != ConfigValueType.OBJECT) {
                findings.error(value.origin(), "Invalid value " + SettingReader.render(value) + " for cluster " + alias
                        + ": a cluster is an object, for example " + alias + " { bootstrap-servers = \"host:9092\" }");
                continue;
            }
            ConfigObject own = (ConfigObject) value;
            String where = "cluster " + alias;
            reader.unknownKeys(own, TopologySchema.names(Block.CLUSTER), where);
            Config cluster = own.toConfig().withFallback(defaults);
            String bootstrap = null;
            if (!cluster.hasPath("bootstrap-servers")) {
                if (!reader.isUnset("strait", "clusters", alias, "bootstrap-servers")) {
                    findings.error(value.origin(), "Missing bootstrap-servers for cluster " + alias + ": write"
                            + " bootstrap-servers = \"host:9092\" (if it comes from ${?VAR}, that variable is not set)");
                }
            } else {
                bootstrap = reader.read(cluster, TopologySchema.BOOTSTRAP_SERVERS, where);
                if (bootstrap != null && bootstrap.isBlank()) {
                    findings.error(cluster.getValue("bootstrap-servers").origin(), "Invalid value \"\" for"
                            + " bootstrap-servers of cluster " + alias + ": it must list host:port pairs, for example"
                            + " \"host:9092\"");
                }
            }
            clusters.put(alias, new ClusterSettings(alias, bootstrap, kafkaClients(alias, own, cluster),
                    findings.location(value.origin())));
        }
        return clusters;
    }

    /** A cluster's kafka-clients, its own over cluster-defaults', without the keys Strait sets (refused). */
    private SortedMap<String, String> kafkaClients(String alias, ConfigObject own, Config cluster) {
        Map<String, ConfigOrigin> origins = new HashMap<>();
        SortedMap<String, String> clients = reader.rawSettings(cluster, "kafka-clients",
                "kafka-clients of cluster " + alias, origins);
        Set<String> ownClients = SettingReader.ownKeys(own, "kafka-clients");
        UnaryOperator<String> where = key -> "kafka-clients of "
                + (ownClients.contains(key) ? "cluster " + alias : "cluster-defaults");
        for (String refused : new TreeSet<>(REFUSED_CLIENT_KEYS)) {
            if (clients.remove(refused) != null) {
                findings.error(origins.get(refused), "Invalid key " + refused + " in " + where.apply(refused)
                        + ": Strait sets it" + (refused.equals("bootstrap.servers")
                        ? "; write bootstrap-servers instead" : "; remove the key"));
            }
        }
        for (String key : new TreeSet<>(clients.keySet())) {
            // Kafka's placeholders are resolved by the providers Strait gives every client and worker.
            if (key.equals("config.providers") || key.startsWith("config.providers.")) {
                clients.remove(key);
                findings.error(origins.get(key), "Invalid key " + key + " in " + where.apply(key)
                        + ": Strait sets it, with Kafka's providers env, file and directory; write \"${env:VAR}\","
                        + " \"${file:/path/file.properties:key}\" or \"${directory:/path:file}\" in a value instead");
            }
        }
        passThrough(PassThroughBlock.Kind.KAFKA_CLIENTS, "cluster " + alias, clients, origins, where);
        return clients;
    }

    private boolean checkAlias(String alias, ConfigOrigin origin) {
        if (!ALIAS.matcher(alias).matches()) {
            refusedAliases.add(alias);
            String cleaned = alias.replaceAll("[^A-Za-z0-9_-]", "-").replaceAll("^-+|-+$", "");
            findings.error(origin, "Invalid cluster alias \"" + alias + "\": an alias prefixes topic names, so it may"
                    + " hold only letters, digits, _ and - (no dots), for example " + (cleaned.isEmpty() ? "east" : cleaned));
            return false;
        }
        return true;
    }

    // ---- engine.worker ----

    /** engine.worker, without the keys Strait sets for each link (refused). */
    private SortedMap<String, String> readWorker(Config strait) {
        Map<String, ConfigOrigin> origins = new HashMap<>();
        SortedMap<String, String> worker = reader.rawSettings(strait, "engine.worker", "engine.worker", origins);
        for (Map.Entry<String, String> refused : new TreeMap<>(REFUSED_WORKER_KEYS).entrySet()) {
            if (worker.containsKey(refused.getKey())) {
                findings.error(origins.get(refused.getKey()), "Invalid key " + refused.getKey() + " in engine.worker:"
                        + " Strait sets it for each link (" + refused.getValue() + ")");
            }
        }
        SortedMap<String, String> passed = new TreeMap<>(worker);
        passed.keySet().removeAll(REFUSED_WORKER_KEYS.keySet());
        passThrough(PassThroughBlock.Kind.ENGINE_WORKER, "engine", passed, origins, key -> "engine.worker");
        return worker;
    }

    /** Notes a block of raw Kafka settings for the pass-through check, each with its block and file:line. */
    void passThrough(PassThroughBlock.Kind kind, String owner, SortedMap<String, String> settings,
                     Map<String, ConfigOrigin> origins, UnaryOperator<String> where) {
        passThrough.add(block(kind, owner, settings, origins, where, findings));
    }

    static PassThroughBlock block(PassThroughBlock.Kind kind, String owner, SortedMap<String, String> settings,
                                  Map<String, ConfigOrigin> origins, UnaryOperator<String> where, Findings findings) {
        List<PassThroughBlock.Setting> list = new ArrayList<>();
        settings.forEach((key, value) -> list.add(new PassThroughBlock.Setting(key, value, where.apply(key),
                findings.location(origins.get(key)))));
        return new PassThroughBlock(kind, owner, list);
    }
}
