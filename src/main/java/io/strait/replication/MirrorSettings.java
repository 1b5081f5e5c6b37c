package io.strait.replication;

import io.strait.topology.ClusterSettings;
import io.strait.topology.Delivery;
import io.strait.topology.LinkId;
import io.strait.topology.LinkSettings;
import io.strait.topology.Naming;
import io.strait.topology.Topology;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorHeartbeatConnector;
import org.apache.kafka.connect.mirror.MirrorMakerConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.SourceAndTarget;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns a topology into MirrorMaker 2's own configuration: the property map that Kafka's
 * {@link MirrorMakerConfig} reads ({@code clusters}, {@code east.bootstrap.servers},
 * {@code east->west.enabled}, ...), and from it, per link, the Connect worker settings and the
 * settings of each of the three connectors. A pure function: nothing here opens a socket.
 */
public final class MirrorSettings {

    /** The connectors every link runs, in start order. */
    public static final List<Class<?>> CONNECTORS =
            List.of(MirrorSourceConnector.class, MirrorCheckpointConnector.class, MirrorHeartbeatConnector.class);

    public static final String HIDDEN = "[hidden]";
    /** How long MirrorMaker 2's offset syncs wait to be sent in one batch, on at-least-once links ({@link #offsetSyncsLinger}). */
    static final Duration OFFSET_SYNCS_LINGER = Duration.ofMillis(100);
    private static final Set<String> PASSWORD_KEYS = Stream.of(ProducerConfig.configDef(),
                    ConsumerConfig.configDef(), AdminClientConfig.configDef())
            .flatMap(def -> def.configKeys().values().stream())
            .filter(key -> key.type == ConfigDef.Type.PASSWORD)
            .map(key -> key.name)
            .collect(Collectors.toUnmodifiableSet());
    private static final Pattern SECRET_LOOKING = Pattern.compile("(?i).*(password|secret|jaas|credential|token).*");

    private final Topology topology;
    private final int processors;
    /**
     * Secret values of the topology, by cluster alias or link id, then key: connector
     * configurations hold {@link TopologyConfigProvider} placeholders instead, and only the workers
     * of the links that use them are given these values.
     */
    private final Map<String, SortedMap<String, String>> secrets = new TreeMap<>();
    private final Map<String, String> properties;
    private MirrorMakerConfig mirrorMakerConfig;

    public MirrorSettings(Topology topology) {
        this(topology, Runtime.getRuntime().availableProcessors());
    }

    /** With a given processor count, which {@code tasks = auto} follows (tests). */
    public MirrorSettings(Topology topology, int processors) {
        this.topology = topology;
        this.processors = processors;
        this.properties = buildProperties();
    }

    public Topology topology() {
        return topology;
    }

    /** The whole MirrorMaker 2 property map, as {@code connect-mirror-maker.properties} would hold it. */
    public SortedMap<String, String> properties() {
        return new TreeMap<>(properties);
    }

    /**
     * Kafka Connect worker settings of one link's herder. They hold, in memory only, the secret
     * values its connectors' placeholders stand for (see {@link TopologyConfigProvider}).
     */
    public SortedMap<String, String> workerConfig(LinkId link) {
        Map<String, String> worker = new TreeMap<>(config().workerConfig(sourceAndTarget(link)));
        Map<String, String> values = new TreeMap<>();
        for (String path : List.of(link.source(), link.target(), link.toString())) {
            secrets.getOrDefault(path, new TreeMap<>()).forEach((key, value) -> values.put(path + "." + key, value));
        }
        worker.putAll(ConfigProviders.forWorker(values));
        worker.putAll(topology.engine().worker());
        if (topology.links().get(link).delivery() == Delivery.EXACTLY_ONCE) {
            // Transactional writes with zombie fencing by the group's leader (KIP-618).
            worker.put("exactly.once.source.support", "enabled");
        }
        return new TreeMap<>(worker);
    }

