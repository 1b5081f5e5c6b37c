package io.strait.replication;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.mirror.MirrorSourceConnector;
import org.apache.kafka.connect.mirror.StraitMirrorAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * MirrorMaker 2's source connector, unchanged (topic selection, naming, cycle checks, topic
 * creation, config and ACL sync, task assignment, offset syncs), whose tasks are
 * {@link StraitSourceTask}s. It also creates the link's offset map topic on the target
 * ({@link FailoverTopics#offsetMap(String)}: compacted, one partition, with the replication factor
 * of MM2's offset-syncs topic), which the tasks write. Listed in {@code META-INF/services} for
 * Connect's {@code plugin.discovery=service_load}.
 */
public class StraitSourceConnector extends MirrorSourceConnector {

    private static final Logger log = LoggerFactory.getLogger(StraitSourceConnector.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public void start(Map<String, String> props) {
        // The offset map topic is created while MirrorSourceConnector starts (its admin calls take a
        // few round trips), not after: both must be done before the first task configs are asked for.
        CompletableFuture<Void> offsetMapTopic = CompletableFuture.runAsync(() -> createOffsetMapTopic(props));
        try {
            super.start(props);
        } finally {
            try {
                offsetMapTopic.get(ADMIN_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.warn("Creating the offset map topic of {} did not finish: {}", StraitMirrorAccess.sourceAlias(props), e.toString());
            }
        }
    }

    private static void createOffsetMapTopic(Map<String, String> props) {
        String topic = FailoverTopics.offsetMap(StraitMirrorAccess.sourceAlias(props));
        Map<String, Object> config = StraitMirrorAccess.targetAdminConfig(props, "strait-offset-map-admin");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            StraitMirrorAccess.createSinglePartitionCompactedTopic(topic,
                    StraitMirrorAccess.offsetSyncsReplicationFactor(props), admin);
        } catch (RuntimeException e) {
            log.warn("Could not create the offset map topic {} on the target ({}); its writes will fail until it"
                    + " exists, and failover will count records instead", topic, e.toString());
        }
    }

    @Override
    public Class<? extends Task> taskClass() {
        return StraitSourceTask.class;
    }
}
