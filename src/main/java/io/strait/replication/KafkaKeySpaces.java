package io.strait.replication;

import io.strait.topology.PassThroughBlock.Kind;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.mirror.MirrorCheckpointConnector;
import org.apache.kafka.connect.mirror.MirrorHeartbeatConnector;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.runtime.SourceConnectorConfig;
import org.apache.kafka.connect.runtime.distributed.Crypto;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The keys each block of raw Kafka settings understands, as {@link KafkaSettingsValidator} checks
 * them: Kafka's own {@link ConfigDef}s (the producer's, consumer's and admin client's, Connect's
 * {@link DistributedConfig}, MirrorMaker 2's three connectors' and Connect's
 * {@link SourceConnectorConfig}), the prefixes under which another definition's keys follow
 * ({@code producer.}, {@code source.consumer.}, {@code consumer.override.}, ...) and the prefixes under
 * which any key is a plugin's. Tables and lookups only, built once.
 */
final class KafkaKeySpaces {

    /** A Kafka configuration a setting may go to: who reads it, and its definition. */
    record Definition(String reader, ConfigDef def) {
    }

    /**
     * The keys a block understands: its definitions, prefixes followed by another space's keys, and
     * prefixes under which any key is accepted (keys of plugins).
     */
    record Space(List<Definition> definitions, Map<String, Space> prefixes, List<String> open) {
    }

    /** A key found in a definition, under its name there (without the prefix). */
    record Match(String prefix, String name, Definition definition, ConfigDef.ConfigKey key) {
    }

    static final Definition PRODUCER = new Definition("producer", ProducerConfig.configDef());
    static final Definition CONSUMER = new Definition("consumer", ConsumerConfig.configDef());
    private static final Definition ADMIN = new Definition("admin client", AdminClientConfig.configDef());
    static final List<Definition> CLIENT_DEFINITIONS = List.of(PRODUCER, CONSUMER, ADMIN);
    static final Definition WORKER = new Definition("Kafka Connect worker", distributedConfigDef());
    static final List<Definition> CONNECTOR_DEFINITIONS = List.of(
            new Definition("MirrorSourceConnector", new MirrorSourceConnector().config()),
            new Definition("MirrorCheckpointConnector", new MirrorCheckpointConnector().config()),
            new Definition("MirrorHeartbeatConnector", new MirrorHeartbeatConnector().config()),
            new Definition("Kafka Connect's source connectors", SourceConnectorConfig.configDef()));
    /** The settings MirrorConnectorConfig keeps from source.cluster.* and target.cluster.*: connection and security. */
    private static final Definition MIRROR_CLUSTER = new Definition("MirrorMaker 2's cluster settings",
            mirrorClientConfigDef());

    private static final List<String> CLIENT_OPEN = List.of("config.providers.", "metrics.context.");
    private static final Space PRODUCER_SPACE = new Space(List.of(PRODUCER), Map.of(), CLIENT_OPEN);
    private static final Space CONSUMER_SPACE = new Space(List.of(CONSUMER), Map.of(), CLIENT_OPEN);
    private static final Space ADMIN_SPACE = new Space(List.of(ADMIN), Map.of(), CLIENT_OPEN);
    private static final Map<String, Space> CLIENT_PREFIXES = Map.of(
            "producer.", PRODUCER_SPACE, "consumer.", CONSUMER_SPACE, "admin.", ADMIN_SPACE);

    private static final Space CLIENTS_SPACE = new Space(CLIENT_DEFINITIONS, CLIENT_PREFIXES, CLIENT_OPEN);
    private static final Space WORKER_SPACE = new Space(List.of(WORKER), CLIENT_PREFIXES, List.of(
            "config.providers.", "metrics.context.", "key.converter.", "value.converter.", "header.converter.",
            "config.storage.", "offset.storage.", "status.storage.", "listeners.https.", "admin.listeners.https."));
    private static final Space MIRROR_SPACE = new Space(CONNECTOR_DEFINITIONS, mirrorPrefixes(), List.of(
            "config.providers.", "metrics.context.", "transforms.", "predicates.", "key.converter.",
            "value.converter.", "header.converter.", "topic.creation."));

    private KafkaKeySpaces() {
    }

