package io.strait.replication;

import io.strait.topology.LinkId;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.runtime.Worker;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.distributed.DistributedHerder;
import org.apache.kafka.connect.runtime.distributed.NotLeaderException;
import org.apache.kafka.connect.runtime.rest.RestClient;
import org.apache.kafka.connect.storage.ConfigBackingStore;
import org.apache.kafka.connect.storage.StatusBackingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * The Kafka Connect distributed herder of one link. Like MirrorMaker 2's dedicated-mode herder,
 * whichever instance leads the link's group writes the three connectors' configurations when they
 * differ from the desired ones; unlike it, the connectors are named after the link.
 */
final class LinkHerder extends DistributedHerder {

    private static final Logger log = LoggerFactory.getLogger(LinkHerder.class);

    private final LinkId link;
    private final MirrorSettings settings;
    private final java.util.concurrent.atomic.AtomicLong taskStarts;
    private boolean wasLeader;
    private volatile boolean ended;

    @SuppressWarnings("checkstyle:ParameterNumber")
    LinkHerder(LinkId link, MirrorSettings settings, java.util.concurrent.atomic.AtomicLong taskStarts, Time time,
               DistributedConfig config, Worker worker, String kafkaClusterId,
               StatusBackingStore statusStore, ConfigBackingStore configStore, String restUrl, RestClient restClient,
               ConnectorClientConfigOverridePolicy overridePolicy, List<String> restNamespace, AutoCloseable... uponShutdown) {
        super(config, time, worker, kafkaClusterId, statusStore, configStore, restUrl, restClient, overridePolicy,
                restNamespace, uponShutdown);
        this.link = link;
        this.settings = settings;
        this.taskStarts = taskStarts;
    }

    /** Connect reports every task start-up of this worker here: counted, so that restarts are visible. */
    @Override
    public void onStartup(org.apache.kafka.connect.util.ConnectorTaskId id) {
        taskStarts.incrementAndGet();
        super.onStartup(id);
    }

    /** The herder's thread ends when it is stopped, or after an error Connect could not handle. */
    @Override
    public void run() {
        try {
            super.run();
        } finally {
            ended = true;
        }
    }

    /** True once the herder's thread has ended. */
    boolean ended() {
        return ended;
    }

    /**
     * The metrics of the herder's Kafka Connect worker, MirrorMaker 2's per-partition ones among
     * them (record-count, byte-count, replication-latency-ms, record-age-ms).
     */
    org.apache.kafka.common.metrics.Metrics workerMetrics() {
        return worker.metrics().metrics();
    }

    @Override
    protected void rebalanceSuccess() {
        if (isLeader()) {
            if (!wasLeader) {
                log.info("Leading link {}: configuring its connectors", link);
                settings.connectorConfigs(link).forEach(this::configureIfChanged);
            }
            wasLeader = true;
        } else {
            wasLeader = false;
        }
    }

    /** The secret settings of a stored connector configuration that hold a value, not a placeholder. */
    static List<String> secretsInClear(Map<String, String> stored) {
        if (stored == null) {
            return List.of();
        }
        return stored.entrySet().stream()
                .filter(e -> MirrorSettings.isSecret(e.getKey()) && e.getValue() != null && !e.getValue().isEmpty()
                        && !TopologyConfigProvider.hasPlaceholder(e.getValue()))
                .map(Map.Entry::getKey).sorted().toList();
    }

    private void configureIfChanged(String name, Map<String, String> desired) {
        // As stored: placeholders unresolved (connectorConfig(name) would resolve them).
        Map<String, String> actual = configState.rawConnectorConfig(name);
        if (desired.equals(actual)) {
            log.debug("Connector {} of link {} is up to date", name, link);
            return;
        }
        List<String> inClear = secretsInClear(actual);
        if (!inClear.isEmpty()) {
            log.warn("The stored configuration of connector {} of link {} holds secret values in clear ({}), as versions"
                    + " of Strait before placeholders wrote them. It is now rewritten with placeholders, but the old"
                    + " records stay in the config topic {} on {} until compaction removes them: change those"
                    + " credentials", name, link, String.join(", ", inClear),
                    settings.workerConfig(link).get("config.storage.topic"), link.target());
        }
        putConnectorConfig(name, desired, true, (error, created) -> {
            if (error == null) {
                log.info("Configured connector {} of link {}", name, link);
            } else if (error instanceof NotLeaderException) {
                log.info("Lost the lead of link {} while configuring {}; the new leader configures it", link, name);
            } else {
                log.error("Failed to configure connector {} of link {}", name, link, error);
            }
        });
    }
}
