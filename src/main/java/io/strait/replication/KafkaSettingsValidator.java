package io.strait.replication;

import io.strait.replication.KafkaKeySpaces.Definition;
import io.strait.replication.KafkaKeySpaces.Match;
import io.strait.replication.KafkaKeySpaces.Space;
import io.strait.topology.PassThroughBlock;
import io.strait.topology.PassThroughBlock.Kind;
import io.strait.topology.PassThroughBlock.Setting;
import io.strait.topology.PassThroughCheck;
import io.strait.topology.Problem;
import io.strait.topology.TopologyLoader;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorHeartbeatConnector;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.strait.replication.KafkaKeySpaces.CLIENT_DEFINITIONS;
import static io.strait.replication.KafkaKeySpaces.CONNECTOR_DEFINITIONS;
import static io.strait.replication.KafkaKeySpaces.CONSUMER;
import static io.strait.replication.KafkaKeySpaces.PRODUCER;
import static io.strait.replication.KafkaKeySpaces.WORKER;
import static io.strait.replication.KafkaKeySpaces.candidates;
import static io.strait.replication.KafkaKeySpaces.resolve;
import static io.strait.replication.KafkaKeySpaces.space;

/**
 * Checks every raw Kafka setting a topology passes through against Kafka's own definitions, so that
 * {@code validate}, {@code plan}, {@code run} and a reload refuse what a link would otherwise fail on
 * at run time, retrying for ever:
 * <ul>
 *   <li>a cluster's {@code kafka-clients}: {@link ProducerConfig}, {@link ConsumerConfig} and
 *       {@link AdminClientConfig}, plus {@code producer.}, {@code consumer.} and {@code admin.} followed
 *       by that client's setting (MirrorMakerConfig's cluster-level client prefixes);</li>
 *   <li>{@code engine.worker}: {@link DistributedConfig}, plus {@code producer.}, {@code consumer.} and
 *       {@code admin.} followed by that client's setting (Connect's {@code Worker});</li>
 *   <li>a flow's {@code mirror} block: the definitions of {@link MirrorSourceConnector},
 *       {@link MirrorCheckpointConnector} and {@link MirrorHeartbeatConnector} and Connect's
 *       {@link SourceConnectorConfig}, plus the prefixes MirrorConnectorConfig reads: {@code consumer.},
 *       {@code producer.}, {@code admin.}, the same after {@code source.} or {@code target.}, and
 *       {@code source.cluster.} / {@code target.cluster.} followed by a security setting
 *       (MirrorClientConfig); and Connect's {@code producer.override.}, {@code consumer.override.},
 *       {@code admin.override.}.</li>
 * </ul>
 * A value is parsed with {@link ConfigDef#parseType} and its key's validator, as {@code AbstractConfig}
 * does, so the reason given is Kafka's own ({@code Invalid value V for K in BLOCK: reason}). The
 * connectors' own cross-setting checks ({@code Connector#validate}) run on each mirror block too.
 * <p>
 * Findings: an unknown key is an error, with the nearest known key; a key that Kafka knows but the
 * block's Kafka component ignores (such as {@code acks} in {@code engine.worker}) is a warning saying
 * what to write instead; {@code isolation.level = read_uncommitted} for a consumer is an error
 * (Strait copies committed records only), and so is a converter other than ByteArrayConverter or a
 * connector's own offsets topic. A value holding a config-provider placeholder
 * {@code ${provider:path:key}} is resolved later, inside the worker, so only its key is checked.
 * Under prefixes whose keys belong to a plugin ({@code transforms.}, {@code predicates.}, converters'
 * {@code key.converter.} and the like, {@code config.providers.}, {@code metrics.context.}, the extra
 * topic settings of Connect's {@code config.storage.} / {@code offset.storage.} / {@code status.storage.})
 * any key is accepted.
 * <p>
 * A pure function: nothing here opens a socket or starts a thread. Values of secret settings never
 * appear in a message. The keys each block understands are {@link KafkaKeySpaces}'s tables.
 */
public final class KafkaSettingsValidator implements PassThroughCheck {

