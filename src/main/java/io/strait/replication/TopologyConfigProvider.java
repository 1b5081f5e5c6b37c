package io.strait.replication;

import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigTransformer;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.apache.kafka.common.utils.Utils;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The Kafka {@link ConfigProvider} (KIP-297) named {@value #NAME} in every link's Connect worker. It
 * resolves {@code ${strait:<cluster>:<key>}} to the value of {@code key} in the cluster's
 * {@code kafka-clients}, and {@code ${strait:<source>-><target>:<key>}} to its value in the link's
 * {@code mirror} block.
 *
 * <p>Strait writes these placeholders, never the values, for every secret setting (see
 * {@link MirrorSettings#isSecret}) of the connector configurations, which Kafka Connect stores in the
 * link's config topic. The worker resolves them in memory when a connector or task starts
 * (Connect's {@code WorkerConfigTransformer}) and stores task configurations with the placeholders
 * put back ({@code AbstractHerder#reverseTransform}). The values reach the provider as its
 * parameters, {@code config.providers.strait.param.<cluster or link>.<key>}, which exist only in the
 * worker's configuration in memory: every instance of a scaled-out link loads the same topology
 * and environment, so each resolves the same. A value may itself hold Kafka's placeholders
 * ({@code ${env:VAR}}, {@code ${file:path:key}}, {@code ${directory:path:key}}); they are resolved
 * here with Kafka's own providers (see {@link ConfigProviders}).
 */
public final class TopologyConfigProvider implements ConfigProvider {

    /** The provider's name in placeholders and in {@code config.providers}. */
    public static final String NAME = "strait";
    /** Where its values are in a worker configuration. */
    public static final String PARAM_PREFIX = "config.providers." + NAME + ".param.";

    private Map<String, String> values = Map.of();
    private Map<String, ConfigProvider> kafkaProviders = Map.of();

    /** The placeholder that stands for {@code key} of a cluster or a link ({@code path}). */
    public static String placeholder(String path, String key) {
        return "${" + NAME + ":" + path + ":" + key + "}";
    }

    /** True when the value holds a Kafka config placeholder, {@code ${provider:[path:]key}}. */
    public static boolean hasPlaceholder(String value) {
        return value != null && ConfigTransformer.DEFAULT_PATTERN.matcher(value).find();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Map<String, String> given = new HashMap<>();
        configs.forEach((key, value) -> given.put(key, value == null ? null : value.toString()));
        values = given;
        kafkaProviders = ConfigProviders.newKafkaProviders();
    }

    @Override
    public ConfigData get(String path) {
        Map<String, String> data = new TreeMap<>();
        String prefix = path + ".";
        values.forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                data.put(name.substring(prefix.length()), resolve(value));
            }
        });
        return new ConfigData(data);
    }

    @Override
    public ConfigData get(String path, Set<String> keys) {
        Map<String, String> data = new TreeMap<>();
        for (String key : keys) {
            String value = values.get(path + "." + key);
            if (value != null) {
                data.put(key, resolve(value));
            }
        }
        return new ConfigData(data);
    }

    private String resolve(String value) {
        if (!hasPlaceholder(value)) {
            return value;
        }
        return new ConfigTransformer(kafkaProviders).transform(Map.of("value", value)).data().get("value");
    }

    @Override
    public void close() {
        kafkaProviders.values().forEach(provider -> Utils.closeQuietly(provider, "config provider"));
    }
}
