package io.strait.replication;

import io.strait.topology.ClusterSettings;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;

import java.time.Duration;
import java.util.Map;

/**
 * Settings of Strait's own Kafka clients of a cluster, assembled in this one place: the probes,
 * {@code plan}, {@code verify}, {@code lag}, the failover commands and the group checkpointer. (The
 * links' own clients are Kafka Connect's and MirrorMaker 2's, built from the worker and connector
 * configurations by {@code MirrorSourceConfig} and Connect's {@code Worker}.)
 *
 * <p>Each map holds the cluster's {@code kafka-clients} as written, Kafka's config providers that
 * resolve their placeholders ({@link ConfigProviders#clientConfig}), the cluster's
 * {@code bootstrap-servers}, and the {@code client.id} given, which names the role and the link or
 * cluster (Kafka's {@code SourceAndTarget} form, {@code strait-verify-a}). Timeouts are in
 * milliseconds as Kafka takes them; a request gives up after at most 30 s (Kafka's default
 * {@code request.timeout.ms}).
 */
public final class ClientConfigs {

    private static final long MAX_REQUEST_TIMEOUT_MS = 30_000;

    private ClientConfigs() {
    }

    /**
     * An admin client of the cluster whose calls give up after {@code timeout}
     * ({@code default.api.timeout.ms}; {@code request.timeout.ms} at most 30 s).
     */
    public static Map<String, Object> admin(ClusterSettings cluster, String clientId, Duration timeout) {
        Map<String, Object> config = common(cluster, clientId);
        timeouts(config, timeout);
        return config;
    }

    /**
     * A consumer that only reads: no group commits, never creates a topic by asking for it (a consumer
     * of a target topic could otherwise create it with one partition before MirrorMaker 2 does), with
     * the isolation level given and calls that give up after {@code timeout}.
     */
    public static Map<String, Object> reader(ClusterSettings cluster, String clientId, Duration timeout,
                                             IsolationLevel isolation) {
        Map<String, Object> config = common(cluster, clientId);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
        timeouts(config, timeout);
        return config;
    }

    /** An idempotent producer that waits for every in-sync replica ({@code acks=all}), batching for 20 ms. */
    public static Map<String, Object> producer(ClusterSettings cluster, String clientId) {
        Map<String, Object> config = common(cluster, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        return config;
    }

    private static Map<String, Object> common(ClusterSettings cluster, String clientId) {
        Map<String, Object> config = ConfigProviders.clientConfig(cluster);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    private static void timeouts(Map<String, Object> config, Duration timeout) {
        config.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), MAX_REQUEST_TIMEOUT_MS));
    }
}