    /** Kafka's config-provider placeholder, {@code ${provider:path:key}} or {@code ${provider:key}}. */
    private static final Pattern PLACEHOLDER = ConfigTransformer.DEFAULT_PATTERN;
    private static final Pattern KAFKA_REASON = Pattern.compile("(?s)^Invalid value .* for configuration \\S+: (.*)$");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    /** Client settings Strait sets itself, however they are prefixed. */
    private static final Set<String> SET_BY_STRAIT = Set.of("bootstrap.servers", "group.id");
    private static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";
    private static final String CONVERTER = "MirrorMaker 2 copies keys, values and headers byte for byte ("
            + BYTE_ARRAY_CONVERTER + "), and another converter would rewrite every record; remove the key";
    /** Worker and connector settings that would silently change what a link copies or where its progress is kept. */
    private static final Map<String, String> REFUSED = Map.of(
            "key.converter", CONVERTER,
            "value.converter", CONVERTER,
            "header.converter", CONVERTER,
            "offsets.storage.topic", "each link keeps its source offsets in its worker's mm2-offsets.<source>.internal,"
                    + " where lag and verify read them; remove the key");

    @Override
    public List<Problem> check(List<PassThroughBlock> blocks) {
        List<Problem> problems = new ArrayList<>();
        for (PassThroughBlock block : blocks) {
            Map<String, String> accepted = new LinkedHashMap<>();
            for (Setting setting : block.settings()) {
                int before = problems.size();
                check(block.kind(), setting, problems);
                if (problems.size() == before && !PLACEHOLDER.matcher(setting.value()).find()) {
                    accepted.put(setting.key(), setting.value());
                }
            }
            if (block.kind() == Kind.MIRROR) {
                checkConnectors(block, accepted, problems);
            }
        }
        return problems;
    }

    // ---- one setting ----

    private static void check(Kind kind, Setting setting, List<Problem> problems) {
        String key = setting.key();
        Space space = space(kind);
        List<Match> matches = resolve(space, "", key);
        if (matches == null) {
            return; // under a plugin's prefix
        }
        String name = matches.isEmpty() ? key : matches.get(0).name();
        if (SET_BY_STRAIT.contains(name) && (matches.isEmpty() || !matches.get(0).prefix().isEmpty())) {
            // Bare in kafka-clients and engine.worker, the loader refuses them already.
            problems.add(Problem.error(setting.location(), "Invalid key " + key + " in " + setting.where()
                    + ": Strait sets " + name + (name.equals("bootstrap.servers")
                    ? " for every client from the clusters' bootstrap-servers; write bootstrap-servers in the cluster"
                    + " instead" : " itself; remove the key")));
            return;
        }
        if (matches.isEmpty()) {
            String elsewhere = elsewhere(kind, key);
            if (elsewhere != null) {
                problems.add(Problem.warning(setting.location(), "Key " + key + " in " + setting.where() + " " + elsewhere));
            } else {
                problems.add(Problem.error(setting.location(), "Unknown key " + key + " in " + setting.where() + ": "
                        + unknownReason(kind) + TopologyLoader.didYouMean(key, candidates(space, key))));
            }
            return;
        }
        Match first = matches.get(0);
        String value = setting.value();
        if (kind != Kind.KAFKA_CLIENTS && first.prefix().isEmpty() && REFUSED.containsKey(key)
                && !value.strip().equals(BYTE_ARRAY_CONVERTER)) {
            problems.add(Problem.error(setting.location(), "Invalid key " + key + " in " + setting.where() + ": "
                    + REFUSED.get(key)));
            return;
        }
        if (PLACEHOLDER.matcher(value).find()) {
            return; // resolved inside the worker by a config provider
        }
        boolean secret = MirrorSettings.isSecret(key) || matches.stream().anyMatch(m -> m.key().type == ConfigDef.Type.PASSWORD);
        String shown = secret ? MirrorSettings.HIDDEN : value;
        for (Match match : matches) {
            String reason = invalidReason(match, value);
            if (reason != null) {
                if (secret) {
                    reason = reason.replace(value.strip(), MirrorSettings.HIDDEN);
                }
                problems.add(Problem.error(setting.location(), "Invalid value " + shown + " for " + key + " in "
                        + setting.where() + ": " + reason));
                return;
            }
        }
        if (first.definition() == CONSUMER && first.name().equals(ConsumerConfig.ISOLATION_LEVEL_CONFIG)
                && value.strip().equals("read_uncommitted")) {
            problems.add(Problem.error(setting.location(), "Invalid value read_uncommitted for " + key + " in "
                    + setting.where() + ": Strait copies committed records only, so its consumers read with"
                    + " isolation.level read_committed; remove the key (records of aborted transactions are never"
                    + " copied)"));
        }
        if (first.definition() == CONSUMER && first.name().equals(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)
                && !value.strip().equals("earliest")) {
            problems.add(Problem.error(setting.location(), "Invalid value " + value.strip() + " for " + key + " in "
                    + setting.where() + ": a link's source consumer starts a partition it has no position for at its"
                    + " earliest offset (MirrorMaker 2's auto.offset.reset = earliest), or records would be skipped"
                    + " without a count; remove the key"));
        }
    }

