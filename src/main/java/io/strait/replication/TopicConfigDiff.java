package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.connect.mirror.ConfigPropertyFilter;
import org.apache.kafka.connect.mirror.MirrorSourceConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Compares a replicated topic's configuration on the target with its source's, the way
 * MirrorSourceConnector's config sync sees it ({@code syncTopicConfigs}, {@code targetConfig} and
 * {@code incrementalAlterConfigs} in Kafka 4.3.1): every source entry that is neither read-only nor
 * sensitive nor a static broker setting, and that the link's {@link ConfigPropertyFilter} lets
 * through, is set on the target; a source entry at its default removes the target's own override
 * ({@code use.defaults.from = target}). Entries the filter excludes (by default
 * {@code min.insync.replicas}, {@code message.timestamp.type}, {@code unclean.leader.election.enable},
 * the timestamp bounds and replication throttles) are never synced, by design.
 */
public final class TopicConfigDiff {

    /** Whether and how MirrorMaker 2 brings a differing entry in line. */
    public enum Sync {
        /** The config sync sets (or resets) it on the target at its next run. */
        SYNCED,
        /** The link's config property filter excludes it: never synced, by design. */
        EXCLUDED,
        /** The link's config sync is off ({@code sync.topic.configs.enabled = false}). */
        SYNC_DISABLED,
        /** Set in the source broker's own properties (static), which MirrorMaker 2 does not copy. */
        STATIC_ON_SOURCE,
        /** Each cluster's default, and the defaults differ: MirrorMaker 2 leaves the target's default. */
        DEFAULTS_DIFFER
    }

    /** One entry whose value differs; {@code targetValue} is null when the target does not know it. */
    public record Difference(String name, String sourceValue, String targetValue, Sync sync) {
        public boolean isCleanupPolicy() {
            return name.equals(TopicConfig.CLEANUP_POLICY_CONFIG);
        }
    }

    private final ConfigPropertyFilter filter;
    private final boolean syncEnabled;
    private final Duration syncInterval;

    private TopicConfigDiff(ConfigPropertyFilter filter, boolean syncEnabled, Duration syncInterval) {
        this.filter = filter;
        this.syncEnabled = syncEnabled;
        this.syncInterval = syncInterval;
    }

    /** The comparison of one link: its MirrorSourceConnector's own config property filter and sync settings. */
    public static TopicConfigDiff of(MirrorSettings settings, LinkId link) {
        MirrorSourceConfig config = new MirrorSourceConfig(settings.connectorConfig(link, MirrorSourceConnector.class));
        return of(config);
    }

    static TopicConfigDiff of(MirrorSourceConfig config) {
        return new TopicConfigDiff(
                config.getConfiguredInstance(MirrorSourceConfig.CONFIG_PROPERTY_FILTER_CLASS, ConfigPropertyFilter.class),
                config.getBoolean(MirrorSourceConfig.SYNC_TOPIC_CONFIGS_ENABLED),
                Duration.ofSeconds(config.getLong(MirrorSourceConfig.SYNC_TOPIC_CONFIGS_INTERVAL_SECONDS)));
    }

    /** How often the link's config sync runs (meaningful when it is enabled). */
    public Duration syncInterval() {
        return syncInterval;
    }

    public boolean syncEnabled() {
        return syncEnabled;
    }

    /** The entries whose values differ, by name. */
    public List<Difference> compare(Config source, Config target) {
        List<Difference> differences = new ArrayList<>();
        List<ConfigEntry> entries = new ArrayList<>(source.entries());
        entries.sort(java.util.Comparator.comparing(ConfigEntry::name));
        for (ConfigEntry entry : entries) {
            if (entry.isReadOnly() || entry.isSensitive()) {
                continue;
            }
            ConfigEntry other = target.get(entry.name());
            String targetValue = other == null ? null : other.value();
            if (Objects.equals(entry.value(), targetValue)) {
                continue;
            }
            differences.add(new Difference(entry.name(), entry.value(), targetValue, sync(entry, other)));
        }
        return differences;
    }

    private Sync sync(ConfigEntry source, ConfigEntry target) {
        if (!filter.shouldReplicateConfigProperty(source.name())) {
            return Sync.EXCLUDED;
        }
        if (!syncEnabled) {
            return Sync.SYNC_DISABLED;
        }
        if (source.source() == ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG) {
            return Sync.STATIC_ON_SOURCE;
        }
        if (source.isDefault() && !filter.shouldReplicateSourceDefault(source.name())) {
            // MirrorMaker 2 deletes the target's override, if it has one; the defaults may still differ.
            boolean overridden = target != null && target.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG;
            return overridden ? Sync.SYNCED : Sync.DEFAULTS_DIFFER;
        }
        return Sync.SYNCED;
    }

    /** A short phrase for a difference's {@link Sync}, as {@code plan} and the status print it. */
    public String explain(Sync sync) {
        return switch (sync) {
            case SYNCED -> "MirrorMaker 2 syncs it every " + syncInterval.toSeconds() + " s";
            case EXCLUDED -> "not synced by MirrorMaker 2, by design: config.properties.exclude leaves it out";
            case SYNC_DISABLED -> "not synced: sync.topic.configs.enabled = false";
            case STATIC_ON_SOURCE -> "not synced: a static setting of the source's brokers";
            case DEFAULTS_DIFFER -> "each cluster's default; MirrorMaker 2 keeps the target's";
        };
    }

    /** One difference as {@code name: V on source, W on target (why)}. */
    public String describe(Difference difference, String sourceAlias, String targetAlias) {
        return difference.name() + ": " + difference.sourceValue() + " on " + sourceAlias + ", "
                + (difference.targetValue() == null ? "not set" : difference.targetValue()) + " on " + targetAlias
                + " (" + explain(difference.sync()) + ")";
    }

    /**
     * The configurations of the given topics, waiting at most {@code timeout}; a topic that is gone
     * by then is left out.
     */
    public static Map<String, Config> describe(Admin admin, Collection<String> topics, Duration timeout)
            throws InterruptedException, TimeoutException {
        Map<ConfigResource, org.apache.kafka.common.KafkaFuture<Config>> futures = admin.describeConfigs(
                topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).values();
        Map<String, Config> configs = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<ConfigResource, org.apache.kafka.common.KafkaFuture<Config>> entry : futures.entrySet()) {
            try {
                configs.put(entry.getKey().name(), entry.getValue().get(
                        Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (ExecutionException e) {
                // Deleted meanwhile, or not allowed: nothing to compare.
            }
        }
        return configs;
    }
}
