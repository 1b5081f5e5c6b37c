package io.strait.topology;

import com.typesafe.config.Config;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Strait's own keys: the block each is written in, what it holds (type, unit, minimum) and whether
 * {@code reference.conf} gives it a default. {@link SettingReader} reads any of them; the sets of known
 * keys that unknown ones are checked against come from here. Defaults are not here: every one lives in
 * {@code reference.conf}, and {@code TopologySchemaTest} checks that both list the same keys.
 */
final class TopologySchema {

    /** Where keys are written, as a topology names it in messages. */
    enum Block {
        /** {@code strait { }} itself. */
        STRAIT("strait", "strait"),
        /** One cluster; its defaults are in {@code cluster-defaults}. */
        CLUSTER("cluster", "strait.cluster-defaults"),
        /** One flow; the keys that have defaults take them from {@code flow-defaults}. */
        FLOW("flow", "strait.flow-defaults"),
        HTTP("http", "strait.http"),
        ENGINE("engine", "strait.engine"),
        RELOAD("reload", "strait.reload"),
        SCALE_OUT("scale-out", "strait.scale-out");

        final String configName;
        /** Path of the block of reference.conf holding its keys' defaults. */
        final String defaultsPath;

        Block(String configName, String defaultsPath) {
            this.configName = configName;
            this.defaultsPath = defaultsPath;
        }

        /** The path of a key of this block under {@code strait { }}, or within an entry (cluster, flow). */
        String path(String key) {
            return this == STRAIT || this == CLUSTER || this == FLOW ? key : configName + "." + key;
        }
    }

    /**
     * One key.
     *
     * @param block     where it is written
     * @param name      its name, kebab-case
     * @param type      what it holds
     * @param defaulted whether reference.conf gives it a default (under {@link Block#defaultsPath})
     * @param flowTypes for a flow's endpoint keys, the flow types that take it (empty: every flow)
     */
    record Key<T>(Block block, String name, SettingType<T> type, boolean defaulted, Set<FlowType> flowTypes) {

        String path() {
            return block.path(name);
        }
    }

    // ---- strait { } ----
    static final Key<Config> CLUSTERS = key(Block.STRAIT, "clusters", SettingType.block());
    static final Key<Config> CLUSTER_DEFAULTS = key(Block.STRAIT, "cluster-defaults", SettingType.block());
    static final Key<Config> FLOWS = key(Block.STRAIT, "flows", SettingType.block());
    static final Key<Config> FLOW_DEFAULTS = key(Block.STRAIT, "flow-defaults", SettingType.block());
    static final Key<Config> HTTP = key(Block.STRAIT, "http", SettingType.block());
    static final Key<Config> ENGINE = key(Block.STRAIT, "engine", SettingType.block());
    static final Key<Config> RELOAD = key(Block.STRAIT, "reload", SettingType.block());
    static final Key<Config> SCALE_OUT = key(Block.STRAIT, "scale-out", SettingType.block());

    // ---- a cluster (and cluster-defaults) ----
    /** Required in each cluster: Kafka's comma-separated host:port list. */
    static final Key<String> BOOTSTRAP_SERVERS = required(Block.CLUSTER, "bootstrap-servers", SettingType.string());
    /** Raw Kafka client settings, Kafka's dotted names. */
    static final Key<Config> KAFKA_CLIENTS = key(Block.CLUSTER, "kafka-clients", SettingType.raw());

    // ---- a flow: its type and endpoints, only in the flow itself ----
    static final Key<FlowType> TYPE = endpoint("type", SettingType.choice(FlowType.class, FlowType::configName,
            "write one of " + FlowType.allConfigNames()), EnumSet.allOf(FlowType.class));
    static final Key<String> SOURCE = endpoint("source", SettingType.string(), EnumSet.of(FlowType.LINK, FlowType.FAN_OUT));
    static final Key<List<String>> SOURCES = endpoint("sources", SettingType.clusters(1), EnumSet.of(FlowType.FAN_IN));
    static final Key<String> TARGET = endpoint("target", SettingType.string(), EnumSet.of(FlowType.LINK, FlowType.FAN_IN));
    static final Key<List<String>> TARGETS = endpoint("targets", SettingType.clusters(1), EnumSet.of(FlowType.FAN_OUT));
    static final Key<List<String>> MEMBERS = endpoint("clusters", SettingType.clusters(2),
            EnumSet.of(FlowType.PIPE, FlowType.BIDIRECTIONAL));