    /** Kafka's reason why a value is invalid for a key (ConfigDef#parseValue), or null when it is valid. */
    private static String invalidReason(Match match, String value) {
        ConfigDef.ConfigKey key = match.key();
        try {
            Object parsed = ConfigDef.parseType(match.name(), value, key.type);
            if (key.validator != null) {
                key.validator.ensureValid(match.name(), parsed);
            }
            return null;
        } catch (ConfigException e) {
            Matcher kafka = KAFKA_REASON.matcher(String.valueOf(e.getMessage()));
            String reason = kafka.matches() ? kafka.group(1) : String.valueOf(e.getMessage());
            return reason + hint(match, value, reason);
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** What to write instead, where Kafka's reason does not say it. */
    private static String hint(Match match, String value, String reason) {
        ConfigDef.Type type = match.key().type;
        if (reason.startsWith("Not a number of type")) {
            String name = match.name();
            String unit = name.endsWith(".ms") ? " of milliseconds" : name.endsWith(".seconds") ? " of seconds"
                    : name.endsWith(".bytes") ? " of bytes" : "";
            Matcher duration = DURATION.matcher(value.strip());
            if (duration.matches() && (name.endsWith(".ms") || name.endsWith(".seconds"))) {
                long millis = Long.parseLong(duration.group(1)) * switch (duration.group(2)) {
                    case "s" -> 1_000L;
                    case "m" -> 60_000L;
                    case "h" -> 3_600_000L;
                    default -> 1L;
                };
                return "; Kafka takes a number" + unit + " here: write " + (name.endsWith(".ms") ? millis : millis / 1000);
            }
            Object fallback = match.key().defaultValue;
            String example = fallback == null || fallback == ConfigDef.NO_DEFAULT_VALUE ? ""
                    : ", for example " + ConfigDef.convertToString(fallback, type) + " (Kafka's default)";
            return "; write " + (type == ConfigDef.Type.DOUBLE ? "a number" : "a whole number") + unit + example;
        }
        if (type == ConfigDef.Type.CLASS && reason.contains("could not be found")) {
            return " Put the jar that holds it in Strait's lib/ directory, or correct the class name";
        }
        return "";
    }

    // ---- keys that belong elsewhere ----

    private static String unknownReason(Kind kind) {
        return switch (kind) {
            case KAFKA_CLIENTS -> "no Kafka client (producer, consumer, admin) has this setting";
            case ENGINE_WORKER -> "neither Kafka Connect's worker nor its clients (producer., consumer., admin.) have"
                    + " this setting";
            case MIRROR -> "neither MirrorMaker 2's connectors nor their clients (consumer., producer., admin., the"
                    + " same after source. or target., source.cluster., target.cluster.) have this setting";
        };
    }

    /** Why a key that this block ignores is known elsewhere, and what to write instead; null if nowhere. */
    private static String elsewhere(Kind kind, String key) {
        List<Definition> clients = CLIENT_DEFINITIONS.stream().filter(d -> d.def().configKeys().containsKey(key)).toList();
        boolean worker = WORKER.def().configKeys().containsKey(key);
        boolean connector = CONNECTOR_DEFINITIONS.stream().anyMatch(d -> d.def().configKeys().containsKey(key));
        String mirrorBlock = ": write it in a flow's mirror block (or in flow-defaults)";
        switch (kind) {
            case KAFKA_CLIENTS -> {
                if (worker) {
                    return "is a Kafka Connect worker setting, which Kafka's clients ignore: write it in engine.worker";
                }
                if (connector) {
                    return "is a MirrorMaker 2 connector setting, which Kafka's clients ignore" + mirrorBlock;
                }
            }
            case ENGINE_WORKER -> {
                if (!clients.isEmpty()) {
                    Definition client = clients.get(0);
                    String instead = client == PRODUCER
                            ? "write producer." + key + " here, for the producer that writes to each target"
                            : client == CONSUMER
                            ? "write consumer." + key + " in a flow's mirror block, for MirrorMaker 2's consumer of"
                                    + " the source, or " + key + " in the source cluster's kafka-clients"
                            : "write admin." + key + " here, for the worker's admin client";
                    return "is " + roles(clients) + " setting, which the Kafka Connect worker ignores: " + instead;
                }
                if (connector) {
                    return "is a MirrorMaker 2 connector setting, which the Kafka Connect worker ignores" + mirrorBlock;
                }
            }
            case MIRROR -> {
                if (!clients.isEmpty()) {
                    return "is " + roles(clients) + " setting, which MirrorMaker 2's connectors ignore without a"
                            + " prefix: " + prefixedInstead(clients.get(0), "", key);
                }
                if (worker) {
                    return "is a Kafka Connect worker setting, which MirrorMaker 2's connectors ignore: write it in"
                            + " engine.worker";
                }
                for (String side : List.of("source.cluster.", "target.cluster.")) {
                    String name = key.startsWith(side) ? key.substring(side.length()) : "";
                    List<Definition> known = CLIENT_DEFINITIONS.stream()
                            .filter(d -> d.def().configKeys().containsKey(name)).toList();
                    if (!known.isEmpty()) {
                        String end = side.substring(0, side.indexOf('.') + 1);
                        return "is ignored: MirrorMaker 2 reads only connection and security settings (security.*,"
                                + " ssl.*, sasl.*) under " + side + "; " + prefixedInstead(known.get(0), end, name);
                    }
                }
            }
            default -> throw new IllegalStateException(kind.toString());
        }
        return null;
    }

    private static String prefixedInstead(Definition client, String side, String key) {
        if (client == PRODUCER) {
            return "write producer.override." + key + " for the producer that writes the copied records (or producer."
                    + key + " in engine.worker, for every link), or " + side + "producer." + key
                    + " for MirrorMaker 2's own producers";
        }
        return "write " + side + (client == CONSUMER ? "consumer." : "admin.") + key + " for MirrorMaker 2's "
                + (client == CONSUMER ? "consumers" : "admin clients");
    }

    private static String roles(List<Definition> clients) {
        List<String> names = clients.stream().map(Definition::reader).toList();
        String joined = names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
        return (joined.startsWith("a") ? "an " : "a ") + joined;
    }

    // ---- the connectors' own cross-setting checks ----

    /**
     * Runs each MirrorMaker 2 connector's {@code validate} on a mirror block's settings, as Connect does
     * before it accepts a connector configuration, and reports its errors on the settings the block wrote
     * (for example {@code emit.checkpoints.enabled = false}, which MirrorCheckpointConnector refuses).
     */
    private static void checkConnectors(PassThroughBlock block, Map<String, String> accepted, List<Problem> problems) {
        Map<String, Set<String>> reasons = new LinkedHashMap<>();
        for (Supplier<Connector> connector : List.<Supplier<Connector>>of(MirrorSourceConnector::new,
                MirrorCheckpointConnector::new, MirrorHeartbeatConnector::new)) {
            List<ConfigValue> values;
            try {
                values = connector.get().validate(new LinkedHashMap<>(accepted)).configValues();
            } catch (RuntimeException e) {
                continue; // a value shape the connector cannot read at all: already reported per setting
            }
            for (ConfigValue value : values) {
                if (accepted.containsKey(value.name())) {
                    value.errorMessages().forEach(m -> reasons.computeIfAbsent(value.name(), k -> new LinkedHashSet<>()).add(m));
                }
            }
        }
        for (Setting setting : block.settings()) {
            Set<String> found = reasons.get(setting.key());
            if (found != null) {
                problems.add(Problem.error(setting.location(), "Invalid value " + setting.value() + " for "
                        + setting.key() + " in " + setting.where() + ": " + String.join("; ", found)
                        + "; Strait runs all three MirrorMaker 2 connectors on every link, so remove the key"));
            }
        }
    }

}
