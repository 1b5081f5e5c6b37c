package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.runtime.Worker;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.storage.ConfigBackingStore;
import org.apache.kafka.connect.storage.KafkaConfigBackingStore;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.storage.KafkaStatusBackingStore;
import org.apache.kafka.connect.storage.StatusBackingStore;
import org.apache.kafka.connect.util.ConnectUtils;
import org.apache.kafka.connect.util.SharedTopicAdmin;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds the Kafka Connect distributed herder of one link, wired as Connect's own
 * {@code ConnectDistributed} and MirrorMaker 2's dedicated mode wire theirs: a worker on the shared
 * plugins, and the offset, status and config stores in the link's internal topics on its target,
 * sharing one admin client. With scale-out, the herder joins the instance's internal endpoint.
 */
final class LinkHerderFactory {

    private final LinkId link;
    private final MirrorSettings settings;
    private final Plugins plugins;
    private final InternalEndpoint endpoint;
    private final AtomicLong taskStarts;
    private final Time time;

    /**
     * @param plugins    Connect's plugins, found once and shared by every link's worker
     * @param endpoint   the instance's internal endpoint (scale-out), or null when it runs alone
     * @param taskStarts counts each task start-up of the link's herders
     */
    LinkHerderFactory(LinkId link, MirrorSettings settings, Plugins plugins, InternalEndpoint endpoint,
                      AtomicLong taskStarts, Time time) {
        this.link = link;
        this.settings = settings;
        this.plugins = plugins;
        this.endpoint = endpoint;
        this.taskStarts = taskStarts;
        this.time = time;
    }

    /** A new herder for the link, not started; registered with the internal endpoint when there is one. */
    LinkHerder build() {
        Map<String, String> workerProps = settings.workerConfig(link);
        DistributedConfig config = new DistributedConfig(workerProps);
        String clusterId = config.kafkaClusterId();
        String clientIdBase = ConnectUtils.clientIdBase(config);
        Map<String, Object> adminProps = new HashMap<>(config.originals());
        adminProps.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientIdBase + "shared-admin");
        ConnectUtils.addMetricsContextProperties(adminProps, config, clusterId);
        SharedTopicAdmin sharedAdmin = new SharedTopicAdmin(adminProps);
        try {
            return build(config, clusterId, clientIdBase, sharedAdmin);
        } catch (RuntimeException e) {
            org.apache.kafka.common.utils.Utils.closeQuietly(sharedAdmin, "Connect's shared admin of link " + link);
            throw e;
        }
    }

    private LinkHerder build(DistributedConfig config, String clusterId, String clientIdBase, SharedTopicAdmin sharedAdmin) {
        ConnectInternalTopics.createTogether(config, sharedAdmin.topicAdmin());
        KafkaOffsetBackingStore offsetStore = new KafkaOffsetBackingStore(sharedAdmin, () -> clientIdBase,
                plugins.newInternalConverter(true, JsonConverter.class.getName(),
                        Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false")));
        offsetStore.configure(config);
        ConnectorClientConfigOverridePolicy overridePolicy = new AllConnectorClientConfigOverridePolicy();
        overridePolicy.configure(settings.config().originals());
        Worker worker = new Worker(workerId(), time, plugins, config, offsetStore, overridePolicy);
        StatusBackingStore statusStore = new KafkaStatusBackingStore(time, worker.getInternalValueConverter(),
                sharedAdmin, clientIdBase);
        statusStore.configure(config);
        ConfigBackingStore configStore = new KafkaConfigBackingStore(worker.getInternalValueConverter(), config,
                worker.configTransformer(), sharedAdmin, clientIdBase);
        LinkHerder built = new LinkHerder(link, settings, taskStarts, time, config, worker, clusterId, statusStore,
                configStore, endpoint == null ? "NOTUSED" : endpoint.advertisedUrl().toString(),
                endpoint == null ? null : endpoint.client(), overridePolicy, InternalEndpoint.namespace(link), sharedAdmin);
        if (endpoint != null) {
            endpoint.register(link, built);
        }
        return built;
    }

    /** Unregisters a herder built here from the internal endpoint, before it stops. */
    void release(LinkHerder herder) {
        if (endpoint != null) {
            endpoint.unregister(link, herder);
        }
    }

    /** The worker's id: the instance's endpoint and the link, or host, link and a random UUID when alone. */
    private String workerId() {
        if (endpoint != null) {
            return endpoint.advertisedUrl().getHost() + ":" + endpoint.advertisedUrl().getPort() + "/" + link;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getCanonicalHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + "/" + link + "/" + UUID.randomUUID();
    }
}