    // ---- a flow's settings (and flow-defaults) ----
    static final Key<List<String>> TOPICS = key(Block.FLOW, "topics", SettingType.patterns());
    static final Key<List<String>> TOPICS_EXCLUDE = key(Block.FLOW, "topics-exclude", SettingType.patterns());
    static final Key<List<String>> GROUPS = key(Block.FLOW, "groups", SettingType.patterns());
    static final Key<List<String>> GROUPS_EXCLUDE = key(Block.FLOW, "groups-exclude", SettingType.patterns());
    static final Key<Naming> NAMING = key(Block.FLOW, "naming", SettingType.choice(Naming.class, Naming::configName,
            "write prefix (source.topic) or identity (the same name)"));
    static final Key<String> SEPARATOR = key(Block.FLOW, "separator", SettingType.separator());
    /** {@code auto} (0) or at least 1. */
    static final Key<Integer> TASKS = key(Block.FLOW, "tasks", SettingType.tasks());
    /** At least 1 s: MirrorMaker 2 takes whole seconds. */
    static final Key<Duration> REFRESH_INTERVAL = key(Block.FLOW, "refresh-interval",
            SettingType.duration(Duration.ofSeconds(1)));
    static final Key<Delivery> DELIVERY = key(Block.FLOW, "delivery", SettingType.choice(Delivery.class,
            Delivery::configName, "write at-least-once or exactly-once"));
    /** Raw MirrorMaker 2 connector settings. */
    static final Key<Config> MIRROR = key(Block.FLOW, "mirror", SettingType.raw());

    // ---- http, engine, reload, scale-out ----
    static final Key<String> HTTP_BIND = key(Block.HTTP, "bind", SettingType.string());
    static final Key<Integer> HTTP_PORT = key(Block.HTTP, "port", SettingType.port());
    /** Raw Kafka Connect worker settings. */
    static final Key<Config> ENGINE_WORKER = key(Block.ENGINE, "worker", SettingType.raw());
    static final Key<Duration> ENGINE_STOP_TIMEOUT = key(Block.ENGINE, "stop-timeout",
            SettingType.duration(Duration.ofSeconds(1)));
    static final Key<Boolean> RELOAD_WATCH = key(Block.RELOAD, "watch", SettingType.bool());
    static final Key<Duration> RELOAD_INTERVAL = key(Block.RELOAD, "interval",
            SettingType.duration(Duration.ofMillis(100)));
    static final Key<Boolean> SCALE_OUT_ENABLED = key(Block.SCALE_OUT, "enabled", SettingType.bool());
    static final Key<String> SCALE_OUT_BIND = key(Block.SCALE_OUT, "bind", SettingType.string());
    static final Key<Integer> SCALE_OUT_PORT = key(Block.SCALE_OUT, "port", SettingType.port());
    static final Key<String> SCALE_OUT_ADVERTISED_HOST = key(Block.SCALE_OUT, "advertised-host", SettingType.string());

    /** Every key, in the order above (a flow type's endpoint keys are said in this order: sources and target). */
    static final List<Key<?>> KEYS = List.of(CLUSTERS, CLUSTER_DEFAULTS, FLOWS, FLOW_DEFAULTS, HTTP, ENGINE, RELOAD,
            SCALE_OUT, BOOTSTRAP_SERVERS, KAFKA_CLIENTS, TYPE, SOURCE, SOURCES, TARGET, TARGETS, MEMBERS, TOPICS,
            TOPICS_EXCLUDE, GROUPS, GROUPS_EXCLUDE, NAMING, SEPARATOR, TASKS, REFRESH_INTERVAL, DELIVERY, MIRROR,
            HTTP_BIND, HTTP_PORT, ENGINE_WORKER, ENGINE_STOP_TIMEOUT, RELOAD_WATCH, RELOAD_INTERVAL, SCALE_OUT_ENABLED,
            SCALE_OUT_BIND, SCALE_OUT_PORT, SCALE_OUT_ADVERTISED_HOST);

    private TopologySchema() {
    }

    /** Names of the keys of a block; for {@link Block#FLOW}, only those a flow shares with flow-defaults. */
    static Set<String> names(Block block) {
        return KEYS.stream().filter(k -> k.block() == block && k.flowTypes().isEmpty()).map(Key::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The endpoint keys of a flow type ({@code source}, {@code targets}, ...), without {@code type}. */
    static List<Key<?>> endpoints(FlowType type) {
        return KEYS.stream().filter(k -> k.flowTypes().contains(type) && k != TYPE).toList();
    }

    /** Every endpoint key of any flow type. */
    static Set<String> allEndpointNames() {
        return KEYS.stream().filter(k -> !k.flowTypes().isEmpty() && k != TYPE).map(Key::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static <T> Key<T> key(Block block, String name, SettingType<T> type) {
        return new Key<>(block, name, type, true, Set.of());
    }

    private static <T> Key<T> required(Block block, String name, SettingType<T> type) {
        return new Key<>(block, name, type, false, Set.of());
    }

    private static <T> Key<T> endpoint(String name, SettingType<T> type, Set<FlowType> flowTypes) {
        return new Key<>(Block.FLOW, name, type, false, Set.copyOf(flowTypes));
    }
}
