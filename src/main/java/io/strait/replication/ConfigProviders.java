package io.strait.replication;

import io.strait.topology.ClusterSettings;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.config.provider.DirectoryConfigProvider;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.config.provider.FileConfigProvider;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka's config providers (KIP-297, KIP-421) as Strait sets them up. Any value of a cluster's
 * {@code kafka-clients} or a link's {@code mirror} block may hold
 * <ul>
 *   <li>{@code ${env:VAR}}: the environment variable VAR (Kafka's {@link EnvVarConfigProvider});</li>
 *   <li>{@code ${file:/path/to/file.properties:key}}: a key of a properties file ({@link FileConfigProvider});</li>
 *   <li>{@code ${directory:/path/to/dir:name}}: the whole content of the file {@code name} in a directory,
 *       such as a mounted Kubernetes Secret ({@link DirectoryConfigProvider}).</li>
 * </ul>
 * Strait's own clients (reachability probes, {@code plan}, {@code verify}) resolve them from their
 * own configuration, as every Kafka client does ({@link AbstractConfig}); every link's Connect
 * worker resolves them, and Strait's {@link TopologyConfigProvider}, in connector and task
 * configurations when they start.
 */
public final class ConfigProviders {

    /** Kafka's providers, by the name a placeholder gives them. */
    static final Map<String, Class<? extends ConfigProvider>> KAFKA = kafka();

    private ConfigProviders() {
    }

    private static Map<String, Class<? extends ConfigProvider>> kafka() {
        Map<String, Class<? extends ConfigProvider>> providers = new LinkedHashMap<>();
        providers.put("env", EnvVarConfigProvider.class);
        providers.put("file", FileConfigProvider.class);
        providers.put("directory", DirectoryConfigProvider.class);
        return java.util.Collections.unmodifiableMap(providers);
    }

    /** {@code config.providers} settings for Kafka's three providers, for one of Strait's own clients. */
    public static Map<String, String> forClients() {
        return settings(KAFKA.keySet().stream().toList());
    }

    /**
     * {@code config.providers} settings of a link's worker: Strait's provider, given the values it
     * stands for by {@code <cluster or link>.<key>}, and Kafka's three.
     */
    static Map<String, String> forWorker(Map<String, String> topologyValues) {
        List<String> names = new java.util.ArrayList<>();
        names.add(TopologyConfigProvider.NAME);
        names.addAll(KAFKA.keySet());
        Map<String, String> settings = settings(names);
        topologyValues.forEach((name, value) -> settings.put(TopologyConfigProvider.PARAM_PREFIX + name, value));
        return settings;
    }

    private static Map<String, String> settings(List<String> names) {
        Map<String, String> settings = new TreeMap<>();
        settings.put(AbstractConfig.CONFIG_PROVIDERS_CONFIG, String.join(",", names));
        for (String name : names) {
            Class<?> type = name.equals(TopologyConfigProvider.NAME) ? TopologyConfigProvider.class : KAFKA.get(name);
            settings.put(AbstractConfig.CONFIG_PROVIDERS_CONFIG + "." + name + ".class", type.getName());
        }
        // Kafka's EnvVarConfigProvider logs a line at each start without a pattern; this is its default.
        settings.put(AbstractConfig.CONFIG_PROVIDERS_CONFIG + ".env.param." + EnvVarConfigProvider.ALLOWLIST_PATTERN_CONFIG,
                ".*");
        return settings;
    }

    /**
     * Settings for one of Strait's own Kafka clients of the cluster: its {@code kafka-clients} as
     * written, and the providers that resolve their placeholders.
     */
    public static Map<String, Object> clientConfig(ClusterSettings cluster) {
        Map<String, Object> config = new HashMap<>(cluster.kafkaClients());
        config.putAll(forClients());
        return config;
    }

    /** Kafka's three providers, configured as a client's would be, for resolving values in memory. */
    static Map<String, ConfigProvider> newKafkaProviders() {
        Map<String, ConfigProvider> providers = new HashMap<>();
        Map<String, String> settings = forClients();
        KAFKA.forEach((name, type) -> {
            try {
                ConfigProvider provider = type.getDeclaredConstructor().newInstance();
                String prefix = AbstractConfig.CONFIG_PROVIDERS_CONFIG + "." + name + ".param.";
                Map<String, String> params = new HashMap<>();
                settings.forEach((key, value) -> {
                    if (key.startsWith(prefix)) {
                        params.put(key.substring(prefix.length()), value);
                    }
                });
                provider.configure(params);
                providers.put(name, provider);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Cannot create Kafka's " + type.getName(), e);
            }
        });
        return providers;
    }
}