    /** Settings of one of the link's connectors (see {@link #CONNECTORS}). */
    public SortedMap<String, String> connectorConfig(LinkId link, Class<?> connector) {
        SortedMap<String, String> config = new TreeMap<>(config().connectorBaseConfig(sourceAndTarget(link), connector));
        config.put("name", connectorName(link, connector));
        if (connector == MirrorSourceConnector.class) {
            // MirrorMaker 2's connector with Strait's task: positions tied to the source topic's ID,
            // and source records removed before they were copied counted (StraitSourceTask).
            config.put("connector.class", StraitSourceConnector.class.getName());
            if (topology.links().get(link).delivery() == Delivery.AT_LEAST_ONCE) {
                config.putAll(directCopyConfig(link));
            }
        } else if (connector == MirrorCheckpointConnector.class) {
            // MirrorMaker 2's connector with Strait's task: its sync never moves a group back (KAFKA-19794).
            config.put("connector.class", StraitCheckpointConnector.class.getName());
        }
        return config;
    }

    /**
     * The settings of an at-least-once link's copy loop ({@link DirectCopy}): the link's Connect
     * offsets topic, the worker's offset commit interval, and the worker's {@code producer.*}
     * settings (a secret among them as a config-provider placeholder, never in clear).
     */
    private Map<String, String> directCopyConfig(LinkId link) {
        Map<String, String> worker = workerConfig(link);
        Map<String, String> config = new TreeMap<>();
        config.put(DirectCopy.ENABLED, "true");
        config.put(DirectCopy.OFFSETS_TOPIC, worker.get("offset.storage.topic"));
        config.put(DirectCopy.COMMIT_INTERVAL_MS, worker.getOrDefault("offset.flush.interval.ms", "60000"));
        config.putAll(directCopyProducer(link));
        return config;
    }

    /** The worker's {@code producer.*} settings for the copy loop, a secret as a config-provider placeholder. */
    private Map<String, String> directCopyProducer(LinkId link) {
        Map<String, String> config = new TreeMap<>();
        topology.engine().worker().forEach((key, value) -> {
            if (key.startsWith("producer.")) {
                String name = DirectCopy.PRODUCER_PREFIX + key.substring("producer.".length());
                config.put(name, stored(link.toString(), name, value));
            }
        });
        return config;
    }

    /**
     * {@code tasks = auto}: half the processors, at least 1. A task's thread consumes and sends and
     * its instance's shared producer takes about half a core more ({@link DirectCopy}); on 2 cores,
     * 1 task copied at 0.91 x a raw copy where 2 copied at 0.77 to 0.83 x, with a third less CPU
     * per record (bench/, 300,000 records).
     */
    static int autoTasks(int processors) {
        return Math.max(1, processors / 2);
    }

    /** Every connector's settings for the link, by connector name, in start order. */
    public Map<String, SortedMap<String, String>> connectorConfigs(LinkId link) {
        Map<String, SortedMap<String, String>> all = new LinkedHashMap<>();
        CONNECTORS.forEach(c -> all.put(connectorName(link, c), connectorConfig(link, c)));
        return all;
    }

    /**
     * Connectors are named after their link, so that logs, task threads, client ids and metrics
     * tell links apart: {@code east->west} (MirrorSourceConnector), {@code east->west.checkpoint}
     * and {@code east->west.heartbeat}.
     */
    public static String connectorName(LinkId link, Class<?> connector) {
        if (connector == MirrorSourceConnector.class) {
            return link.toString();
        }
        if (connector == MirrorCheckpointConnector.class) {
            return link + ".checkpoint";
        }
        if (connector == MirrorHeartbeatConnector.class) {
            return link + ".heartbeat";
        }
        throw new IllegalArgumentException("Not a MirrorMaker 2 connector: " + connector.getName());
    }