    /** The keys a block of this kind understands. */
    static Space space(Kind kind) {
        return switch (kind) {
            case KAFKA_CLIENTS -> CLIENTS_SPACE;
            case ENGINE_WORKER -> WORKER_SPACE;
            case MIRROR -> MIRROR_SPACE;
        };
    }

    /**
     * The definitions that know a key, or an empty list when none does, or null when the key lies under a
     * prefix whose keys belong to a plugin. A key a space defines itself wins over a prefixed reading
     * ({@code consumer.poll.timeout.ms} is MirrorMaker 2's, not the consumer's {@code poll.timeout.ms}).
     */
    static List<Match> resolve(Space space, String prefix, String key) {
        List<Match> matches = new ArrayList<>();
        for (Definition definition : space.definitions()) {
            ConfigDef.ConfigKey found = definition.def().configKeys().get(key);
            if (found != null) {
                matches.add(new Match(prefix, key, definition, found));
            }
        }
        if (!matches.isEmpty()) {
            return matches;
        }
        for (Map.Entry<String, Space> sub : byLength(space.prefixes())) {
            if (key.startsWith(sub.getKey()) && key.length() > sub.getKey().length()) {
                List<Match> inner = resolve(sub.getValue(), prefix + sub.getKey(), key.substring(sub.getKey().length()));
                if (inner == null || !inner.isEmpty()) {
                    return inner;
                }
            }
        }
        for (String open : space.open()) {
            if (key.startsWith(open) && key.length() > open.length()) {
                return null;
            }
        }
        return matches;
    }

    /** Names to suggest for an unknown key: within its prefix when it has one, else the block's own names. */
    static Set<String> candidates(Space space, String key) {
        for (Map.Entry<String, Space> sub : byLength(space.prefixes())) {
            if (key.startsWith(sub.getKey())) {
                Set<String> names = new TreeSet<>();
                candidates(sub.getValue(), key.substring(sub.getKey().length()))
                        .forEach(n -> names.add(sub.getKey() + n));
                space.definitions().forEach(d -> names.addAll(d.def().names()));
                return names;
            }
        }
        Set<String> names = new TreeSet<>();
        space.definitions().forEach(d -> names.addAll(d.def().names()));
        return names;
    }

    private static List<Map.Entry<String, Space>> byLength(Map<String, Space> prefixes) {
        List<Map.Entry<String, Space>> sorted = new ArrayList<>(prefixes.entrySet());
        sorted.sort(Comparator.<Map.Entry<String, Space>>comparingInt(e -> -e.getKey().length())
                .thenComparing(Map.Entry::getKey));
        return sorted;
    }

    // Kafka's definitions that Kafka keeps private

    /**
     * DistributedConfig's ConfigDef. Kafka builds it in the private {@code config(Crypto)}; it is read once
     * through reflection. Kafka's version is pinned ({@code kafka.version}), and a unit test fails if it moves.
     */
    private static ConfigDef distributedConfigDef() {
        try {
            Method config = DistributedConfig.class.getDeclaredMethod("config", Crypto.class);
            config.setAccessible(true);
            return (ConfigDef) config.invoke(null, Crypto.SYSTEM);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot read Kafka Connect's DistributedConfig definition", e);
        }
    }

    /** MirrorClientConfig's CLIENT_CONFIG_DEF (package-private): what MM2 keeps of source.cluster.* and target.cluster.*. */
    private static ConfigDef mirrorClientConfigDef() {
        try {
            Field field = Class.forName("org.apache.kafka.connect.mirror.MirrorClientConfig")
                    .getDeclaredField("CLIENT_CONFIG_DEF");
            field.setAccessible(true);
            return (ConfigDef) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot read MirrorMaker 2's MirrorClientConfig definition", e);
        }
    }

    private static Map<String, Space> mirrorPrefixes() {
        Map<String, Space> prefixes = new LinkedHashMap<>(CLIENT_PREFIXES);
        for (String side : List.of("source.", "target.")) {
            CLIENT_PREFIXES.forEach((prefix, space) -> prefixes.put(side + prefix, space));
            prefixes.put(side + "cluster.", new Space(List.of(MIRROR_CLUSTER), Map.of(), List.of()));
        }
        CLIENT_PREFIXES.forEach((prefix, space) -> prefixes.put(prefix + "override.", space));
        return Map.copyOf(prefixes);
    }
}