    /** The MirrorMakerConfig for this topology, built once: it loads Connect's plugins. */
    public synchronized MirrorMakerConfig config() {
        if (mirrorMakerConfig == null) {
            mirrorMakerConfig = new MirrorMakerConfig(properties);
        }
        return mirrorMakerConfig;
    }

    static SourceAndTarget sourceAndTarget(LinkId link) {
        return new SourceAndTarget(link.source(), link.target());
    }

    private Map<String, String> buildProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(MirrorMakerConfig.CLUSTERS_CONFIG, String.join(",", topology.clusters().keySet()));
        // MirrorMakerConfig loads Connect's plugins too: find them the fast way.
        String discovery = topology.engine().worker().get("plugin.discovery");
        if (discovery != null) {
            props.put("plugin.discovery", discovery);
        }
        for (ClusterSettings cluster : topology.clusters().values()) {
            String alias = cluster.alias();
            props.put(alias + ".bootstrap.servers", cluster.bootstrapServers());
            // MirrorMaker 2 copies only security settings from cluster level to its clients;
            // Strait gives every client of the cluster every setting.
            cluster.kafkaClients().forEach((key, given) -> {
                String value = stored(alias, key, given);
                props.put(alias + "." + key, value);
                props.put(alias + ".producer." + key, value);
                props.put(alias + ".consumer." + key, value);
                props.put(alias + ".admin." + key, value);
            });
        }
        for (LinkSettings link : topology.links().values()) {
            String prefix = link.id() + ".";
            props.put(prefix + "enabled", "true");
            props.put(prefix + "replication.policy.class", (link.naming() == Naming.IDENTITY
                    ? StraitIdentityReplicationPolicy.class : StraitDefaultReplicationPolicy.class).getName());
            props.put(prefix + "replication.policy.separator", link.separator());
            // Only MirrorMaker 2's own heartbeats bypass the topic filter: the policy knows the links that make them.
            TopologyHeartbeats.properties(topology, link.id()).forEach((k, v) -> props.put(prefix + k, v));
            props.put(prefix + "topic.filter.class", SelectionTopicFilter.class.getName());
            SelectionFilter.properties(SelectionTopicFilter.PREFIX, link.topics())
                    .forEach((k, v) -> props.put(prefix + k, v));
            props.put(prefix + "group.filter.class", SelectionGroupFilter.class.getName());
            SelectionFilter.properties(SelectionGroupFilter.PREFIX, link.groups())
                    .forEach((k, v) -> props.put(prefix + k, v));
            props.put(prefix + "tasks.max", Integer.toString(link.tasks() > 0 ? link.tasks() : autoTasks(processors)));
            String refresh = Long.toString(link.refreshInterval().toSeconds());
            props.put(prefix + "refresh.topics.interval.seconds", refresh);
            props.put(prefix + "refresh.groups.interval.seconds", refresh);
            // Only committed records are copied, in every delivery mode: a record of an aborted
            // transaction never existed for the source's consumers, and must not appear on the target
            // as an ordinary record. (MirrorMaker 2 reads committed records only when exactly-once is
            // required: MirrorSourceConnector.validate.) `source.consumer.` is the most specific prefix
            // MirrorSourceConfig.sourceConsumerConfig reads, so no cluster-level setting overrides it.
            props.put(prefix + "source.consumer.isolation.level", "read_committed");
            // The source consumer never creates a topic: with the broker's auto.create.topics.enable (on
            // by default), a deleted source topic would otherwise come back at once, with the broker's
            // default partition count, created by the replicator's metadata requests.
            props.put(prefix + "source.consumer.allow.auto.create.topics", "false");
            // A partition without a position (new, or re-created at the source) starts at its earliest
            // offset, and a position the source has removed moves to the earliest one left, where
            // StraitSourceTask counts the gap. MirrorMaker 2 sets this only if nothing else does.
            props.put(prefix + "source.consumer.auto.offset.reset", "earliest");
            if (link.delivery() == Delivery.EXACTLY_ONCE) {
                props.put(prefix + "exactly.once.support", "required");
            } else {
                // Registers the copy loop's producer secrets now, for the worker's config provider.
                directCopyProducer(link.id());
                offsetSyncsLinger(link).ifPresent(linger -> props.put(prefix + "source.producer.linger.ms", linger));
            }
            link.mirror().forEach((k, v) -> props.put(prefix + k, stored(link.id().toString(), k, v)));
        }
        return props;
    }

    /**
     * The offset-syncs producer's {@code linger.ms} for an at-least-once link: 100 ms, so that
     * MirrorMaker 2's offset syncs (one per {@code offset.lag.max}, 100, records of a partition, about
     * 100 bytes each) go to the source in batches. With Kafka's 5 ms they took about 520 Produce
     * requests per million records copied, about 50 with 100 ms, and the brokers about 0.4 s less CPU
     * per million (bench/README.md). The copy loop sends every sync MM2's rules call for (up to 10,000
     * in flight: {@code MirrorSourceTaskParts}), so they are the same syncs, up to 0.1 s later.
     * {@code source.producer.*} is read by MirrorSourceConfig's offset-syncs producer alone.
     *
     * <p>Called for at-least-once links only: an exactly-once link's MirrorSourceTask keeps at most 10
     * syncs in flight and replaces the others, so a longer linger would drop syncs, not delay them.
     * Empty, so Kafka's default or the user's setting applies, when the source cluster's {@code kafka-clients} or the link's mirror
     * block sets {@code linger.ms} for its producers ({@code producer.linger.ms},
     * {@code source.producer.linger.ms}); with {@code offset-syncs.topic.location = target}, where the
     * syncs take {@code target.producer.*}, the copy producer's settings.
     */
    private Optional<String> offsetSyncsLinger(LinkSettings link) {
        ClusterSettings source = topology.clusters().get(link.id().source());
        boolean given = (source != null && source.kafkaClients().containsKey(ProducerConfig.LINGER_MS_CONFIG))
                || link.mirror().containsKey("producer." + ProducerConfig.LINGER_MS_CONFIG)
                || link.mirror().containsKey("source.producer." + ProducerConfig.LINGER_MS_CONFIG);
        boolean atSource = !"target".equals(link.mirror().get("offset-syncs.topic.location"));
        return given || !atSource ? Optional.empty() : Optional.of(Long.toString(OFFSET_SYNCS_LINGER.toMillis()));
    }

    /**
     * What goes into MirrorMaker 2's settings for {@code key} of a cluster or link ({@code path}):
     * the value, or for a secret, a placeholder that only the link's worker resolves. So no secret
     * reaches a connector configuration, which Connect stores in the link's config topic.
     */
    private String stored(String path, String key, String value) {
        if (!isSecret(key)) {
            return value;
        }
        secrets.computeIfAbsent(path, p -> new TreeMap<>()).put(key, value);
        return TopologyConfigProvider.placeholder(path, key);
    }

    /**
     * True for settings whose value is a secret: Kafka's password-typed client settings, look-alikes
     * ({@code password}, {@code secret}, {@code jaas}, {@code credential}, {@code token} in the name),
     * and the values given to {@link TopologyConfigProvider}.
     */
    public static boolean isSecret(String key) {
        if (key.startsWith(TopologyConfigProvider.PARAM_PREFIX) || SECRET_LOOKING.matcher(key).matches()) {
            return true;
        }
        for (String password : PASSWORD_KEYS) {
            if (key.equals(password) || key.endsWith("." + password)) {
                return true;
            }
        }
        return false;
    }

    /** A copy with every secret value replaced by {@value #HIDDEN}, for logs and printing. */
    public static SortedMap<String, String> redacted(Map<String, String> settings) {
        SortedMap<String, String> copy = new TreeMap<>();
        settings.forEach((k, v) -> copy.put(k, isSecret(k) ? HIDDEN : v));
        return copy;
    }
}
